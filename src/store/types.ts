/**
 * The store: audit trail (invocations, cards), feedback, and shared runtime settings. The service talks to it
 * only through this interface; SQLite (default) and PostgreSQL implement it (issue: feedback and audit trail).
 */
import type { AdvisorStatus, AiMode, DataGap, ModelItemTrace, ModelTrace } from '../advisors/types.js';
import type { AdvisorName, Severity } from '../findings/types.js';
import type { SuggestionSummary } from '../findings/suggestionSummary.js';
import type { Coding, HookName, PrefetchKey } from '../cds/types.js';
import type { AuditReader } from './read/port.js';

export type InvocationOutcome = 'ok' | 'precondition-failed' | 'error';

export interface AdvisorRunRecord {
  readonly advisor: AdvisorName;
  readonly status: AdvisorStatus;
  readonly latencyMs: number;
  readonly findings: number;
}

/** One card as issued: what the safety team needs to trace it, and nothing from the chart's free text. */
export interface CardRecord {
  readonly uuid: string;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly advisor: AdvisorName;
  readonly ruleId?: string;
  readonly model?: string;
  readonly promptVersion?: string;
  readonly indicator: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly suggestionUuids: readonly string[];
  /** The finding's identity (e.g. `interaction:ibuprofen|warfarin`): links an override to later repeats. */
  readonly findingKey?: string;
  /** The draft orders (`MedicationRequest/id`) the finding concerns, sorted; empty or absent: none. */
  readonly draftOrders?: readonly string[];
  /**
   * The narrower finding keys the card speaks for (one card for a drug's several interactions: each pair's key);
   * absent when it speaks only for its own key.
   */
  readonly covers?: readonly string[];
  /**
   * What each suggestion would do, PHI-free (`src/findings/suggestionSummary.ts`), in the card's order: what a
   * clinician's acceptance ordered or changed. Absent when the card offered none.
   */
  readonly suggestions?: readonly SuggestionSummary[];
}

/** A prefetch key that could be had neither from the request nor from the FHIR server, and why. */
export interface UnavailableData {
  readonly key: PrefetchKey;
  /** Machine-made, never PHI: e.g. `the prefetch held an OperationOutcome`, `no fhirServer was given`. */
  readonly reason: string;
}

/**
 * An override a clinician gave, with a coded reason, on an order-select card: what may quiet the same finding on
 * the same draft orders at order-sign.
 */
export interface SelectionOverride {
  /** The order-select card overridden. */
  readonly cardUuid: string;
  readonly findingKey: string;
  readonly draftOrders: readonly string[];
  /** The narrower keys the overridden card spoke for; absent: only its own key. */
  readonly covers?: readonly string[];
  /** The overridden card's indicator: nothing more severe is left out on its strength. */
  readonly indicator: Severity;
  readonly reason: Coding;
  /** The feedback's outcomeTimestamp, UTC ISO 8601. */
  readonly overriddenAt: string;
}

/** An override as a repeat's audit record names it. */
export type RepeatOverride = Omit<SelectionOverride, 'covers' | 'indicator'>;

/** Whose overrides count: the same EHR client and tenant, the same user, the same patient (all pseudonyms). */
export interface OverrideScope {
  readonly clientPseudonym: string;
  readonly userPseudonym: string;
  readonly patientPseudonym: string;
}

/** `suppressed`: left out of the answer; `shown`: shown again all the same (critical findings are never left out). */
export type RepeatDecision = 'suppressed' | 'shown';

/** An order-sign finding that repeats one overridden at order-select, and what was done with it. */
export interface OverrideRepeatRecord {
  readonly decision: RepeatDecision;
  readonly findingKey: string;
  readonly advisor: AdvisorName;
  readonly ruleId?: string;
  readonly model?: string;
  readonly indicator: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly draftOrders: readonly string[];
  /** The card shown, when `shown`. */
  readonly cardUuid?: string;
  /** The override it rests on (which card, when, why; the card's own keys and indicator are on its record). */
  readonly override: RepeatOverride;
}

/**
 * What became of a model item in the hook call: `shown` as its own card, `folded` into a rule card that says the
 * same, `shadow` (audited, never shown), `not-shown` (below the service's minimum severity, left out as a repeat
 * of an override, or failed outgoing validation), `dropped` by the guards.
 */
export type AiItemOutcome = 'shown' | 'folded' | 'shadow' | 'not-shown' | 'dropped';

export interface AiItemRecord extends ModelItemTrace {
  readonly outcome: AiItemOutcome;
  /** The card it became (`shown`) or folded into (`folded`). */
  readonly cardUuid?: string;
}

/** The model's side of one hook call, enough to reconstruct why each AI card appeared (or would have). */
export interface AiAdviceRecord extends Omit<ModelTrace, 'items'> {
  readonly items: readonly AiItemRecord[];
}

export interface InvocationRecord {
  readonly hookInstance: string;
  readonly serviceId: string;
  readonly hook: HookName;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly outcome: InvocationOutcome;
  /** Keyed pseudonym (HMAC) of the patient id: groups cases without storing the id. */
  readonly patientPseudonym: string;
  /** Keyed pseudonym of the EHR client (issuer and tenant). */
  readonly clientPseudonym?: string;
  /** Keyed pseudonym of `context.userId`. */
  readonly userPseudonym?: string;
  readonly advisors: readonly AdvisorRunRecord[];
  readonly cards: readonly CardRecord[];
  readonly missingData?: readonly UnavailableData[];
  readonly dataGaps?: readonly DataGap[];
  readonly overrideRepeats?: readonly OverrideRepeatRecord[];
  /** Present when the model's answer was used (shown or shadowed). */
  readonly aiAdvice?: AiAdviceRecord;
}

/**
 * How a wait for an audit record's write ended: `written` (durable), `queued` (the store failed; the record waits
 * in the queue for the next try), `rejected` (the store refused this record), `dropped` (the queue was full or
 * closed), `deadline` (the caller stopped waiting; the record is still queued).
 */
export type AuditWriteOutcome = 'written' | 'queued' | 'rejected' | 'dropped' | 'deadline';

/** Sink for audit records. `record` never blocks and never throws: the hook's answer must not wait on it. */
export interface AuditSink {
  record(invocation: InvocationRecord): void;
  /**
   * Queues the record like `record`, and resolves once it is written, or its write has failed (it stays queued), or
   * `signal` aborts: for AUDIT_BEFORE_ANSWER, where the answer waits for its audit row. Never rejects.
   */
  recordDurably(invocation: InvocationRecord, signal: AbortSignal): Promise<AuditWriteOutcome>;
  /** Writes whatever is queued; called on graceful shutdown. Rejects if the queue cannot be written in time. */
  flush(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback (https://cds-hooks.hl7.org/2.0/#feedback)

export type FeedbackOutcome = 'accepted' | 'overridden';

/** One feedback item as the EHR sends it, after schema validation. */
export interface FeedbackItem {
  readonly card: string;
  readonly outcome: FeedbackOutcome;
  readonly acceptedSuggestions?: readonly { readonly id: string }[];
  readonly overrideReason?: { readonly reason?: Coding; readonly userComment?: string };
  readonly outcomeTimestamp: string;
}

/**
 * Why a stored item deserves a second look. Feedback is never refused for these: the EHR must not retry it, and
 * the safety team wants to see it.
 */
export type FeedbackFlag = 'unknown-card' | 'other-service' | 'unknown-suggestion';

export interface FeedbackWriteResult {
  /** Items newly stored by this call. */
  readonly stored: number;
  /** Items already on record (same identity), not stored again. */
  readonly duplicates: number;
  /** Newly stored items that carry a flag. */
  readonly flagged: number;
}

export interface StoredFeedback {
  readonly seq: number;
  readonly serviceId: string;
  readonly cardUuid: string;
  readonly outcome: FeedbackOutcome;
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason: Coding | null;
  /** Clinician free text: kept for the safety team, never logged. */
  readonly userComment: string | null;
  /** As sent by the EHR. */
  readonly outcomeTimestamp: string;
  /** The same instant, normalized to UTC ISO 8601 with milliseconds. */
  readonly outcomeAt: string;
  readonly receivedAt: string;
  readonly flag: FeedbackFlag | null;
}

export interface FeedbackStore {
  /**
   * Stores every item of one request in one transaction (all or nothing), idempotently. Resolves only once the
   * write is durable. Throws `AppError('service_unavailable')` when the store cannot be reached.
   */
  recordFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
    /** Keyed pseudonym of the EHR client that sent the items: only its overrides quiet its own cards. */
    clientPseudonym?: string,
  ): Promise<FeedbackWriteResult>;
}

// ---------------------------------------------------------------------------------------------------------------
// What the audit trail's read side (`src/store/read/`) answers. Newest first; `cursor` pages on.

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  readonly nextCursor?: string;
}

export interface TimeRange {
  /** Inclusive lower bound (ISO 8601 or Date). */
  readonly from?: Date;
  /** Exclusive upper bound. */
  readonly to?: Date;
}

export interface StoredInvocation {
  readonly seq: number;
  readonly hookInstance: string;
  readonly serviceId: string;
  readonly hook: HookName;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: InvocationOutcome;
  readonly patientPseudonym: string;
  readonly clientPseudonym: string | null;
  readonly userPseudonym: string | null;
  readonly advisors: readonly AdvisorRunRecord[];
  readonly cardCount: number;
  readonly recordedAt: string;
  /** Prefetch keys that could not be obtained (empty: none, or recorded before this was). */
  readonly missingData: readonly UnavailableData[];
  /** Checks that could not run on a reviewed drug for lack of that data. */
  readonly dataGaps: readonly DataGap[];
}

export interface StoredOverrideRepeat {
  readonly invocationSeq: number;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly decision: RepeatDecision;
  readonly findingKey: string;
  readonly advisor: AdvisorName;
  readonly ruleId: string | null;
  readonly model: string | null;
  readonly indicator: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly draftOrders: readonly string[];
  readonly cardUuid: string | null;
  readonly overrideCardUuid: string;
  readonly overrideReason: Coding;
  readonly overriddenAt: string;
  readonly issuedAt: string;
}

export interface StoredCard {
  readonly uuid: string;
  readonly invocationSeq: number;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly advisor: AdvisorName;
  readonly ruleId: string | null;
  readonly model: string | null;
  readonly promptVersion: string | null;
  readonly indicator: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly suggestionUuids: readonly string[];
  readonly issuedAt: string;
  /**
   * What each suggestion would do (see CardRecord.suggestions); null when the card offered none, or was recorded
   * before the audit kept them (migration 007).
   */
  readonly suggestions: readonly SuggestionSummary[] | null;
}

export interface ServiceSummary {
  readonly serviceId: string;
  readonly invocations: number;
  readonly invocationsByOutcome: Readonly<Record<InvocationOutcome, number>>;
  readonly meanDurationMs: number | null;
  readonly maxDurationMs: number | null;
  readonly cards: number;
  readonly cardsByAdvisor: Readonly<Record<AdvisorName, number>>;
  readonly cardsByIndicator: Readonly<Record<Severity, number>>;
  readonly feedback: number;
  readonly accepted: number;
  readonly overridden: number;
  readonly flaggedFeedback: number;
}

export interface AuditSummary {
  readonly from: string | null;
  readonly to: string | null;
  readonly services: readonly ServiceSummary[];
}

// ---------------------------------------------------------------------------------------------------------------
// Tamper evidence

export type ChainName = 'invocations' | 'feedback';

export interface ChainBreak {
  readonly chain: ChainName;
  readonly seq: number;
  readonly reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'sequence-gap' | 'head-mismatch';
  readonly message: string;
}

export interface ChainReport {
  readonly ok: boolean;
  /** Rows checked per chain. */
  readonly checked: Readonly<Record<ChainName, number>>;
  /** The first broken link of each broken chain. */
  readonly breaks: readonly ChainBreak[];
}

// ---------------------------------------------------------------------------------------------------------------
// Settings shared by every instance

export interface SettingsStore {
  /**
   * Model advice for a service: `off`, `shadow` (asked and audited, never shown) or `on` (the default). Cached for
   * about a second so the hook path rarely waits on the store, and never waits more than ~250 ms; never throws:
   * when the store is slow or down it answers with the last value it read, or `off` (rules only) if it never read
   * one.
   */
  getAiMode(serviceId: string): Promise<AiMode>;
  /**
   * Overrides with a coded reason, sent by the same EHR client, on cards of order-select calls made at or after
   * `since` by this user of this client for this patient: what order-sign need not repeat (alert-fatigue control).
   */
  selectionOverrides(scope: OverrideScope, since: Date): Promise<readonly SelectionOverride[]>;
  /** Durable and visible to every instance; the change is recorded (who, when) and logged with its actor. */
  setAiMode(serviceId: string, mode: AiMode, actor: string): Promise<void>;
  /**
   * Remembers a JWT id until it expires. True when the (issuer, jti) pair was not seen before: the token is
   * fresh; false means a replay. Throws `AppError('service_unavailable')` when the store cannot be reached.
   */
  rememberJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean>;
}

export interface Store extends FeedbackStore, SettingsStore {
  readonly audit: AuditSink;
  /** The audit trail's read side, where the store is a SQL store (the audit API answers 503 without it). */
  readonly read?: AuditReader;
  /**
   * Key for patient pseudonyms (`PSEUDONYM_KEY`, or one generated once and kept in the store so pseudonyms stay
   * stable across restarts and instances).
   */
  readonly pseudonymKey: string;
  /** Checks the hash chains of the audit rows. */
  verifyChain(): Promise<ChainReport>;
  /** True when the store answers a trivial query. Drives `/readyz`. */
  ping(): Promise<boolean>;
  /** Flushes the audit queue, stops timers and closes connections. */
  close(): Promise<void>;
}
