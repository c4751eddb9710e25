/**
 * The audit queue: keeps the store off the hook's hot path. `record` only pushes onto a bounded in-memory
 * queue; a single drain loop writes what is queued in batches. When the store is down the batch stays at the
 * front and is retried with backoff, so an outage loses nothing until the queue reaches its bound.
 *
 * Bound: as many records as fit in a third of the V8 heap limit (at most 50,000), so that a long store outage drops
 * new audit records, counted, instead of running the process out of memory and taking the hooks down with it.
 *
 * Overflow policy: when the queue is full the NEW record is dropped (the queue keeps its FIFO order and what is
 * already queued is written), counted in `cds_audit_records_dropped_total{reason="queue_full"}` and logged at
 * most every 10 s. A record the store refuses while it is reachable (a bad row) is dropped alone
 * (`reason="rejected"`) instead of blocking the queue forever.
 *
 * `recordDurably` (AUDIT_BEFORE_ANSWER) queues the same way but starts a write at once and lets the caller
 * wait for it: written, or the store failed (the record stays queued), or the caller's deadline came first.
 */
import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../logger.js';
import type { StoreMetrics } from './metrics.js';
import type { AuditSink, AuditWriteOutcome, CardRecord, InvocationRecord } from './types.js';

export interface AuditQueueOptions {
  /** Most records held in memory (in flight included). */
  readonly maxQueue: number;
  /** Most records handed to the writer at once (the writer thread commits them 50 per transaction). */
  readonly batchSize: number;
  /** How long a lone record may wait for company before it is written. */
  readonly flushIntervalMs: number;
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** How long `flush()` (and so graceful shutdown) keeps trying. */
  readonly flushTimeoutMs: number;
}

/** Heap held by one queued invocation record, with a margin: 6 KB measured for an order-sign call with 4 cards. */
export const QUEUED_RECORD_BYTES = 10 * 1024;
const QUEUE_HEAP_SHARE = 1 / 3;
const MAX_QUEUE_CEILING = 50_000;
const MAX_QUEUE_FLOOR = 1_000;

/** How many records the queue may hold within this process's heap limit (npm start's 256 MB cap: about 10,000). */
export function maxQueueForHeap(heapLimitBytes: number = getHeapStatistics().heap_size_limit): number {
  const fits = Math.floor((heapLimitBytes * QUEUE_HEAP_SHARE) / QUEUED_RECORD_BYTES);
  return Math.max(MAX_QUEUE_FLOOR, Math.min(MAX_QUEUE_CEILING, fits));
}

export const DEFAULT_AUDIT_QUEUE_OPTIONS: AuditQueueOptions = {
  maxQueue: maxQueueForHeap(),
  batchSize: 500,
  flushIntervalMs: 50,
  minRetryDelayMs: 100,
  maxRetryDelayMs: 5_000,
  flushTimeoutMs: 10_000,
};

/**
 * Writes a batch, in order. A writer that commits a batch in parts and fails after some of them throws a
 * `PartialBatchError` saying how many records from the front are durable: those are not written again.
 */
export type BatchWriter = (batch: readonly InvocationRecord[]) => Promise<void>;

export class PartialBatchError extends Error {
  constructor(
    message: string,
    /** Records from the front of the batch that were committed before the failure. */
    readonly written: number,
  ) {
    super(message);
    this.name = 'PartialBatchError';
  }
}

const WARN_EVERY_MS = 10_000;

export class AuditQueue implements AuditSink {
  private readonly queue: InvocationRecord[] = [];
  private readonly options: AuditQueueOptions;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeSleeper: (() => void) | undefined;
  private retryDelay: number;
  private flushing = 0;
  private closed = false;
  private droppedSinceWarn = 0;
  private lastDropWarn = 0;
  private lastOutageWarn = 0;
  /** Records whose caller waits for their write (recordDurably), with how to tell it the outcome. */
  private readonly waiting = new Map<InvocationRecord, (outcome: AuditWriteOutcome) => void>();
  /** The last write failed with the store unreachable, and none has succeeded since. */
  private outage = false;

  constructor(
    private readonly write: BatchWriter,
    private readonly reachable: () => Promise<boolean>,
    private readonly metrics: StoreMetrics,
    private readonly logger: Logger,
    options: Partial<AuditQueueOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUDIT_QUEUE_OPTIONS, ...options };
    this.retryDelay = this.options.minRetryDelayMs;
  }

  get depth(): number {
    return this.queue.length;
  }

  record(invocation: InvocationRecord): void {
    if (this.enqueue(invocation)) this.schedule();
  }

  recordDurably(invocation: InvocationRecord, signal: AbortSignal): Promise<AuditWriteOutcome> {
    const outcome = (value: AuditWriteOutcome): Promise<AuditWriteOutcome> => {
      this.metrics.writeBeforeAnswer.inc({ outcome: value });
      return Promise.resolve(value);
    };
    if (!this.enqueue(invocation)) return outcome('dropped');
    // The store is known to be down: the record waits in the queue, the answer need not.
    if (this.outage) {
      this.schedule();
      return outcome('queued');
    }
    return new Promise((resolve) => {
      const settle = (value: AuditWriteOutcome): void => {
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(invocation);
        this.metrics.writeBeforeAnswer.inc({ outcome: value });
        resolve(value);
      };
      const onAbort = (): void => settle('deadline');
      this.waiting.set(invocation, settle);
      if (signal.aborted) {
        settle('deadline');
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      // No waiting for company: an answer waits on this write. Calls arriving meanwhile share the next batch.
      this.kick();
    });
  }

  /** Puts a record on the queue; false (counted) when it is closed or full. */
  private enqueue(invocation: InvocationRecord): boolean {
    if (this.closed) {
      this.metrics.auditDropped.inc({ reason: 'closed' });
      return false;
    }
    if (this.queue.length >= this.options.maxQueue) {
      this.metrics.auditDropped.inc({ reason: 'queue_full' });
      this.warnDropped();
      return false;
    }
    this.queue.push(invocation);
    return true;
  }

  /** Tells whoever waits for these records how their write ended. */
  private settle(records: Iterable<InvocationRecord>, outcome: AuditWriteOutcome): void {
    if (this.waiting.size === 0) return;
    for (const record of records) this.waiting.get(record)?.(outcome);
  }

  /** A card still waiting in this instance's queue (feedback can arrive before its card is written). */
  pendingCard(uuid: string): CardRecord | undefined {
    for (const record of this.queue) {
      const card = record.cards.find((c) => c.uuid === uuid);
      if (card) return card;
    }
    return undefined;
  }

  async flush(timeoutMs = this.options.flushTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.flushing += 1;
    try {
      while (this.queue.length > 0) {
        const left = deadline - Date.now();
        if (left <= 0 || this.closed) {
          throw new Error(`audit queue not flushed: ${this.queue.length} records still queued`);
        }
        this.kick();
        this.wakeSleeper?.();
        await Promise.race([this.running, sleep(Math.min(100, left))]);
      }
    } finally {
      this.flushing -= 1;
    }
  }

  /** Flushes what it can within the timeout, then refuses new records; what is left is counted as lost. */
  async close(timeoutMs = this.options.flushTimeoutMs): Promise<void> {
    try {
      await this.flush(timeoutMs);
    } catch {
      const lost = this.queue.length;
      this.metrics.auditDropped.inc({ reason: 'shutdown' }, lost);
      this.logger.error('audit records lost at shutdown', { lost });
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.wakeSleeper?.();
      this.settle([...this.waiting.keys()], 'dropped');
      this.queue.length = 0;
    }
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    if (this.queue.length >= this.options.batchSize) {
      this.kick();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  private kick(): void {
    if (this.running || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.drain()
      .catch((error: unknown) => {
        this.logger.error('audit queue drain failed', { error: errorMessage(error) });
      })
      .finally(() => {
        this.running = undefined;
        if (this.queue.length > 0 && !this.closed) this.schedule();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue.slice(0, this.options.batchSize);
      const consumed = await this.writeBatch(batch);
      if (this.closed) return;
      this.queue.splice(0, consumed);
      if (consumed > 0) {
        this.retryDelay = this.options.minRetryDelayMs;
        continue;
      }
      await this.sleepBeforeRetry(this.flushing > 0 ? this.options.minRetryDelayMs : this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, this.options.maxRetryDelayMs);
    }
  }

  /** How many records from the front of the queue are done with (written or rejected); 0 while the store is down. */
  private async writeBatch(batch: readonly InvocationRecord[]): Promise<number> {
    try {
      await this.timedWrite(batch);
      return batch.length;
    } catch (error) {
      this.metrics.auditWriteFailures.inc();
      // The front of the batch is durable: take it off the queue; the rest is the next batch, tried afresh.
      if (error instanceof PartialBatchError && error.written > 0) {
        const written = Math.min(error.written, batch.length);
        this.metrics.auditWritten.inc(written);
        this.settle(batch.slice(0, written), 'written');
        return written;
      }
      if (!(await this.reachable())) {
        this.onOutage(error);
        return 0;
      }
      // The store answers but refused the batch: find the bad record(s) so the rest are not held hostage.
      let consumed = 0;
      for (const record of batch) {
        try {
          await this.timedWrite([record]);
        } catch (recordError) {
          if (!(await this.reachable())) {
            this.onOutage(recordError);
            return consumed;
          }
          this.metrics.auditDropped.inc({ reason: 'rejected' });
          this.settle([record], 'rejected');
          this.logger.error('audit record rejected by the store', {
            serviceId: record.serviceId,
            hookInstance: record.hookInstance,
            error: errorMessage(recordError),
          });
        }
        consumed += 1;
      }
      return consumed;
    }
  }

  private async timedWrite(batch: readonly InvocationRecord[]): Promise<void> {
    const end = this.metrics.auditBatchDuration.startTimer();
    await this.write(batch);
    end();
    this.metrics.auditWritten.inc(batch.length);
    this.outage = false;
    this.settle(batch, 'written');
  }

  /** The store is unreachable: nobody waits for a write that will not come soon; the records stay queued. */
  private onOutage(error: unknown): void {
    this.outage = true;
    this.settle([...this.waiting.keys()], 'queued');
    this.warnOutage(error);
  }

  private sleepBeforeRetry(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeSleeper = done;
    });
  }

  private warnDropped(): void {
    this.droppedSinceWarn += 1;
    const now = Date.now();
    if (now - this.lastDropWarn < WARN_EVERY_MS) return;
    this.logger.warn('audit queue full: records dropped', {
      dropped: this.droppedSinceWarn,
      maxQueue: this.options.maxQueue,
    });
    this.lastDropWarn = now;
    this.droppedSinceWarn = 0;
  }

  private warnOutage(error: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageWarn < WARN_EVERY_MS) return;
    this.lastOutageWarn = now;
    this.logger.warn('audit store unreachable: records kept in queue', {
      queued: this.queue.length,
      error: errorMessage(error),
    });
  }
}

/** Keeps the process alive on purpose: whoever awaits a flush wants it to finish or time out. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
