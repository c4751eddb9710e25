/**
 * AUDIT_RETENTION_DAYS: removes the oldest rows of each chain, a chunk per transaction, and moves the chain's
 * anchor to the last removed row (its seq and hash). The verifier starts from the anchor, so what remains still
 * checks end to end; only a gap-free prefix is ever removed.
 */
import type { Kysely } from 'kysely';
import { lockChainHead } from './chain.js';
import type { Database } from './schema.js';
import type { ChainName } from './types.js';

const CHUNK = 2000;

async function anchorOf(db: Kysely<Database>, chain: ChainName): Promise<number> {
  const head = await db
    .selectFrom('chain_head')
    .select('anchor_seq')
    .where('chain', '=', chain)
    .executeTakeFirstOrThrow();
  return head.anchor_seq;
}

/** The oldest rows after the anchor, in chain order, with the time retention judges them by. */
async function oldest(
  db: Kysely<Database>,
  chain: ChainName,
  afterSeq: number,
): Promise<{ seq: number; hash: string; at: string }[]> {
  if (chain === 'invocations') {
    return db
      .selectFrom('invocations')
      .select(['seq', 'hash', 'recorded_at as at'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(CHUNK)
      .execute();
  }
  return db
    .selectFrom('feedback')
    .select(['seq', 'hash', 'received_at as at'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(CHUNK)
    .execute();
}

async function purgeChain(db: Kysely<Database>, chain: ChainName, cutoff: string): Promise<number> {
  let purged = 0;
  for (;;) {
    const removed = await db.transaction().execute(async (trx) => {
      await lockChainHead(trx, chain);
      const anchor = await anchorOf(trx, chain);
      const rows = await oldest(trx, chain, anchor);
      // Stop at the first row young enough to keep: a prefix keeps the rest of the chain linked.
      const firstKept = rows.findIndex((r) => r.at >= cutoff);
      const expired = firstKept === -1 ? rows : rows.slice(0, firstKept);
      const last = expired[expired.length - 1];
      if (!last) return { count: 0, more: false };
      if (chain === 'invocations') {
        await trx.deleteFrom('cards').where('invocation_seq', '<=', last.seq).execute();
        await trx.deleteFrom('override_repeats').where('invocation_seq', '<=', last.seq).execute();
        await trx.deleteFrom('ai_advice').where('invocation_seq', '<=', last.seq).execute();
        await trx.deleteFrom('invocations').where('seq', '<=', last.seq).execute();
      } else {
        await trx.deleteFrom('feedback').where('seq', '<=', last.seq).execute();
      }
      await trx
        .updateTable('chain_head')
        .set({ anchor_seq: last.seq, anchor_hash: last.hash })
        .where('chain', '=', chain)
        .execute();
      return { count: expired.length, more: firstKept === -1 && rows.length === CHUNK };
    });
    purged += removed.count;
    if (!removed.more) return purged;
  }
}

export async function purgeOlderThan(
  db: Kysely<Database>,
  cutoff: Date,
): Promise<Readonly<Record<ChainName, number>>> {
  const iso = cutoff.toISOString();
  return {
    invocations: await purgeChain(db, 'invocations', iso),
    feedback: await purgeChain(db, 'feedback', iso),
  };
}
