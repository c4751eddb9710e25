/**
 * Records ⇄ rows, and the content each chain link hashes. Both directions live here so that what is written and
 * what the verifier recomputes cannot drift apart.
 */
import type { Coding } from '../cds/types.js';
import type { CardsTable, FeedbackTable, InvocationsTable } from './schema.js';
import type {
  AdvisorRunRecord,
  CardRecord,
  FeedbackFlag,
  FeedbackOutcome,
  InvocationOutcome,
  InvocationRecord,
  StoredCard,
  StoredFeedback,
  StoredInvocation,
} from './types.js';
import type { AdvisorName, Severity } from '../advisors/types.js';
import type { HookName } from '../cds/types.js';

type Unchained<T> = Omit<T, 'prev_hash' | 'hash'>;

/** PostgreSQL text cannot hold NUL; dropping it keeps both dialects storing the same string. */
export function clean(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : -1;
}

export function invocationRow(
  record: InvocationRecord,
  seq: number,
  recordedAt: string,
): Unchained<InvocationsTable> {
  const advisors = record.advisors.map((a) => ({
    advisor: a.advisor,
    status: a.status,
    latencyMs: finite(a.latencyMs),
    findings: a.findings,
  }));
  return {
    seq,
    hook_instance: clean(record.hookInstance),
    service_id: clean(record.serviceId),
    hook: record.hook,
    started_at: record.startedAt.toISOString(),
    duration_ms: finite(record.durationMs),
    outcome: record.outcome,
    patient_pseudonym: clean(record.patientPseudonym),
    advisors: JSON.stringify(advisors),
    card_count: record.cards.length,
    recorded_at: recordedAt,
  };
}

export function cardRows(record: InvocationRecord, seq: number): CardsTable[] {
  const issuedAt = record.startedAt.toISOString();
  return record.cards.map((card: CardRecord, position) => ({
    invocation_seq: seq,
    position,
    uuid: clean(card.uuid),
    service_id: clean(card.serviceId),
    hook_instance: clean(card.hookInstance),
    advisor: card.advisor,
    rule_id: card.ruleId === undefined ? null : clean(card.ruleId),
    model: card.model === undefined ? null : clean(card.model),
    prompt_version: card.promptVersion === undefined ? null : clean(card.promptVersion),
    indicator: card.indicator,
    summary: clean(card.summary),
    evidence: JSON.stringify(card.evidence.map(clean)),
    suggestion_uuids: JSON.stringify(card.suggestionUuids.map(clean)),
    issued_at: issuedAt,
    finding_key: card.findingKey === undefined ? null : clean(card.findingKey),
  }));
}

const INVOCATION_COLUMNS = [
  'seq',
  'hook_instance',
  'service_id',
  'hook',
  'started_at',
  'duration_ms',
  'outcome',
  'patient_pseudonym',
  'advisors',
  'card_count',
  'recorded_at',
] as const;

const CARD_COLUMNS = [
  'invocation_seq',
  'position',
  'uuid',
  'service_id',
  'hook_instance',
  'advisor',
  'rule_id',
  'model',
  'prompt_version',
  'indicator',
  'summary',
  'evidence',
  'suggestion_uuids',
  'issued_at',
] as const;

/** Columns added after the first release are hashed only when set, so rows chained before them still verify. */
function cardContent(card: CardsTable): Record<string, unknown> {
  const content = pick(card, CARD_COLUMNS);
  if (card.finding_key !== null && card.finding_key !== undefined) content.finding_key = card.finding_key;
  return content;
}

const FEEDBACK_COLUMNS = [
  'seq',
  'item_key',
  'service_id',
  'card_uuid',
  'outcome',
  'accepted_suggestions',
  'reason_system',
  'reason_code',
  'reason_display',
  'user_comment',
  'outcome_timestamp',
  'outcome_at',
  'received_at',
  'flag',
] as const;

function pick<T extends object>(row: T, columns: readonly (keyof T)[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}

/** What an invocation link hashes: its row and its cards, so editing a card breaks the chain too. */
export function invocationContent(row: Unchained<InvocationsTable>, cards: readonly CardsTable[]): unknown {
  const sorted = [...cards].sort((a, b) => a.position - b.position);
  return { ...pick(row, INVOCATION_COLUMNS), cards: sorted.map(cardContent) };
}

export function feedbackContent(row: Unchained<FeedbackTable>): unknown {
  return pick(row, FEEDBACK_COLUMNS);
}

export function toStoredInvocation(row: InvocationsTable): StoredInvocation {
  return {
    seq: row.seq,
    hookInstance: row.hook_instance,
    serviceId: row.service_id,
    hook: row.hook as HookName,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    outcome: row.outcome as InvocationOutcome,
    patientPseudonym: row.patient_pseudonym,
    advisors: JSON.parse(row.advisors) as AdvisorRunRecord[],
    cardCount: row.card_count,
    recordedAt: row.recorded_at,
  };
}

export function toStoredCard(row: CardsTable): StoredCard {
  return {
    uuid: row.uuid,
    invocationSeq: row.invocation_seq,
    serviceId: row.service_id,
    hookInstance: row.hook_instance,
    advisor: row.advisor as AdvisorName,
    ruleId: row.rule_id,
    model: row.model,
    promptVersion: row.prompt_version,
    indicator: row.indicator as Severity,
    summary: row.summary,
    evidence: JSON.parse(row.evidence) as string[],
    suggestionUuids: JSON.parse(row.suggestion_uuids) as string[],
    issuedAt: row.issued_at,
  };
}

export function toStoredFeedback(row: FeedbackTable): StoredFeedback {
  const reason: Coding | null =
    row.reason_system !== null && row.reason_code !== null
      ? {
          system: row.reason_system,
          code: row.reason_code,
          ...(row.reason_display !== null ? { display: row.reason_display } : {}),
        }
      : null;
  return {
    seq: row.seq,
    serviceId: row.service_id,
    cardUuid: row.card_uuid,
    outcome: row.outcome as FeedbackOutcome,
    acceptedSuggestions: JSON.parse(row.accepted_suggestions) as string[],
    overrideReason: reason,
    userComment: row.user_comment,
    outcomeTimestamp: row.outcome_timestamp,
    outcomeAt: row.outcome_at,
    receivedAt: row.received_at,
    flag: row.flag as FeedbackFlag | null,
  };
}
