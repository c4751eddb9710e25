/**
 * The audit hash chains (one for invocations with their cards, one for feedback). Appends are serialized by
 * locking the chain's head row first thing in the writing transaction: on PostgreSQL the UPDATE takes a row lock
 * other instances wait on; on SQLite it takes the database write lock at once (no lock upgrade that could fail
 * with SQLITE_BUSY). So the chain stays linear however many writers there are.
 */
import type { Kysely, Transaction } from 'kysely';
import { linkHash } from './canonical.js';
import { feedbackContent, invocationContent } from './rows.js';
import type { Database } from './schema.js';
import type { ChainBreak, ChainName, ChainReport } from './types.js';

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** Must be the first statement of the transaction that appends to `chain`. */
export async function lockChainHead(trx: Transaction<Database>, chain: ChainName): Promise<ChainHead> {
  await trx
    .updateTable('chain_head')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('chain', '=', chain)
    .execute();
  const head = await trx
    .selectFrom('chain_head')
    .select(['seq', 'hash'])
    .where('chain', '=', chain)
    .executeTakeFirstOrThrow();
  return head;
}

export async function advanceChainHead(
  trx: Transaction<Database>,
  chain: ChainName,
  head: ChainHead,
): Promise<void> {
  await trx
    .updateTable('chain_head')
    .set({ seq: head.seq, hash: head.hash })
    .where('chain', '=', chain)
    .execute();
}

const PAGE = 500;

interface Link {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly content: unknown;
}

interface Walk {
  checked: number;
  broken?: ChainBreak;
}

/** Walks one chain from its retention anchor to the head it had when the walk began. */
async function walk(
  db: Kysely<Database>,
  chain: ChainName,
  page: (afterSeq: number, uptoSeq: number) => Promise<Link[]>,
): Promise<Walk> {
  const head = await db
    .selectFrom('chain_head')
    .selectAll()
    .where('chain', '=', chain)
    .executeTakeFirstOrThrow();
  let expectedSeq = head.anchor_seq + 1;
  let prev = head.anchor_hash;
  let checked = 0;
  const fail = (seq: number, reason: ChainBreak['reason'], message: string): Walk => ({
    checked,
    broken: { chain, seq, reason, message },
  });
  for (;;) {
    const rows = await page(expectedSeq - 1, head.seq);
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return fail(
          expectedSeq,
          'sequence-gap',
          `${chain} row ${expectedSeq} is missing (next row is ${row.seq})`,
        );
      }
      if (row.prevHash !== prev) {
        return fail(
          row.seq,
          'prev-hash-mismatch',
          `${chain} row ${row.seq} does not link to row ${row.seq - 1}`,
        );
      }
      const recomputed = linkHash(prev, row.content);
      if (recomputed !== row.hash) {
        return fail(row.seq, 'hash-mismatch', `${chain} row ${row.seq} was changed after it was written`);
      }
      prev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < PAGE) break;
  }
  const lastSeq = expectedSeq - 1;
  if (lastSeq !== head.seq || prev !== head.hash) {
    return fail(
      lastSeq + 1,
      'head-mismatch',
      `${chain} ends at row ${lastSeq} but its head says ${head.seq}`,
    );
  }
  return { checked };
}

/** One page of a chain's rows in chain order, up to the head seq the walk started from. */
async function slice<T extends ChainName>(
  db: Kysely<Database>,
  table: T,
  afterSeq: number,
  uptoSeq: number,
): Promise<Database[T][]> {
  const name: ChainName = table;
  const rows = await db
    .selectFrom(name)
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', uptoSeq)
    .orderBy('seq')
    .limit(PAGE)
    .execute();
  return rows;
}

function link<R extends { seq: number; prev_hash: string; hash: string }>(
  row: R,
  content: (unchained: Omit<R, 'prev_hash' | 'hash'>) => unknown,
): Link {
  const { prev_hash, hash, ...unchained } = row;
  return { seq: row.seq, prevHash: prev_hash, hash, content: content(unchained) };
}

function invocationPage(db: Kysely<Database>) {
  return async (afterSeq: number, uptoSeq: number): Promise<Link[]> => {
    const rows = await slice(db, 'invocations', afterSeq, uptoSeq);
    if (rows.length === 0) return [];
    const first = rows[0]!.seq;
    const last = rows[rows.length - 1]!.seq;
    const [cards, repeats, advice] = await Promise.all([
      db
        .selectFrom('cards')
        .selectAll()
        .where('invocation_seq', '>=', first)
        .where('invocation_seq', '<=', last)
        .execute(),
      db
        .selectFrom('override_repeats')
        .selectAll()
        .where('invocation_seq', '>=', first)
        .where('invocation_seq', '<=', last)
        .execute(),
      db
        .selectFrom('ai_advice')
        .selectAll()
        .where('invocation_seq', '>=', first)
        .where('invocation_seq', '<=', last)
        .execute(),
    ]);
    const cardsOf = bySeq(cards);
    const repeatsOf = bySeq(repeats);
    const adviceOf = new Map(advice.map((a) => [Number(a.invocation_seq), a]));
    return rows.map((row) =>
      link(row, (r) =>
        invocationContent(r, cardsOf.get(row.seq) ?? [], repeatsOf.get(row.seq) ?? [], adviceOf.get(row.seq)),
      ),
    );
  };
}

function bySeq<T extends { invocation_seq: number }>(rows: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.invocation_seq) ?? [];
    list.push(row);
    out.set(row.invocation_seq, list);
  }
  return out;
}

function feedbackPage(db: Kysely<Database>) {
  return async (afterSeq: number, uptoSeq: number): Promise<Link[]> =>
    (await slice(db, 'feedback', afterSeq, uptoSeq)).map((row) => link(row, feedbackContent));
}

/** Recomputes every link of both chains; reports the first broken link of each. */
export async function verifyChains(db: Kysely<Database>): Promise<ChainReport> {
  const invocations = await walk(db, 'invocations', invocationPage(db));
  const feedback = await walk(db, 'feedback', feedbackPage(db));
  const breaks = [invocations.broken, feedback.broken].filter((b): b is ChainBreak => b !== undefined);
  return {
    ok: breaks.length === 0,
    checked: { invocations: invocations.checked, feedback: feedback.checked },
    breaks,
  };
}
