/**
 * Audit rows and JWT ids are written on the store's writer thread. What happens when that thread fails: a batch it
 * could not write is kept and written again on a new thread, record by record; nothing is lost and the chain holds.
 */
import { describe, expect, it } from '@jest/globals';
import { DIALECTS, invocation } from './helpers.js';
import { storeFixture } from './storeFixture.js';

describe.each(DIALECTS)('store writer thread on %s', (dialect) => {
  const fx = storeFixture(dialect);

  it('loses no audit record when the thread runs out of memory on a batch: it is written again on a new thread', async () => {
    // Each record is fine alone; 40 of them at once (~80 MB of summaries) are more than the thread's heap holds.
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const records = Array.from({ length: 40 }, () => {
      const record = invocation({}, 1);
      return { ...record, cards: record.cards.map((c) => ({ ...c, summary: huge })) };
    });
    for (const record of records) fx.store.audit.record(record);
    await fx.store.audit.flush(60_000);

    for (const record of records) {
      const found = await fx.store.read.listInvocations({ hookInstance: record.hookInstance });
      expect(found.items).toHaveLength(1);
    }
    expect(await fx.store.metrics.auditWriteFailures.get()).toMatchObject({ values: [{ value: 1 }] });
    expect((await fx.store.metrics.auditDropped.get()).values.every((v) => v.value === 0)).toBe(true);
    const report = await fx.store.verifyChain();
    expect(report.ok).toBe(true);

    // And the new thread goes on writing: the JWT replay check works through it too.
    const expiresAt = new Date(Date.now() + 60_000);
    expect(await fx.store.rememberJti('https://ehr.example', 'after-restart', expiresAt)).toBe(true);
    expect(await fx.store.rememberJti('https://ehr.example', 'after-restart', expiresAt)).toBe(false);
  }, 90_000);
});
