/** Read side for the safety dashboard and the audit API: filtered, keyset-paged (newest first), and summaries. */
import { CompiledQuery, type Kysely } from 'kysely';
import type { AdvisorName, Severity } from '../findings/types.js';
import { AppError } from '../errors.js';
import { codingOf, toStoredCard, toStoredFeedback, toStoredInvocation } from './rows.js';
import type { Database } from './schema.js';
import type {
  AuditSummary,
  CardQuery,
  FeedbackQuery,
  InvocationOutcome,
  InvocationQuery,
  OverrideScope,
  Page,
  SelectionOverride,
  ServiceSummary,
  StoredCard,
  StoredFeedback,
  StoredInvocation,
  TimeRange,
} from './types.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_LIMIT);
}

function badCursor(): AppError {
  return new AppError('validation_failed', 'Invalid cursor', [
    { path: '/cursor', message: 'is not a cursor from a previous page' },
  ]);
}

function seqCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq) || seq < 0) throw badCursor();
  return seq;
}

function page<T>(rows: readonly T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}

export async function listInvocations(
  db: Kysely<Database>,
  q: InvocationQuery = {},
): Promise<Page<StoredInvocation>> {
  const limit = limitOf(q.limit);
  let query = db.selectFrom('invocations').selectAll();
  if (q.serviceId !== undefined) query = query.where('service_id', '=', q.serviceId);
  if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
  if (q.patientPseudonym !== undefined) query = query.where('patient_pseudonym', '=', q.patientPseudonym);
  if (q.hookInstance !== undefined) query = query.where('hook_instance', '=', q.hookInstance);
  if (q.from) query = query.where('started_at', '>=', q.from.toISOString());
  if (q.to) query = query.where('started_at', '<', q.to.toISOString());
  if (q.cursor !== undefined) query = query.where('seq', '<', seqCursor(q.cursor));
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  return page(rows.map(toStoredInvocation), limit, (last) => String(last.seq));
}

export async function listCards(db: Kysely<Database>, q: CardQuery = {}): Promise<Page<StoredCard>> {
  const limit = limitOf(q.limit);
  let query = db.selectFrom('cards').selectAll();
  if (q.serviceId !== undefined) query = query.where('service_id', '=', q.serviceId);
  if (q.advisor !== undefined) query = query.where('advisor', '=', q.advisor);
  if (q.indicator !== undefined) query = query.where('indicator', '=', q.indicator);
  if (q.hookInstance !== undefined) query = query.where('hook_instance', '=', q.hookInstance);
  if (q.uuid !== undefined) query = query.where('uuid', '=', q.uuid);
  if (q.from) query = query.where('issued_at', '>=', q.from.toISOString());
  if (q.to) query = query.where('issued_at', '<', q.to.toISOString());
  if (q.cursor !== undefined) {
    const match = /^(\d+)\.(\d+)$/.exec(q.cursor);
    if (!match) throw badCursor();
    const seq = Number(match[1]);
    const position = Number(match[2]);
    query = query.where((eb) =>
      eb.or([
        eb('invocation_seq', '<', seq),
        eb.and([eb('invocation_seq', '=', seq), eb('position', '<', position)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('invocation_seq', 'desc')
    .orderBy('position', 'desc')
    .limit(limit + 1)
    .execute();
  const cards = rows.map((row) => ({ row, card: toStoredCard(row) }));
  const result = page(cards, limit, ({ row }) => `${row.invocation_seq}.${row.position}`);
  return { ...result, items: result.items.map(({ card }) => card) };
}

export async function listFeedback(
  db: Kysely<Database>,
  q: FeedbackQuery = {},
): Promise<Page<StoredFeedback>> {
  const limit = limitOf(q.limit);
  let query = db.selectFrom('feedback').selectAll();
  if (q.serviceId !== undefined) query = query.where('service_id', '=', q.serviceId);
  if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
  if (q.cardUuid !== undefined) query = query.where('card_uuid', '=', q.cardUuid);
  if (q.flagged === true) query = query.where('flag', 'is not', null);
  if (q.flagged === false) query = query.where('flag', 'is', null);
  if (q.from) query = query.where('received_at', '>=', q.from.toISOString());
  if (q.to) query = query.where('received_at', '<', q.to.toISOString());
  if (q.cursor !== undefined) query = query.where('seq', '<', seqCursor(q.cursor));
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  return page(rows.map(toStoredFeedback), limit, (last) => String(last.seq));
}

type MutableSummary = { -readonly [K in keyof ServiceSummary]: ServiceSummary[K] } & {
  invocationsByOutcome: Record<InvocationOutcome, number>;
  cardsByAdvisor: Record<AdvisorName, number>;
  cardsByIndicator: Record<Severity, number>;
  durationSum: number;
};

function emptySummary(serviceId: string): MutableSummary {
  return {
    serviceId,
    invocations: 0,
    invocationsByOutcome: { ok: 0, 'precondition-failed': 0, error: 0 },
    meanDurationMs: null,
    maxDurationMs: null,
    durationSum: 0,
    cards: 0,
    cardsByAdvisor: { rules: 0, model: 0 },
    cardsByIndicator: { info: 0, warning: 0, critical: 0 },
    feedback: 0,
    accepted: 0,
    overridden: 0,
    flaggedFeedback: 0,
  };
}

export async function summarize(db: Kysely<Database>, range: TimeRange = {}): Promise<AuditSummary> {
  const from = range.from?.toISOString();
  const to = range.to?.toISOString();
  let invocations = db
    .selectFrom('invocations')
    .select((eb) => [
      'service_id',
      'outcome',
      eb.fn.countAll().as('n'),
      eb.fn.sum<number>('duration_ms').as('total'),
      eb.fn.max('duration_ms').as('max'),
    ])
    .groupBy(['service_id', 'outcome']);
  let cards = db
    .selectFrom('cards')
    .select((eb) => ['service_id', 'advisor', 'indicator', eb.fn.countAll().as('n')])
    .groupBy(['service_id', 'advisor', 'indicator']);
  let feedback = db
    .selectFrom('feedback')
    .select((eb) => [
      'service_id',
      'outcome',
      eb('flag', 'is not', null).as('flagged'),
      eb.fn.countAll().as('n'),
    ])
    .groupBy(['service_id', 'outcome', 'flagged']);
  if (from) {
    invocations = invocations.where('started_at', '>=', from);
    cards = cards.where('issued_at', '>=', from);
    feedback = feedback.where('received_at', '>=', from);
  }
  if (to) {
    invocations = invocations.where('started_at', '<', to);
    cards = cards.where('issued_at', '<', to);
    feedback = feedback.where('received_at', '<', to);
  }
  const [invocationRows, cardRows, feedbackRows] = await Promise.all([
    invocations.execute(),
    cards.execute(),
    feedback.execute(),
  ]);

  const byService = new Map<string, MutableSummary>();
  const of = (id: string): MutableSummary => {
    let s = byService.get(id);
    if (!s) byService.set(id, (s = emptySummary(id)));
    return s;
  };
  for (const row of invocationRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.invocations += n;
    s.invocationsByOutcome[row.outcome as InvocationOutcome] += n;
    s.durationSum += Number(row.total ?? 0);
    const max = row.max === null ? null : Number(row.max);
    if (max !== null) s.maxDurationMs = Math.max(s.maxDurationMs ?? max, max);
  }
  for (const row of cardRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.cards += n;
    s.cardsByAdvisor[row.advisor as AdvisorName] += n;
    s.cardsByIndicator[row.indicator as Severity] += n;
  }
  for (const row of feedbackRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.feedback += n;
    if (row.outcome === 'accepted') s.accepted += n;
    else s.overridden += n;
    // SQLite answers 0/1, PostgreSQL a boolean.
    if (row.flagged === true || Number(row.flagged) === 1) s.flaggedFeedback += n;
  }
  const services = [...byService.values()]
    .sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1))
    .map(({ durationSum, ...s }) => ({
      ...s,
      meanDurationMs: s.invocations > 0 ? durationSum / s.invocations : null,
    }));
  return { from: from ?? null, to: to ?? null, services };
}

/**
 * The override lookup runs on every order-sign call: its SQL is built and compiled once per database, and each call
 * only binds its values (building and compiling the query cost more than SQLite running it). The slots are
 * placeholder values no caller can send (they start with NUL, which the store never keeps).
 */
const SLOT = {
  patient: '\u0000patient',
  user: '\u0000user',
  client: '\u0000client',
  since: '\u0000since',
} as const;

interface SelectionOverrideRow {
  readonly card_uuid: string;
  readonly finding_key: string | null;
  readonly draft_orders: string | null;
  readonly covers: string | null;
  readonly indicator: string;
  readonly reason_system: string | null;
  readonly reason_code: string | null;
  readonly reason_display: string | null;
  readonly outcome_at: string;
}

const selectionOverridesSql = new WeakMap<Kysely<Database>, CompiledQuery<SelectionOverrideRow>>();

function selectionOverridesTemplate(db: Kysely<Database>): CompiledQuery<SelectionOverrideRow> {
  let compiled = selectionOverridesSql.get(db);
  if (!compiled) {
    compiled = db
      .selectFrom('invocations')
      .innerJoin('cards', 'cards.invocation_seq', 'invocations.seq')
      .innerJoin('feedback', 'feedback.card_uuid', 'cards.uuid')
      .select([
        'cards.uuid as card_uuid',
        'cards.finding_key',
        'cards.draft_orders',
        'cards.covers',
        'cards.indicator',
        'feedback.reason_system',
        'feedback.reason_code',
        'feedback.reason_display',
        'feedback.outcome_at',
      ])
      .where('invocations.patient_pseudonym', '=', SLOT.patient)
      .where('invocations.user_pseudonym', '=', SLOT.user)
      .where('invocations.client_pseudonym', '=', SLOT.client)
      .where('invocations.hook', '=', 'order-select')
      .where('invocations.started_at', '>=', SLOT.since)
      .where('feedback.outcome', '=', 'overridden')
      .where('feedback.reason_system', 'is not', null)
      .where('feedback.reason_code', 'is not', null)
      // Sent by the client that got the card, to the service that issued it.
      .whereRef('feedback.client_pseudonym', '=', 'invocations.client_pseudonym')
      .whereRef('feedback.service_id', '=', 'cards.service_id')
      .where('cards.finding_key', 'is not', null)
      .where('cards.draft_orders', 'is not', null)
      .orderBy('feedback.outcome_at', 'desc')
      .compile();
    selectionOverridesSql.set(db, compiled);
  }
  return compiled;
}

/**
 * Overrides given with a coded reason on cards of this user's order-select calls for this patient, from this EHR
 * client, since a time (the call's start), newest override first.
 */
export async function selectionOverrides(
  db: Kysely<Database>,
  scope: OverrideScope,
  since: Date,
): Promise<SelectionOverride[]> {
  const template = selectionOverridesTemplate(db);
  const values: Readonly<Record<string, string>> = {
    [SLOT.patient]: scope.patientPseudonym,
    [SLOT.user]: scope.userPseudonym,
    [SLOT.client]: scope.clientPseudonym,
    [SLOT.since]: since.toISOString(),
  };
  const parameters = template.parameters.map((p) => (typeof p === 'string' ? (values[p] ?? p) : p));
  const { rows } = await db.executeQuery<SelectionOverrideRow>(CompiledQuery.raw(template.sql, parameters));
  const out: SelectionOverride[] = [];
  for (const row of rows) {
    if (row.finding_key === null || row.draft_orders === null) continue;
    if (row.reason_system === null || row.reason_code === null) continue;
    out.push({
      cardUuid: row.card_uuid,
      findingKey: row.finding_key,
      draftOrders: JSON.parse(row.draft_orders) as string[],
      ...(row.covers !== null && { covers: JSON.parse(row.covers) as string[] }),
      indicator: row.indicator as Severity,
      reason: codingOf(row.reason_system, row.reason_code, row.reason_display),
      overriddenAt: row.outcome_at,
    });
  }
  return out;
}
