/**
 * Writes a batch of invocation records (with their cards and override repeats) as one transaction appended to the invocations chain. It
 * runs on the store's writer thread (./writer/), never on the event loop answering hooks.
 */
import type { Kysely } from 'kysely';
import { linkHash } from './canonical.js';
import { advanceChainHead, lockChainHead } from './chain.js';
import { chunks } from './chunks.js';
import { aiAdviceRow, cardRows, invocationContent, invocationRow, overrideRepeatRows } from './rows.js';
import type {
  AiAdviceTable,
  CardsTable,
  Database,
  InvocationsTable,
  OverrideRepeatsTable,
} from './schema.js';
import type { InvocationRecord } from './types.js';

const WRITE_CHUNK = 25;

export async function writeInvocations(
  db: Kysely<Database>,
  records: readonly InvocationRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const head = await lockChainHead(trx, 'invocations');
    const recordedAt = new Date().toISOString();
    const invocations: InvocationsTable[] = [];
    const cards: CardsTable[] = [];
    const repeats: OverrideRepeatsTable[] = [];
    const advice: AiAdviceTable[] = [];
    let { seq, hash } = head;
    for (const record of records) {
      seq += 1;
      const row = invocationRow(record, seq, recordedAt);
      const rowCards = cardRows(record, seq);
      const rowRepeats = overrideRepeatRows(record, seq);
      const rowAdvice = aiAdviceRow(record, seq);
      const prevHash = hash;
      hash = linkHash(prevHash, invocationContent(row, rowCards, rowRepeats, rowAdvice));
      invocations.push({ ...row, prev_hash: prevHash, hash });
      cards.push(...rowCards);
      repeats.push(...rowRepeats);
      if (rowAdvice) advice.push(rowAdvice);
    }
    for (const chunk of chunks(invocations, WRITE_CHUNK)) {
      await trx.insertInto('invocations').values(chunk).execute();
    }
    for (const chunk of chunks(cards, WRITE_CHUNK)) {
      await trx.insertInto('cards').values(chunk).execute();
    }
    for (const chunk of chunks(repeats, WRITE_CHUNK)) {
      await trx.insertInto('override_repeats').values(chunk).execute();
    }
    // One at a time: a row holds a whole de-identified picture, and SQLite bounds the variables per statement.
    for (const row of advice) await trx.insertInto('ai_advice').values(row).execute();
    await advanceChainHead(trx, 'invocations', { seq, hash });
  });
}
