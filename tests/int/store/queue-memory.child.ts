/**
 * Run by queue-memory.test.ts under npm start's heap flags: the store is down for good, and hook calls keep
 * queueing audit records past the queue's default bound. Prints what the queue held and what the heap used.
 */
import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { Registry } from 'prom-client';
import { silentLogger } from '../../helpers/silentLogger.js';
import { AuditQueue, DEFAULT_AUDIT_QUEUE_OPTIONS } from '../../../src/store/auditQueue.js';
import { createStoreMetrics } from '../../../src/store/metrics.js';
import { card, invocation } from './helpers.js';

/** A record as an order-sign call with four cards leaves it: ids, summaries and evidence at their usual length. */
function realisticRecord(): ReturnType<typeof invocation> {
  const record = invocation({}, 0);
  const cards = Array.from({ length: 4 }, (_, i) =>
    card(record.serviceId, record.hookInstance, {
      ruleId: `interaction:clarithromycin|warfarin-${i}`,
      findingKey: `interaction:clarithromycin|warfarin-${i}`,
      summary: `Clarithromycin with warfarin: raised INR and bleeding risk; consider azithromycin and INR in 3-5 days ${i}`,
      evidence: Array.from({ length: 4 }, () => `MedicationRequest/${randomUUID()}`),
      suggestionUuids: [randomUUID(), randomUUID()],
    }),
  );
  // Flat strings, as JSON parsing and card building leave them (a template literal would hold a rope of parts).
  const flat = JSON.parse(JSON.stringify({ ...record, cards })) as typeof record;
  return { ...flat, startedAt: record.startedAt };
}

const registry = new Registry();
// The depth gauge reads the queue only when metrics are collected, after it exists.
const metrics = createStoreMetrics(registry, () => queue.depth);
const queue = new AuditQueue(
  () => new Promise<void>(() => undefined), // the store never answers
  () => Promise.resolve(false),
  metrics,
  silentLogger(),
  { maxRetryDelayMs: 60_000 },
);
const offered = Math.ceil(DEFAULT_AUDIT_QUEUE_OPTIONS.maxQueue * 1.2);
for (let i = 0; i < offered; i++) queue.record(realisticRecord());
const dropped = (await metrics.auditDropped.get()).values.reduce((sum, v) => sum + v.value, 0);
process.stdout.write(
  `${JSON.stringify({
    maxQueue: DEFAULT_AUDIT_QUEUE_OPTIONS.maxQueue,
    depth: queue.depth,
    dropped,
    offered,
    heapUsed: process.memoryUsage().heapUsed,
    heapLimit: getHeapStatistics().heap_size_limit,
  })}\n`,
);
process.exit(0);
