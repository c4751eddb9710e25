/**
 * How a model run ends, told once: the ways a call can fail mapped to advisor outcomes, and each outcome counted
 * and logged (debug, or warn for an error; reasons and provider codes only, never chart data or model text).
 */
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError } from 'cockatiel';
import type { Logger } from '../../logger.js';
import type { AdvisorOutcome, AdvisorStatus } from '../types.js';
import type { Finding } from '../../findings/types.js';
import type { CallFailure } from './gateway/index.js';
import type { ModelMetrics, ModelOutcomeLabel } from './metrics.js';
import { OutputRejectedError } from './output.js';
import { DeadlineMissedError, ModelCallError, QueuedPastDeadlineError } from './waiting.js';

export interface Ending {
  readonly status: AdvisorStatus;
  readonly findings: readonly Finding[];
  readonly reason?: string;
  readonly failure?: CallFailure;
}

/** The outcome an expected failure stands for; undefined for anything else (a fault of ours). */
export function endingOf(
  err: unknown,
): readonly [AdvisorStatus, readonly Finding[], string, CallFailure?] | undefined {
  if (err instanceof DeadlineMissedError) return ['timeout', [], 'deadline'];
  if (err instanceof QueuedPastDeadlineError) return ['timeout', [], 'queued'];
  // instanceof, not cockatiel's is…Error helpers: in 3.2 isIsolatedCircuitError matches a bulkhead rejection.
  if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError)
    return ['circuit-open', [], 'circuit-open'];
  if (err instanceof BulkheadRejectedError) return ['rate-limited', [], 'concurrency-limit'];
  if (err instanceof OutputRejectedError) return ['rejected', [], err.reason];
  if (err instanceof ModelCallError) return [err.failure.status, [], err.failure.reason, err.failure];
  return undefined;
}

export function reportOutcome(
  metrics: ModelMetrics,
  logger: Logger,
  serviceId: string,
  startedAt: number,
  { status, findings, reason, failure }: Ending,
): AdvisorOutcome {
  const label: ModelOutcomeLabel =
    status === 'rejected' ? 'output-rejected' : reason === 'nothing-to-review' ? 'skipped' : status;
  metrics.outcomes.inc({ service: serviceId, outcome: label });
  const latencyMs = performance.now() - startedAt;
  const level = status === 'error' ? 'warn' : 'debug';
  // winston builds and streams a line before its level filter drops it: ask first (debug is off by default).
  if (logger.isLevelEnabled(level)) {
    logger.log(level, 'model advice', {
      status,
      reason,
      findings: findings.length,
      latencyMs: Math.round(latencyMs),
      ...(failure?.provider && {
        httpStatus: failure.provider.httpStatus,
        code: failure.provider.code,
        param: failure.provider.param,
      }),
    });
  }
  return { advisor: 'model', status, findings, latencyMs, ...(reason && { reason }) };
}
