/**
 * What only PostgreSQL has to prove: several service instances on one database (concurrent migrations, shared
 * feedback, one linear chain), and the outage scenario (database gone → audit buffered, ping false, feedback 503,
 * no crash; database back → everything written, by itself).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import {
  dropLocation,
  invocation,
  type Location,
  newLocation,
  openAt,
  overridden,
  PG_URL,
  via,
} from './helpers.js';
import { TcpProxy } from './tcpProxy.js';

describe('several instances on one PostgreSQL', () => {
  let location: Location;
  let a: SqlStore;
  let b: SqlStore;

  beforeAll(async () => {
    location = newLocation('postgres');
    // Both start at once on an empty schema: one migrates, the other waits on the lock and finds the work done.
    [a, b] = await Promise.all([openAt(location), openAt(location, {}, { aiCacheTtlMs: 0 })]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await dropLocation(location);
  });

  it('agree on one generated pseudonym key', () => {
    expect(a.pseudonymKey).toBe(b.pseudonymKey);
  });

  it("see each other's feedback, and a resend through the other instance is a duplicate", async () => {
    const record = invocation();
    a.audit.record(record);
    await a.audit.flush();
    const item = overridden(record.cards[0]!.uuid);

    expect(await a.recordFeedback('order-sign-advice', [item])).toEqual({
      stored: 1,
      duplicates: 0,
      flagged: 0,
    });
    expect(await b.recordFeedback('order-sign-advice', [item])).toEqual({
      stored: 0,
      duplicates: 1,
      flagged: 0,
    });
    const seenByB = await b.read.listFeedback({ cardUuid: record.cards[0]!.uuid });
    expect(seenByB.items).toHaveLength(1);
  });

  it('keep one linear chain when both write audit batches and feedback at the same time', async () => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i += 1) {
      const store = i % 2 === 0 ? a : b;
      store.audit.record(invocation());
      writes.push(store.recordFeedback('order-sign-advice', [overridden(`concurrent-${i}`)]));
    }
    writes.push(a.audit.flush(), b.audit.flush());
    await Promise.all(writes);

    const report = await a.verifyChain();
    expect(report.ok).toBe(true);
    expect(report.checked.feedback).toBe(21);
    expect(report.checked.invocations).toBe(21);
  });

  it('share the AI switch: turned off on one instance, off on the other', async () => {
    expect(await b.getAiMode('order-select-advice')).toBe('on');
    await a.setAiMode('order-select-advice', 'off', 'safety-officer');
    expect(await b.getAiMode('order-select-advice')).toBe('off');
  });
});

describe('PostgreSQL outage', () => {
  const proxy = new TcpProxy(Number(new URL(PG_URL).port || 5432), new URL(PG_URL).hostname);
  let location: Location;
  let store: SqlStore;

  beforeAll(async () => {
    await proxy.start();
    location = newLocation('postgres');
    store = await openAt(
      via(location, proxy.url(PG_URL)),
      {},
      {
        pgTimeoutMs: 1000,
        audit: { minRetryDelayMs: 20, maxRetryDelayMs: 200, flushTimeoutMs: 20_000 },
      },
    );
  });

  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await store.close();
    await proxy.stop();
    await dropLocation(location);
  });

  it('buffers audit records, fails ping and feedback while the database is gone, and catches up when it returns', async () => {
    const before = invocation();
    store.audit.record(before);
    await store.audit.flush();

    await proxy.stop();
    const during = Array.from({ length: 30 }, () => invocation());
    during.forEach((r) => store.audit.record(r));
    expect(await store.ping()).toBe(false);
    await expect(
      store.recordFeedback('order-sign-advice', [overridden(before.cards[0]!.uuid)]),
    ).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    expect(await store.getAiMode('order-sign-advice')).toBe('off');
    expect(store.audit.depth).toBe(30);

    await proxy.start();
    await store.audit.flush();

    expect(await store.ping()).toBe(true);
    const written = await store.read.listInvocations({ limit: 1000 });
    expect(written.items.map((i) => i.hookInstance).sort()).toEqual(
      [before, ...during].map((r) => r.hookInstance).sort(),
    );
    expect(
      (await store.recordFeedback('order-sign-advice', [overridden(before.cards[0]!.uuid)])).stored,
    ).toBe(1);
    expect((await store.verifyChain()).ok).toBe(true);
    expect(await store.metrics.auditDropped.get()).toMatchObject({ values: [] });
  });
});

describe('PostgreSQL at start', () => {
  const target = new URL(PG_URL);

  it('waits for a database that is not reachable yet, then opens', async () => {
    const proxy = new TcpProxy(Number(target.port || 5432), target.hostname);
    await proxy.start();
    await proxy.stop();
    const location = newLocation('postgres');
    const opening = openAt(
      via(location, proxy.url(PG_URL)),
      {},
      { pgTimeoutMs: 500, startTimeoutMs: 20_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await proxy.start();
    const store = await opening;
    try {
      expect(await store.ping()).toBe(true);
    } finally {
      await store.close();
      await proxy.stop();
      await dropLocation(location);
    }
  });

  it('fails at once, with the cause, when the database refuses for another reason', async () => {
    const missing = new URL(PG_URL);
    missing.pathname = '/no_such_database_for_cds_advisor';
    const location = newLocation('postgres', missing.toString());
    await expect(openAt(location, {}, { startTimeoutMs: 60_000 })).rejects.toThrow(/does not exist/);
  });
});
