/** Writes a batch of invocation records (with their cards) as one transaction appended to the invocations chain. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { linkHash } from './canonical.js';
import { advanceChainHead, lockChainHead } from './chain.js';
import { chunks } from './chunks.js';
import { cardRows, invocationContent, invocationRow } from './rows.js';
import type { CardsTable, Database, InvocationsTable } from './schema.js';
import type { InvocationRecord } from './types.js';

const WRITE_CHUNK = 25;

export async function writeInvocations(
  db: Kysely<Database>,
  records: readonly InvocationRecord[],
  now: () => Date = () => new Date(),
): Promise<void> {
  if (records.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const head = await lockChainHead(trx, 'invocations');
    const recordedAt = now().toISOString();
    const invocations: InvocationsTable[] = [];
    const cards: CardsTable[] = [];
    let { seq, hash } = head;
    for (const record of records) {
      seq += 1;
      const row = invocationRow(record, seq, recordedAt);
      const rowCards = cardRows(record, seq);
      const prevHash = hash;
      hash = linkHash(prevHash, invocationContent(row, rowCards));
      invocations.push({ ...row, prev_hash: prevHash, hash });
      cards.push(...rowCards);
    }
    // better-sqlite3 runs each statement synchronously: small statements with a turn of the event loop between
    // them keep a big batch from stalling the hooks being answered meanwhile.
    for (const chunk of chunks(invocations, WRITE_CHUNK)) {
      await trx.insertInto('invocations').values(chunk).execute();
      await nextTurn();
    }
    for (const chunk of chunks(cards, WRITE_CHUNK)) {
      await trx.insertInto('cards').values(chunk).execute();
      await nextTurn();
    }
    await advanceChainHead(trx, 'invocations', { seq, hash });
  });
}
