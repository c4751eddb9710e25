/**
 * The one filter vocabulary of the audit read side: what the audit API, the dashboard, the exports and the tests
 * select rows by. The API's query strings become these in `src/http/audit/query.ts`.
 */
import type { AdvisorStatus } from '../../advisors/types.js';
import type { AdvisorName, Severity } from '../../findings/types.js';
import type { FeedbackOutcome, InvocationOutcome, RepeatDecision } from '../types.js';

/** Filters on the card that was shown; on invocations and feedback they select rows tied to such a card. */
export interface CardFacet {
  readonly advisor?: AdvisorName;
  readonly ruleId?: string;
  readonly model?: string;
  readonly indicator?: Severity;
}

export interface AuditFilter extends CardFacet {
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  readonly serviceId?: string;
}

export interface InvocationFilter extends AuditFilter {
  readonly outcome?: InvocationOutcome;
  readonly modelStatus?: AdvisorStatus;
  readonly patientPseudonym?: string;
  readonly hookInstance?: string;
}

export interface CardFilter extends AuditFilter {
  /** The feedback the card received; `none`: no feedback yet. */
  readonly outcome?: FeedbackOutcome | 'none';
  readonly hookInstance?: string;
  readonly uuid?: string;
}

export interface FeedbackFilter extends AuditFilter {
  readonly outcome?: FeedbackOutcome;
  readonly cardUuid?: string;
  /** true: only flagged items; false: only unflagged. */
  readonly flagged?: boolean;
}

export interface OverrideRepeatFilter extends AuditFilter {
  readonly decision?: RepeatDecision;
}

export interface Paging {
  /** 1..1000, default 100. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export function hasCardFacet(filter: CardFacet): boolean {
  return (
    filter.advisor !== undefined ||
    filter.ruleId !== undefined ||
    filter.model !== undefined ||
    filter.indicator !== undefined
  );
}
