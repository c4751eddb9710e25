/** The store's Prometheus metrics, registered on the registry the app exposes at /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DropReason = 'queue_full' | 'rejected' | 'shutdown' | 'closed';

export interface StoreMetrics {
  readonly auditQueueDepth: Gauge;
  readonly auditWritten: Counter;
  readonly auditDropped: Counter<'reason'>;
  readonly auditWriteFailures: Counter;
  readonly auditBatchDuration: Histogram;
  readonly feedbackItems: Counter<'result'>;
  readonly purgedRows: Counter<'chain'>;
  readonly storeUp: Gauge;
  readonly writeBeforeAnswer: Counter<'outcome'>;
}

export function createStoreMetrics(registry: Registry, queueDepth: () => number): StoreMetrics {
  const registers = [registry];
  return {
    auditQueueDepth: new Gauge({
      name: 'cds_audit_queue_depth',
      help: 'Invocation records waiting in the audit queue',
      registers,
      collect() {
        this.set(queueDepth());
      },
    }),
    auditWritten: new Counter({
      name: 'cds_audit_records_written_total',
      help: 'Invocation records durably written to the audit trail',
      registers,
    }),
    auditDropped: new Counter({
      name: 'cds_audit_records_dropped_total',
      help: 'Invocation records lost: queue_full (queue at its bound), rejected (the store refused the record), shutdown (not written before close), closed (recorded after close)',
      labelNames: ['reason'],
      registers,
    }),
    auditWriteFailures: new Counter({
      name: 'cds_audit_write_failures_total',
      help: 'Audit batch writes that failed and will be retried',
      registers,
    }),
    auditBatchDuration: new Histogram({
      name: 'cds_audit_batch_write_seconds',
      help: 'Time to write one audit batch',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    feedbackItems: new Counter({
      name: 'cds_feedback_items_total',
      help: 'Feedback items by result: stored (new), duplicate (already on record), flagged (stored, about an unknown card or suggestion)',
      labelNames: ['result'],
      registers,
    }),
    purgedRows: new Counter({
      name: 'cds_audit_purged_rows_total',
      help: 'Audit rows removed by retention, by chain',
      labelNames: ['chain'],
      registers,
    }),
    storeUp: new Gauge({
      name: 'cds_store_up',
      help: '1 when the last store health check answered, 0 otherwise',
      registers,
    }),
    writeBeforeAnswer: new Counter({
      name: 'cds_audit_before_answer_waits_total',
      help: 'AUDIT_BEFORE_ANSWER: how the wait for the audit row of each answer ended (written; queued: the store failed; rejected; dropped; deadline)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
