/**
 * Records ⇄ rows, and the content each chain link hashes. Both directions live here so that what is written and
 * what the verifier recomputes cannot drift apart.
 */
import type { Coding } from '../cds/types.js';
import type {
  AiAdviceTable,
  CardsTable,
  FeedbackTable,
  InvocationsTable,
  OverrideRepeatsTable,
} from './schema.js';
import type {
  AdvisorRunRecord,
  AiAdviceRecord,
  AiItemRecord,
  CardRecord,
  FeedbackFlag,
  FeedbackOutcome,
  InvocationOutcome,
  InvocationRecord,
  RepeatDecision,
  StoredCard,
  StoredFeedback,
  StoredInvocation,
  StoredOverrideRepeat,
  UnavailableData,
} from './types.js';
import type { DataGap } from '../advisors/types.js';
import type { AdvisorName, Severity } from '../findings/types.js';
import type { SuggestionSummary } from '../findings/suggestionSummary.js';
import type { HookName } from '../cds/types.js';

type Unchained<T> = Omit<T, 'prev_hash' | 'hash'>;

/** PostgreSQL text cannot hold NUL; dropping it keeps both dialects storing the same string. */
export function clean(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : -1;
}

function optional(text: string | undefined): string | null {
  return text === undefined ? null : clean(text);
}

/** A list kept as JSON text; an empty or absent list is null (nothing to say, and old rows read alike). */
function jsonList(items: readonly unknown[] | undefined): string | null {
  return items && items.length > 0 ? JSON.stringify(items) : null;
}

function parseList<T>(text: string | null): T[] {
  return text === null ? [] : (JSON.parse(text) as T[]);
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
    client_pseudonym: optional(record.clientPseudonym),
    user_pseudonym: optional(record.userPseudonym),
    missing_data: jsonList(record.missingData),
    data_gaps: jsonList(record.dataGaps),
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
    draft_orders: jsonList(card.draftOrders?.map(clean)),
    covers: jsonList(card.covers?.map(clean)),
    suggestion_summaries: card.suggestions?.length ? clean(JSON.stringify(card.suggestions)) : null,
  }));
}

export function overrideRepeatRows(record: InvocationRecord, seq: number): OverrideRepeatsTable[] {
  const issuedAt = record.startedAt.toISOString();
  return (record.overrideRepeats ?? []).map((repeat, position) => ({
    invocation_seq: seq,
    position,
    service_id: clean(record.serviceId),
    hook_instance: clean(record.hookInstance),
    decision: repeat.decision,
    finding_key: clean(repeat.findingKey),
    advisor: repeat.advisor,
    rule_id: optional(repeat.ruleId),
    model: optional(repeat.model),
    indicator: repeat.indicator,
    summary: clean(repeat.summary),
    evidence: JSON.stringify(repeat.evidence.map(clean)),
    draft_orders: JSON.stringify(repeat.draftOrders.map(clean)),
    card_uuid: optional(repeat.cardUuid),
    override_card_uuid: clean(repeat.override.cardUuid),
    override_reason_system: clean(repeat.override.reason.system),
    override_reason_code: clean(repeat.override.reason.code),
    override_reason_display: optional(repeat.override.reason.display),
    overridden_at: clean(repeat.override.overriddenAt),
    issued_at: issuedAt,
  }));
}

/** The model's side of the call, when its answer was used; JSON text is cleaned of NUL like every string. */
export function aiAdviceRow(record: InvocationRecord, seq: number): AiAdviceTable | undefined {
  const advice = record.aiAdvice;
  if (!advice) return undefined;
  return {
    invocation_seq: seq,
    service_id: clean(record.serviceId),
    hook_instance: clean(record.hookInstance),
    issued_at: record.startedAt.toISOString(),
    mode: advice.mode,
    endpoint_kind: clean(advice.endpointKind),
    deployment: clean(advice.deployment),
    model_version: clean(advice.modelVersion),
    prompt_version: clean(advice.promptVersion),
    served_from: advice.servedFrom,
    answered_at: clean(advice.answeredAt),
    input: clean(JSON.stringify(advice.input)),
    items: clean(JSON.stringify(advice.items)),
    invalid_items: advice.invalidItems,
  };
}

/** A stored AI record, with the call it belongs to. */
export interface StoredAiAdvice extends AiAdviceRecord {
  readonly invocationSeq: number;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly issuedAt: string;
}

export function toStoredAiAdvice(row: AiAdviceTable): StoredAiAdvice {
  return {
    invocationSeq: row.invocation_seq,
    serviceId: row.service_id,
    hookInstance: row.hook_instance,
    issuedAt: row.issued_at,
    mode: row.mode as AiAdviceRecord['mode'],
    endpointKind: row.endpoint_kind,
    deployment: row.deployment,
    modelVersion: row.model_version,
    promptVersion: row.prompt_version,
    servedFrom: row.served_from as AiAdviceRecord['servedFrom'],
    answeredAt: row.answered_at,
    input: JSON.parse(row.input) as AiAdviceRecord['input'],
    items: JSON.parse(row.items) as AiItemRecord[],
    invalidItems: Number(row.invalid_items),
  };
}

const AI_ADVICE_COLUMNS = [
  'mode',
  'endpoint_kind',
  'deployment',
  'model_version',
  'prompt_version',
  'served_from',
  'answered_at',
  'input',
  'items',
  'invalid_items',
] as const;

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
function withSet<T extends object>(
  content: Record<string, unknown>,
  row: T,
  columns: readonly (keyof T & string)[],
): Record<string, unknown> {
  for (const column of columns) {
    const value = row[column];
    if (value !== null && value !== undefined) content[column] = value;
  }
  return content;
}

function cardContent(card: CardsTable): Record<string, unknown> {
  return withSet(pick(card, CARD_COLUMNS), card, [
    'finding_key',
    'draft_orders',
    'covers',
    'suggestion_summaries',
  ]);
}

const OVERRIDE_REPEAT_COLUMNS = [
  'position',
  'service_id',
  'hook_instance',
  'decision',
  'finding_key',
  'advisor',
  'rule_id',
  'model',
  'indicator',
  'summary',
  'evidence',
  'draft_orders',
  'card_uuid',
  'override_card_uuid',
  'override_reason_system',
  'override_reason_code',
  'override_reason_display',
  'overridden_at',
  'issued_at',
] as const;

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

const byPosition = <T extends { position: number }>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => a.position - b.position);

/**
 * What an invocation link hashes: its row, its cards, its override repeats and its AI record, so editing any of
 * them breaks the chain too.
 */
export function invocationContent(
  row: Unchained<InvocationsTable>,
  cards: readonly CardsTable[],
  repeats: readonly OverrideRepeatsTable[] = [],
  aiAdvice?: AiAdviceTable,
): unknown {
  const content = withSet(pick(row, INVOCATION_COLUMNS), row, [
    'client_pseudonym',
    'user_pseudonym',
    'missing_data',
    'data_gaps',
  ]);
  content.cards = byPosition(cards).map(cardContent);
  if (repeats.length > 0) {
    content.override_repeats = byPosition(repeats).map((r) => pick(r, OVERRIDE_REPEAT_COLUMNS));
  }
  if (aiAdvice)
    content.ai_advice = {
      ...pick(aiAdvice, AI_ADVICE_COLUMNS),
      invalid_items: Number(aiAdvice.invalid_items),
    };
  return content;
}

export function feedbackContent(row: Unchained<FeedbackTable>): unknown {
  return withSet(pick(row, FEEDBACK_COLUMNS), row, ['client_pseudonym']);
}

/** A coding as stored in three columns; the display only when there is one. */
export function codingOf(system: string, code: string, display: string | null): Coding {
  return display === null ? { system, code } : { system, code, display };
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
    clientPseudonym: row.client_pseudonym ?? null,
    userPseudonym: row.user_pseudonym ?? null,
    advisors: JSON.parse(row.advisors) as AdvisorRunRecord[],
    cardCount: row.card_count,
    recordedAt: row.recorded_at,
    missingData: parseList<UnavailableData>(row.missing_data ?? null),
    dataGaps: parseList<DataGap>(row.data_gaps ?? null),
  };
}

export function toStoredOverrideRepeat(row: OverrideRepeatsTable): StoredOverrideRepeat {
  return {
    invocationSeq: row.invocation_seq,
    serviceId: row.service_id,
    hookInstance: row.hook_instance,
    decision: row.decision as RepeatDecision,
    findingKey: row.finding_key,
    advisor: row.advisor as AdvisorName,
    ruleId: row.rule_id,
    model: row.model,
    indicator: row.indicator as Severity,
    summary: row.summary,
    evidence: JSON.parse(row.evidence) as string[],
    draftOrders: JSON.parse(row.draft_orders) as string[],
    cardUuid: row.card_uuid,
    overrideCardUuid: row.override_card_uuid,
    overrideReason: codingOf(
      row.override_reason_system,
      row.override_reason_code,
      row.override_reason_display,
    ),
    overriddenAt: row.overridden_at,
    issuedAt: row.issued_at,
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
    suggestions:
      row.suggestion_summaries === null || row.suggestion_summaries === undefined
        ? null
        : (JSON.parse(row.suggestion_summaries) as SuggestionSummary[]),
  };
}

export function toStoredFeedback(row: FeedbackTable): StoredFeedback {
  const reason: Coding | null =
    row.reason_system !== null && row.reason_code !== null
      ? codingOf(row.reason_system, row.reason_code, row.reason_display)
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
