/**
 * Prometheus metrics. One registry per app instance (tests build many apps in one process), passed around as
 * `Metrics`. Other modules register their own metrics on `metrics.registry`.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'service' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'service' | 'status'>;
  readonly prefetchFetches: Counter<'key' | 'outcome'>;
  readonly droppedCards: Counter<'service' | 'advisor'>;
  readonly advisorRuns: Counter<'service' | 'advisor' | 'status'>;
  readonly advisorDuration: Histogram<'service' | 'advisor'>;
  readonly suppressedFindings: Counter<'service'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'cds_http_requests_total',
      help: 'HTTP requests by route, CDS service id and status code',
      labelNames: ['route', 'service', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'cds_http_request_duration_seconds',
      help: 'HTTP request duration by route, CDS service id and status code',
      labelNames: ['route', 'service', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    prefetchFetches: new Counter({
      name: 'cds_prefetch_fetches_total',
      help: 'Prefetch keys fetched from the EHR FHIR server because the request did not carry them, by outcome',
      labelNames: ['key', 'outcome'],
      registers: [registry],
    }),
    droppedCards: new Counter({
      name: 'cds_cards_dropped_total',
      help: 'Cards that failed outgoing validation and were not sent',
      labelNames: ['service', 'advisor'],
      registers: [registry],
    }),
    advisorRuns: new Counter({
      name: 'cds_advisor_runs_total',
      help: 'Advisor runs by service, advisor and outcome status',
      labelNames: ['service', 'advisor', 'status'],
      registers: [registry],
    }),
    advisorDuration: new Histogram({
      name: 'cds_advisor_duration_seconds',
      help: 'Advisor latency by service and advisor',
      labelNames: ['service', 'advisor'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    suppressedFindings: new Counter({
      name: 'cds_findings_suppressed_total',
      help: 'Findings left out at order-sign: the same clinician overrode them, with a reason, at order-select',
      labelNames: ['service'],
      registers: [registry],
    }),
  };
}
