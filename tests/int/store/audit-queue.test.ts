/** The audit queue's promises: off the hot path, batched, bounded with a counted overflow, nothing lost in an outage. */
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { silentLogger } from '../../helpers/silentLogger.js';
import {
  AuditQueue,
  type AuditQueueOptions,
  type BatchWriter,
  PartialBatchError,
} from '../../../src/store/auditQueue.js';
import { createStoreMetrics, type StoreMetrics } from '../../../src/store/metrics.js';
import type { InvocationRecord } from '../../../src/store/types.js';
import { invocation } from './helpers.js';

interface Harness {
  readonly queue: AuditQueue;
  readonly metrics: StoreMetrics;
  readonly written: InvocationRecord[];
  readonly batches: number[];
}

function harness(
  write: (batch: readonly InvocationRecord[]) => Promise<void> | void,
  reachable: () => boolean,
  options: Partial<AuditQueueOptions> = {},
): Harness {
  const written: InvocationRecord[] = [];
  const batches: number[] = [];
  // The gauge reads the depth only when scraped, after `queue` exists.
  const metrics = createStoreMetrics(new Registry(), () => queue.depth);
  const writer: BatchWriter = async (batch) => {
    await write(batch);
    batches.push(batch.length);
    written.push(...batch);
  };
  const queue = new AuditQueue(writer, () => Promise.resolve(reachable()), metrics, silentLogger(), {
    flushIntervalMs: 1,
    minRetryDelayMs: 1,
    maxRetryDelayMs: 5,
    ...options,
  });
  return { queue, metrics, written, batches };
}

async function dropped(metrics: StoreMetrics, reason: string): Promise<number> {
  const { values } = await metrics.auditDropped.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('audit queue', () => {
  it('returns from record at once and writes many records in few batches', async () => {
    const h = harness(
      () => undefined,
      () => true,
      { batchSize: 50 },
    );
    const records = Array.from({ length: 200 }, () => invocation({}, 0));
    records.forEach((r) => h.queue.record(r));
    expect(h.written).toHaveLength(0);
    await h.queue.flush();
    expect(h.written).toEqual(records);
    expect(h.batches.every((n) => n <= 50)).toBe(true);
    expect(h.batches.length).toBeLessThanOrEqual(5);
  });

  it('takes the committed front of a batch that failed midway off the queue and writes only the rest again', async () => {
    const committed: InvocationRecord[] = [];
    let calls = 0;
    const metrics = createStoreMetrics(new Registry(), () => 0);
    const queue = new AuditQueue(
      (batch) => {
        calls += 1;
        if (calls === 1) {
          // The writer committed two records, then its connection failed.
          committed.push(...batch.slice(0, 2));
          return Promise.reject(new PartialBatchError('connection lost', 2));
        }
        committed.push(...batch);
        return Promise.resolve();
      },
      () => Promise.resolve(true),
      metrics,
      silentLogger(),
      { flushIntervalMs: 1, minRetryDelayMs: 1, maxRetryDelayMs: 5 },
    );
    const records = Array.from({ length: 5 }, () => invocation({}, 0));
    records.forEach((r) => queue.record(r));
    await queue.flush();

    expect(committed).toEqual(records);
    expect(calls).toBe(2);
    expect(await dropped(metrics, 'rejected')).toBe(0);
    expect((await metrics.auditWritten.get()).values[0]?.value).toBe(5);
  });

  it('drops the newest records beyond its bound, counts them, and writes what it had queued', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const h = harness(
      () => gate,
      () => true,
      { maxQueue: 3 },
    );
    const records = Array.from({ length: 5 }, () => invocation({}, 0));
    records.forEach((r) => h.queue.record(r));

    expect(await dropped(h.metrics, 'queue_full')).toBe(2);
    open();
    await h.queue.flush();
    expect(h.written).toEqual(records.slice(0, 3));
  });

  it('keeps a batch while the store is down and writes it once, in order, when the store is back', async () => {
    let down = true;
    const h = harness(
      () => {
        if (down) throw new Error('connect ECONNREFUSED');
      },
      () => !down,
    );
    const records = Array.from({ length: 10 }, () => invocation({}, 0));
    records.forEach((r) => h.queue.record(r));
    await expect(h.queue.flush(30)).rejects.toThrow('10 records still queued');
    expect(h.queue.depth).toBe(10);

    down = false;
    await h.queue.flush();
    expect(h.written).toEqual(records);
    expect(await dropped(h.metrics, 'queue_full')).toBe(0);
    expect((await h.metrics.auditWriteFailures.get()).values[0]?.value).toBeGreaterThan(0);
  });

  it('drops only the record a reachable store refuses, so it cannot block the rest', async () => {
    const poison = invocation({ serviceId: 'poison' }, 0);
    const h = harness(
      (batch) => {
        if (batch.includes(poison)) throw new Error('value too long');
      },
      () => true,
    );
    const good = [invocation({}, 0), invocation({}, 0)];
    h.queue.record(good[0]!);
    h.queue.record(poison);
    h.queue.record(good[1]!);
    await h.queue.flush();
    expect(h.written).toEqual(good);
    expect(await dropped(h.metrics, 'rejected')).toBe(1);
  });

  it('counts what it could not write before close as lost, and refuses records after close', async () => {
    const h = harness(
      () => {
        throw new Error('connect ECONNREFUSED');
      },
      () => false,
    );
    h.queue.record(invocation({}, 0));
    h.queue.record(invocation({}, 0));
    await h.queue.close(30);
    expect(await dropped(h.metrics, 'shutdown')).toBe(2);
    h.queue.record(invocation({}, 0));
    expect(await dropped(h.metrics, 'closed')).toBe(1);
    expect(h.queue.depth).toBe(0);
  });

  describe('recordDurably (AUDIT_BEFORE_ANSWER)', () => {
    const never = (): AbortSignal => new AbortController().signal;

    it('resolves once the record is written, without waiting for company', async () => {
      const h = harness(
        () => undefined,
        () => true,
        { flushIntervalMs: 60_000 },
      );
      const record = invocation({}, 0);

      expect(await h.queue.recordDurably(record, never())).toBe('written');
      expect(h.written).toEqual([record]);
    });

    it('stops waiting when the store is down, keeps the record queued and writes it when the store is back', async () => {
      let down = true;
      const h = harness(
        () => {
          if (down) throw new Error('connect ECONNREFUSED');
        },
        () => !down,
      );
      const first = invocation({}, 0);
      const second = invocation({}, 0);

      expect(await h.queue.recordDurably(first, never())).toBe('queued');
      // The outage is known now: the next one does not wait at all.
      expect(await h.queue.recordDurably(second, never())).toBe('queued');
      expect(h.queue.depth).toBe(2);

      down = false;
      await h.queue.flush();
      expect(h.written).toEqual([first, second]);
    });

    it('stops waiting at the deadline, the record still queued', async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const h = harness(
        () => gate,
        () => true,
      );
      const deadline = new AbortController();
      const record = invocation({}, 0);

      const waiting = h.queue.recordDurably(record, deadline.signal);
      deadline.abort();

      expect(await waiting).toBe('deadline');
      open();
      await h.queue.flush();
      expect(h.written).toEqual([record]);
    });

    it('says when the record was refused, or dropped because the queue is full', async () => {
      const poison = invocation({ serviceId: 'poison' }, 0);
      const h = harness(
        (batch) => {
          if (batch.includes(poison)) throw new Error('value too long');
        },
        () => true,
        { maxQueue: 1 },
      );

      const refused = h.queue.recordDurably(poison, never());
      const full = h.queue.recordDurably(invocation({}, 0), never());

      expect(await full).toBe('dropped');
      expect(await refused).toBe('rejected');
      const outcomes = (await h.metrics.writeBeforeAnswer.get()).values.map((v) => v.labels.outcome).sort();
      expect(outcomes).toEqual(['dropped', 'rejected']);
    });
  });
});
