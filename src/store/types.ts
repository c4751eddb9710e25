/**
 * The store: audit trail (invocations, cards), feedback, and shared runtime settings. The service talks to it
 * only through this interface; SQLite (default) and PostgreSQL implement it (issue: feedback and audit trail).
 */
import type { AdvisorName, AdvisorStatus, Severity } from '../advisors/types.js';
import type { HookName } from '../cds/types.js';

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
  readonly advisors: readonly AdvisorRunRecord[];
  readonly cards: readonly CardRecord[];
}

/** Sink for audit records. `record` never blocks and never throws: the hook's answer must not wait on it. */
export interface AuditSink {
  record(invocation: InvocationRecord): void;
  /** Writes whatever is queued; called on graceful shutdown. */
  flush(): Promise<void>;
}

export interface Store {
  readonly audit: AuditSink;
  /** True when the store answers a trivial query. Drives `/readyz`. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
