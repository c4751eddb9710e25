/**
 * From a validated answer to findings, for one review: guards (grounding, focus per hook, card rules,
 * suggestions) → claims checked against the series → at most `maxInsightCards` insights → labelled findings.
 * Pure: the same answer (fresh or cached) and review give the same findings and the same drop counts.
 */
import type { Review } from '../types.js';
import type { Finding } from '../../findings/types.js';
import { type CheckedItem, checkClaims, type ClaimDropReason } from './claims.js';
import type { Deidentified } from './deidentify.js';
import { type FindingContext, findingOf } from './findings.js';
import { type DropReason, type GuardDecision, guardAnswer, type SuggestionDropReason } from './guards.js';
import { isInsightKind, type ModelAnswer } from './output.js';

export type AdviceDropReason = DropReason | SuggestionDropReason | ClaimDropReason | 'too-many-insights';

/** What became of one item of the answer: the guard's decision, or a later drop by the claim check or the cap. */
export type ItemDecision = GuardDecision | { readonly outcome: ClaimDropReason | 'too-many-insights' };

export interface Advice {
  readonly findings: readonly Finding[];
  /** Items (or suggestions) removed, by reason. */
  readonly dropped: Readonly<Partial<Record<AdviceDropReason, number>>>;
  /** One per item of `answer.items`, in order, with the index in `findings` of the finding a kept item became. */
  readonly fates: readonly { readonly decision: ItemDecision; readonly finding?: number }[];
}

export const DEFAULT_MAX_INSIGHT_CARDS = 2;

/** The first `max` insights (the model lists the most important first); other kinds are not counted. */
function capInsights(items: readonly CheckedItem[], max: number): { kept: CheckedItem[]; over: number } {
  let insights = 0;
  const kept = items.filter((item) => !isInsightKind(item.kind) || ++insights <= max);
  return { kept, over: items.length - kept.length };
}

export function adviceFor(
  answer: ModelAnswer,
  deid: Deidentified,
  review: Review,
  context: FindingContext,
  maxInsightCards: number = DEFAULT_MAX_INSIGHT_CARDS,
): Advice {
  const guarded = guardAnswer(answer, deid.aliases, {
    hook: review.hook,
    focus: new Set(review.focus.map((m) => m.ref)),
  });
  const checked = checkClaims(guarded.items);
  const { kept, over } = capInsights(checked.items, maxInsightCards);
  const dropped: Partial<Record<AdviceDropReason, number>> = { ...guarded.dropped, ...checked.dropped };
  if (over > 0) dropped['too-many-insights'] = over;
  return { findings: kept.map((item) => findingOf(item, context)), dropped, fates: fatesOf() };

  /** Walks the three stages in step: each stage keeps its input's order, so the n-th survivor is the n-th kept. */
  function fatesOf(): Advice['fates'] {
    let guardedIndex = 0;
    let checkedIndex = 0;
    let findingIndex = 0;
    return guarded.decisions.map((decision) => {
      if (decision.outcome !== 'kept') return { decision };
      const verdict = checked.verdicts[guardedIndex++]!;
      if (verdict !== 'kept') return { decision: { outcome: verdict } };
      const item = checked.items[checkedIndex++]!;
      if (kept[findingIndex] !== item) return { decision: { outcome: 'too-many-insights' } };
      return { decision, finding: findingIndex++ };
    });
  }
}

/** Whether a review gives the model anything to read: on patient-view the whole chart, else the drafts asked about. */
export function hasAnythingToReview(review: Review): boolean {
  if (review.hook !== 'patient-view') return review.focus.length > 0;
  const p = review.patient;
  return (
    p.activeMedications.length +
      p.problems.length +
      p.labs.length +
      (p.vitals?.length ?? 0) +
      p.allergies.length >
    0
  );
}
