/**
 * The policies around model calls: a circuit breaker that opens on a failure rate (5xx, connection errors, no
 * answer within `maxCallMs`; a late answer is a success) and a bulkhead bounding the calls out at once.
 */
import {
  type BulkheadPolicy,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  handleWhen,
  SamplingBreaker,
} from 'cockatiel';
import type { Logger } from '../../logger.js';
import type { ModelMetrics } from './metrics.js';
import type { ModelAdvisorOptions } from './options.js';
import { ModelCallError } from './waiting.js';

export type CircuitName = 'closed' | 'open' | 'half-open' | 'isolated';

const CIRCUIT_NAMES: Readonly<Record<CircuitState, CircuitName>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export const circuitName = (state: CircuitState): CircuitName => CIRCUIT_NAMES[state];

export function callPolicies(
  options: ModelAdvisorOptions,
  metrics: ModelMetrics,
  logger: Logger,
): { readonly breaker: CircuitBreakerPolicy; readonly bulkhead: BulkheadPolicy } {
  const breaker = circuitBreaker(
    handleWhen((err) => err instanceof ModelCallError && err.failure.tripsBreaker),
    {
      halfOpenAfter: options.breakerCooldownMs,
      breaker: new SamplingBreaker({
        threshold: options.breakerFailureRate,
        duration: options.breakerWindowMs,
        minimumRps: (options.breakerMinimumCalls * 1000) / options.breakerWindowMs,
      }),
    },
  );
  breaker.onStateChange((state) => {
    metrics.circuitOpen.set(state === CircuitState.Closed ? 0 : 1);
    logger.warn('model circuit breaker state changed', { state: CircuitState[state] });
  });
  return { breaker, bulkhead: bulkhead(options.maxConcurrentCalls, options.maxQueuedCalls) };
}
