/**
 * A rule check as the engine runs it, and what it needs to run: the patient data it reads, and for which drugs the
 * knowledge base gives it something to check. One description serves both running the check and saying out loud
 * when it could not run (`dataGaps.ts`), so the two cannot drift apart.
 */
import type { HookName, PrefetchKey } from '../../cds/types.js';
import type { Finding } from '../../findings/types.js';
import type { ResolvedMed, RuleContext } from './context.js';

export interface DataNeed {
  /** The prefetch key whose data the check reads. */
  readonly data: PrefetchKey;
  /** What goes unchecked without it, when that is only part of the check (default: the check's label). */
  readonly label?: string;
  /** Whether, for this ingredient of a reviewed medication, the check would have read that data. */
  appliesTo(ctx: RuleContext, rm: ResolvedMed, ingredient: string): boolean;
}

export interface RuleCheck {
  readonly id: string;
  /** What a clinician calls it, lower case: "renal dosing". */
  readonly label: string;
  readonly needs: readonly DataNeed[];
  /** The hooks it runs on; every hook when absent. */
  readonly hooks?: readonly HookName[];
  /**
   * Which reviewed medications it looks at: `systemic` (the default: `RuleContext.focus`) or `every-form` (eye
   * drops and skin forms too: `RuleContext.reviewed`, for allergies).
   */
  readonly forms?: 'systemic' | 'every-form';
  /**
   * `patient`: about the patient as a whole (an eGFR decline, an undiagnosed diabetes), so it runs on a chart with
   * no medication to review too. Drug checks (the default) run only when a medication is under review.
   */
  readonly scope?: 'patient';
  run(ctx: RuleContext): Finding[];
}

export function runsOn(check: RuleCheck, hook: HookName): boolean {
  return check.hooks === undefined || check.hooks.includes(hook);
}

/** The reviewed medications the check looks at. */
export function medicationsOf(check: RuleCheck, ctx: RuleContext): readonly ResolvedMed[] {
  return check.forms === 'every-form' ? ctx.reviewed : ctx.focus;
}

/** Every reviewed ingredient: checks that apply to any drug the knowledge base recognises. */
export const anyIngredient = (): boolean => true;
