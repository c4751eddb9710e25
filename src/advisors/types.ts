/**
 * The advisor interface shared by the built-in rules and the model. An advisor reads a typed patient view and
 * returns findings; findings become cards in one place (`src/cards`). Advisors never see HTTP or card wire format.
 */
import type { HookName, PrefetchKey } from '../cds/types.js';
import type { Medication, PatientContext } from '../clinical/types.js';
import type { AdvisorName, Finding } from '../findings/types.js';
import type { ModelInput } from './model/deidentify.js';
import type { ItemDecision } from './model/advice.js';
import type { ModelAdviceItem } from './model/output.js';

/**
 * What model advice does for one service: `off` (the model is not asked), `shadow` (it is asked and its advice is
 * audited, never shown), `on` (shown).
 */
export const AI_MODES = ['off', 'shadow', 'on'] as const;
export type AiMode = (typeof AI_MODES)[number];

/** What a hook asks the advisors to look at. Built by the hook module's handler. */
export interface Review {
  readonly serviceId: string;
  readonly hook: HookName;
  readonly patient: PatientContext;
  /**
   * The medications under review: the selected drafts (order-select), every draft (order-sign), or the active
   * medication list (patient-view). Everything else in `patient` is context.
   */
  readonly focus: readonly Medication[];
  readonly hookInstance: string;
}

/** How an advisor's run ended; recorded in audit and metrics. */
export type AdvisorStatus =
  'ok' | 'timeout' | 'error' | 'rate-limited' | 'circuit-open' | 'rejected' | 'disabled' | 'cached';

/** A check that applies to a medication under review but could not run: the data it reads was not available. */
export interface DataGap {
  /** The check, e.g. `renal`. */
  readonly check: string;
  /** What a clinician calls it, e.g. `renal dosing`. */
  readonly label: string;
  /** The prefetch key whose data was missing. */
  readonly data: PrefetchKey;
  /** The drug (the knowledge base's ingredient name) the check would have run on. */
  readonly drug: string;
  /** The order under review (`MedicationRequest/id`). */
  readonly medication: string;
}

/** One item of a model answer, as returned, and what the guards made of it. */
export interface ModelItemTrace {
  /** The item exactly as the model returned it (after the schema check on arrival). */
  readonly returned: ModelAdviceItem;
  readonly guard: ItemDecision;
  /** Kept items: the finding's key and the resources its citations stand for (`Type/id`). */
  readonly findingKey?: string;
  readonly evidence?: readonly string[];
}

/**
 * What a reviewer needs to tell why an AI card appeared: the de-identified input exactly as sent (PHI-free by
 * construction: the same object the prompt serializes), each item as returned with its guard decision, and which
 * model, prompt and endpoint answered. Present when the model's answer was used (a call or the late-answer cache).
 */
export interface ModelTrace {
  /** `shadow`: the findings are audited, never shown. */
  readonly mode: 'on' | 'shadow';
  readonly endpointKind: string;
  readonly deployment: string;
  /** The model version the API reported. */
  readonly modelVersion: string;
  readonly promptVersion: string;
  /** `cache`: the answer was fetched for an earlier hook on the same de-identified input (late-answer cache). */
  readonly servedFrom: 'call' | 'cache';
  /** When the answer arrived (UTC ISO 8601): earlier than the hook when served from the cache. */
  readonly answeredAt: string;
  readonly input: ModelInput;
  readonly items: readonly ModelItemTrace[];
  /** Items that failed the schema check on arrival (not kept as returned). */
  readonly invalidItems: number;
}

export interface AdvisorOutcome {
  readonly advisor: AdvisorName;
  readonly status: AdvisorStatus;
  readonly findings: readonly Finding[];
  readonly latencyMs: number;
  /** Short machine-readable reason for a non-ok status; never PHI. */
  readonly reason?: string;
  /** Checks this advisor could not run for lack of data (the rules advisor says; the model does not know). */
  readonly gaps?: readonly DataGap[];
  /** The model advisor's account of its answer, for the audit. */
  readonly trace?: ModelTrace;
}

export interface Advisor {
  readonly name: AdvisorName;
  /**
   * `signal` aborts when the response budget is spent; an advisor must settle promptly after it fires.
   * Must not throw for expected failures: report them in the outcome.
   */
  advise(review: Review, signal: AbortSignal): Promise<AdvisorOutcome>;
  /** Stops work still running after the hooks that asked for it have answered (graceful shutdown). */
  close?(): void;
  /** Whether the advisor can work, and if not what to fix: shown in `/readyz` and on the dashboard. */
  health?(): AdvisorHealth;
}

/**
 * An advisor's account of itself (the model lane: usable, misconfigured or unauthorised, and its details, sent as
 * they are). No secrets, no PHI.
 */
export interface AdvisorHealth {
  readonly state: string;
}
