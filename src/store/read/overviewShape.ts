/**
 * What the audit API's summary answers and the dashboard reads: the shape of the overview, apart from the queries
 * that compute it (`overview.ts`).
 */
import type { AdvisorStatus } from '../../advisors/types.js';
import type { AdvisorName } from '../../findings/types.js';
import type { InvocationOutcome } from '../types.js';
import type { Percentiles } from './percentiles.js';

export interface Rate {
  readonly cards: number;
  /** Feedback items on those cards (an EHR may send more than one per card). */
  readonly feedback: number;
  readonly accepted: number;
  readonly overridden: number;
  /** accepted / (accepted + overridden); null without feedback. Rounded to 4 decimals. */
  readonly acceptanceRate: number | null;
  readonly overrideRate: number | null;
}

export interface DayVolume {
  /** UTC calendar day, YYYY-MM-DD. */
  readonly day: string;
  readonly invocations: number;
  readonly cards: number;
  readonly accepted: number;
  readonly overridden: number;
}

export interface ReasonCount {
  readonly system: string | null;
  /** null: overridden without a reason. */
  readonly code: string | null;
  readonly display: string | null;
  readonly count: number;
}

export interface FatigueRow extends Rate {
  readonly advisor: AdvisorName;
  /** Rule cards: the rule id; model cards: the model version. */
  readonly key: string;
  /** The most frequent override reasons for this rule, at most three. */
  readonly reasons: readonly ReasonCount[];
}

export const MODEL_STATUSES: readonly AdvisorStatus[] = [
  'ok',
  'cached',
  'timeout',
  'error',
  'rate-limited',
  'circuit-open',
  'rejected',
  'disabled',
];

/** Statuses where a call to the model really ran, so its latency says something about the model. */

export interface ModelPanel {
  readonly invocations: number;
  /** Invocations where the model advisor took part: its switch was on (any status but `disabled`). */
  readonly consulted: number;
  /** Invocations that showed at least one model card. */
  readonly withAdvice: number;
  /** withAdvice / invocations, rounded to 4 decimals; null without invocations. */
  readonly adviceShare: number | null;
  readonly outcomes: Readonly<Record<AdvisorStatus, number>>;
  /** Model call latency where a call ran (ok, timeout, error, rejected). */
  readonly latencyMs: Percentiles;
}

export interface AuditOverview {
  readonly from: string | null;
  readonly to: string | null;
  readonly totals: Rate & {
    readonly invocations: number;
    readonly invocationsByOutcome: Readonly<Record<InvocationOutcome, number>>;
  };
  readonly perDay: readonly DayVolume[];
  readonly cardsPerInvocation: {
    readonly mean: number | null;
    /** How many invocations issued 0, 1, 2… cards. */
    readonly distribution: readonly { readonly cards: number; readonly invocations: number }[];
  };
  readonly byService: readonly (Rate & { readonly serviceId: string })[];
  readonly byAdvisor: Readonly<Record<AdvisorName, Rate>>;
  readonly byRule: readonly (Rate & { readonly ruleId: string })[];
  readonly byModel: readonly (Rate & { readonly model: string; readonly promptVersion: string | null })[];
  readonly overrideReasons: readonly ReasonCount[];
  /** The most overridden rules (and model versions), most overrides first, at most ten. */
  readonly alertFatigue: readonly FatigueRow[];
  readonly model: ModelPanel;
  /**
   * Order-sign findings that repeated one the same clinician overrode, with a reason, at order-select: left out
   * (`suppressed`), or shown again because critical (`shown`).
   */
  readonly overrideRepeats: { readonly suppressed: number; readonly shown: number };
  /** Hook calls where a check that applied to a reviewed drug could not run for lack of data. */
  readonly dataGaps: { readonly invocations: number };
  /** Whole-hook durations as the EHR waited for them. */
  readonly latencyMs: Percentiles;
}
