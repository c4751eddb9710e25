/**
 * Read side of the audit trail over the store's tables: filtered, keyset-paged lists (newest first), one card with
 * everything around it, and row-by-row scans for exports. Rows are converted by the store's own converters
 * (src/store/rows.ts), so the API shows records exactly as the store defines them.
 */
import type { Expression, ExpressionBuilder, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import { AppError } from '../../errors.js';
import {
  type StoredAiAdvice,
  toStoredAiAdvice,
  toStoredCard,
  toStoredFeedback,
  toStoredInvocation,
  toStoredOverrideRepeat,
} from '../rows.js';
import type { Database } from '../schema.js';
import type { Page, StoredCard, StoredFeedback, StoredInvocation, StoredOverrideRepeat } from '../types.js';
import { cardWhere, feedbackWhere, invocationWhere, overrideRepeatWhere } from './conditions.js';
import { type LaterOrder, laterOrdersOf } from './laterOrders.js';
import { labelled } from './reasonLabels.js';
import type {
  CardFilter,
  FeedbackFilter,
  InvocationFilter,
  OverrideRepeatFilter,
  Paging,
} from './filters.js';

export type AuditDb = Kysely<Database>;

export const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Rows per query while an export streams: small enough to stay light, large enough to be quick. */
export const SCAN_PAGE = 500;

/** The page size asked for, within 1..1000 (the API's schema already holds it there). */
function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE);
}

function badCursor(): AppError {
  return new AppError('validation_failed', 'Invalid query parameters', [
    { path: '/query/cursor', message: 'is not a cursor from a previous page' },
  ]);
}

/** Cursors: `seq` for invocations and feedback, `invocationSeq.position` for cards (as the store pages). */
function seqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw badCursor();
  return Number(cursor);
}

function cardCursor(cursor: string | undefined): { seq: number; position: number } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,6})$/.exec(cursor);
  if (!match) throw badCursor();
  return { seq: Number(match[1]), position: Number(match[2]) };
}

/** Tables whose rows hang off an invocation by position: cards and override repeats page alike. */
type Positioned = 'cards' | 'override_repeats';

function olderThan(
  eb: ExpressionBuilder<Database, Positioned>,
  before: { seq: number; position: number },
): Expression<SqlBool> {
  return eb.or([
    eb('invocation_seq', '<', before.seq),
    eb.and([eb('invocation_seq', '=', before.seq), eb('position', '<', before.position)]),
  ]);
}

const positionCursor = (last: { invocation_seq: number; position: number }): string =>
  `${last.invocation_seq}.${last.position}`;

function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}

/** Tables paged by their own `seq`: invocations and feedback page alike. */
type Sequenced = 'invocations' | 'feedback';

/** A table's filter (src/store/read/conditions.ts) as the page helpers apply it. */
type FilterOf<TB extends keyof Database, F> = (
  eb: ExpressionBuilder<Database, TB>,
  filter: F,
) => Expression<SqlBool>;

/** One page, newest first by `seq`, of a table's rows that pass its filter, each converted by `convert`. */
async function seqPage<TB extends Sequenced, Row extends { seq: number }, F, T>(
  table: SelectQueryBuilder<Database, TB, Row>,
  filter: FilterOf<TB, F>,
  q: F & Paging,
  convert: (row: Row) => T,
): Promise<Page<T>> {
  const limit = limitOf(q.limit);
  const before = seqCursor(q.cursor);
  const matching: SelectQueryBuilder<Database, Sequenced, Row> = table.where((eb) => filter(eb, q));
  const query = before === undefined ? matching : matching.where('seq', '<', before);
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  return converted(
    pageOf(rows, limit, (last) => String(last.seq)),
    convert,
  );
}

/** One page, newest first by invocation and position, of a table's rows that pass its filter, each converted. */
async function positionedPage<
  TB extends Positioned,
  Row extends { invocation_seq: number; position: number },
  F,
  T,
>(
  table: SelectQueryBuilder<Database, TB, Row>,
  filter: FilterOf<TB, F>,
  q: F & Paging,
  convert: (row: Row) => T,
): Promise<Page<T>> {
  const limit = limitOf(q.limit);
  const before = cardCursor(q.cursor);
  const matching: SelectQueryBuilder<Database, Positioned, Row> = table.where((eb) => filter(eb, q));
  const query = before === undefined ? matching : matching.where((eb) => olderThan(eb, before));
  const rows = await query
    .orderBy('invocation_seq', 'desc')
    .orderBy('position', 'desc')
    .limit(limit + 1)
    .execute();
  return converted(pageOf(rows, limit, positionCursor), convert);
}

/** The page with its rows converted to the store's records (the cursor stays the row's). */
function converted<Row, T>(page: Page<Row>, convert: (row: Row) => T): Page<T> {
  return { ...page, items: page.items.map(convert) };
}

export async function listInvocations(
  db: AuditDb,
  q: InvocationFilter & Paging,
): Promise<Page<StoredInvocation>> {
  return seqPage(db.selectFrom('invocations').selectAll(), invocationWhere, q, toStoredInvocation);
}

export async function listCards(db: AuditDb, q: CardFilter & Paging): Promise<Page<StoredCard>> {
  return positionedPage(db.selectFrom('cards').selectAll(), cardWhere, q, toStoredCard);
}

export async function listFeedback(db: AuditDb, q: FeedbackFilter & Paging): Promise<Page<StoredFeedback>> {
  return seqPage(db.selectFrom('feedback').selectAll(), feedbackWhere, q, toStoredFeedback);
}

/** Findings at order-sign that repeated one overridden at order-select, newest first (cursor as for cards). */
export async function listOverrideRepeats(
  db: AuditDb,
  q: OverrideRepeatFilter & Paging,
): Promise<Page<StoredOverrideRepeat>> {
  const repeats = db.selectFrom('override_repeats').selectAll();
  return positionedPage(repeats, overrideRepeatWhere, q, toStoredOverrideRepeat);
}

export interface CardResponses {
  readonly accepted: number;
  readonly overridden: number;
}

/** How clinicians answered each of these cards (one grouped query for a page of cards). */
export async function responsesOf(
  db: AuditDb,
  uuids: readonly string[],
): Promise<Map<string, CardResponses>> {
  const out = new Map<string, { accepted: number; overridden: number }>();
  if (uuids.length === 0) return out;
  const rows = await db
    .selectFrom('feedback')
    .select((eb) => ['card_uuid', 'outcome', eb.fn.countAll().as('n')])
    .where('card_uuid', 'in', uuids)
    .groupBy(['card_uuid', 'outcome'])
    .execute();
  for (const row of rows) {
    let counts = out.get(row.card_uuid);
    if (!counts) out.set(row.card_uuid, (counts = { accepted: 0, overridden: 0 }));
    if (row.outcome === 'accepted') counts.accepted += Number(row.n);
    else counts.overridden += Number(row.n);
  }
  return out;
}

export interface CardDetail {
  readonly card: StoredCard;
  /** The hook call that issued the card: which advisors ran, how they ended, how long it took. */
  readonly invocation: StoredInvocation | null;
  /** Every feedback item the EHR sent for this card, oldest first. */
  readonly feedback: readonly StoredFeedback[];
  /** What the acceptances among that feedback ordered or changed: each accepted suggestion as the card recorded it. */
  readonly laterOrders: readonly LaterOrder[];
  /**
   * At order-sign, the findings that repeated this card's finding after it was overridden (left out, or shown
   * again when critical), and, for a card shown again, the override it repeats. Oldest first.
   */
  readonly overrideRepeats: readonly StoredOverrideRepeat[];
  /**
   * For a card the model's answer touched (its own, or a rule card it folded into): the call's AI record — the
   * de-identified input as sent, every item as returned with the guards' decision and what became of it (the
   * card's own have its `cardUuid`), endpoint kind, model and prompt versions. Null otherwise.
   */
  readonly ai: StoredAiAdvice | null;
}

export async function cardDetail(db: AuditDb, uuid: string): Promise<CardDetail | undefined> {
  const row = await db
    .selectFrom('cards')
    .selectAll()
    .where('uuid', '=', uuid)
    .orderBy('invocation_seq', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  const [invocation, feedback, repeats, advice, orders] = await Promise.all([
    db.selectFrom('invocations').selectAll().where('seq', '=', row.invocation_seq).executeTakeFirst(),
    db.selectFrom('feedback').selectAll().where('card_uuid', '=', uuid).orderBy('seq', 'asc').execute(),
    db
      .selectFrom('override_repeats')
      .selectAll()
      .where((eb) => eb.or([eb('override_card_uuid', '=', uuid), eb('card_uuid', '=', uuid)]))
      .orderBy('invocation_seq', 'asc')
      .orderBy('position', 'asc')
      .execute(),
    db
      .selectFrom('ai_advice')
      .selectAll()
      .where('invocation_seq', '=', row.invocation_seq)
      .executeTakeFirst(),
    laterOrdersOf(db, [row]),
  ]);
  const ai = advice ? toStoredAiAdvice(advice) : null;
  return {
    card: toStoredCard(row),
    invocation: invocation ? toStoredInvocation(invocation) : null,
    feedback: feedback
      .map(toStoredFeedback)
      .map((f) => (f.overrideReason ? { ...f, overrideReason: labelled(f.overrideReason) } : f)),
    laterOrders: orders.get(uuid) ?? [],
    overrideRepeats: repeats.map(toStoredOverrideRepeat),
    ai: ai?.items.some((item) => item.cardUuid === uuid) ? ai : null,
  };
}

export type ExportKind = 'invocations' | 'cards' | 'feedback';

export interface RowsByKind {
  invocations: StoredInvocation;
  cards: StoredCard;
  feedback: StoredFeedback;
}

export interface FilterByKind {
  invocations: InvocationFilter;
  cards: CardFilter;
  feedback: FeedbackFilter;
}

type Lister<K extends ExportKind> = (
  db: AuditDb,
  q: FilterByKind[K] & Paging,
) => Promise<Page<RowsByKind[K]>>;

const LISTERS: { readonly [K in ExportKind]: Lister<K> } = {
  invocations: listInvocations,
  cards: listCards,
  feedback: listFeedback,
};

/**
 * Every matching row, newest first, one page of `pageSize` in memory at a time: an export of a year costs the
 * same memory as an export of a day. Rows written meanwhile with a newer seq are not included (keyset paging).
 */
export async function* scanRows<K extends ExportKind>(
  db: AuditDb,
  kind: K,
  filter: FilterByKind[K],
  pageSize = SCAN_PAGE,
): AsyncGenerator<RowsByKind[K]> {
  const list = LISTERS[kind] as Lister<K>;
  let cursor: string | undefined;
  do {
    const page = await list(db, { ...filter, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** Which model version answered, with which prompt, and when. */
export interface LastModelAnswer {
  readonly deployment: string;
  readonly modelVersion: string;
  readonly promptVersion: string;
  readonly at: string;
}

/** The newest AI record in the audit: which model version answered most recently. */
export async function lastModelAnswer(db: AuditDb): Promise<LastModelAnswer | null> {
  const row = await db
    .selectFrom('ai_advice')
    .select(['deployment', 'model_version', 'prompt_version', 'answered_at'])
    .orderBy('invocation_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        deployment: row.deployment,
        modelVersion: row.model_version,
        promptVersion: row.prompt_version,
        at: row.answered_at,
      }
    : null;
}
