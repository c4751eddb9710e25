/**
 * The advisor interface shared by the built-in rules and the model. An advisor reads a typed patient view and
 * returns findings; findings become cards in one place (`src/cards`). Advisors never see HTTP or card wire format.
 */
import type { HookName, PrefetchKey } from '../cds/types.js';
import type { Medication, PatientContext } from '../clinical/types.js';
import type { AdvisorName, Finding } from '../findings/types.js';

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

export interface AdvisorOutcome {
  readonly advisor: AdvisorName;
  readonly status: AdvisorStatus;
  readonly findings: readonly Finding[];
  readonly latencyMs: number;
  /** Short machine-readable reason for a non-ok status; never PHI. */
  readonly reason?: string;
  /** Checks this advisor could not run for lack of data (the rules advisor says; the model does not know). */
  readonly gaps?: readonly DataGap[];
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
