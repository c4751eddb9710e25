/**
 * Model advisor metrics, registered on the app's prom-client registry (one per app: tests build many apps in one
 * process, so nothing here touches the global registry).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Every way a model run can end, as counted; `output-rejected` is the advisor status `rejected`. */
export type ModelOutcomeLabel =
  | 'ok'
  | 'cached'
  | 'timeout'
  | 'error'
  | 'rate-limited'
  | 'circuit-open'
  | 'output-rejected'
  | 'disabled'
  | 'skipped';

export interface ModelMetrics {
  readonly outcomes: Counter<'service' | 'outcome'>;
  readonly calls: Counter<'outcome' | 'code'>;
  readonly callDuration: Histogram<'outcome'>;
  readonly lateAnswers: Counter<'outcome'>;
  readonly itemsDropped: Counter<'reason'>;
  readonly tokens: Counter<'type'>;
  readonly circuitOpen: Gauge;
  readonly laneUsable: Gauge;
}

/**
 * Metrics are looked up before they are made: a second advisor on the same registry (a rebuilt app, a tool)
 * shares them instead of failing on a duplicate name.
 */
export function createModelMetrics(registry: Registry): ModelMetrics {
  const registers = [registry];
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    existing<Counter<L>>(name) ?? new Counter({ name, help, labelNames, registers });
  return {
    outcomes: counter(
      'cds_model_advice_total',
      'Model advisor runs by CDS service and outcome (ok, cached, timeout, error, rate-limited, circuit-open, output-rejected, disabled, skipped)',
      ['service', 'outcome'],
    ),
    calls: counter(
      'cds_model_calls_total',
      "Calls to the model endpoint by outcome and the provider's error code (none when it gave none), whether or not a hook was still waiting",
      ['outcome', 'code'],
    ),
    callDuration:
      existing<Histogram<'outcome'>>('cds_model_call_duration_seconds') ??
      new Histogram({
        name: 'cds_model_call_duration_seconds',
        help: 'Model endpoint call duration by outcome',
        labelNames: ['outcome'],
        buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
        registers,
      }),
    lateAnswers: counter(
      'cds_model_late_answers_total',
      'Model calls that finished after every waiting hook had answered: cached for the next hook, or lost',
      ['outcome'],
    ),
    itemsDropped: counter(
      'cds_model_items_dropped_total',
      'Model advice items (or their suggestions) removed by validation, guards and claim checks, by reason (invalid-item, no-citation, unknown-alias, outside-focus, empty-text, escalating-text, blanket-discontinuation, too-many, duplicate, claim-not-a-series, claim-missing, claim-unstated, claim-contradicted, too-many-insights, suggestion-*)',
      ['reason'],
    ),
    tokens: counter(
      'cds_model_tokens_total',
      "Tokens the model endpoint reported using (its response's usage), by type (prompt, completion): what the model costs",
      ['type'],
    ),
    circuitOpen:
      existing<Gauge>('cds_model_circuit_open') ??
      new Gauge({
        name: 'cds_model_circuit_open',
        help: '1 while the model circuit breaker is open or half-open (model calls skipped), else 0',
        registers,
      }),
    laneUsable:
      existing<Gauge>('cds_model_lane_usable') ??
      new Gauge({
        name: 'cds_model_lane_usable',
        help: '1 while the model lane is usable; 0 while a repeated configuration error (misconfigured, unauthorised) has stopped model calls',
        registers,
      }),
  };
}
