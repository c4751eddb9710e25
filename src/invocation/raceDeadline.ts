/**
 * An advisor is asked to settle when its signal aborts; this makes sure of it. Whatever the advisor does after
 * the deadline, the hook's answer does not wait for it.
 */
import type { AdvisorName, AdvisorOutcome } from '../advisors/types.js';

export function raceDeadline(
  advisor: AdvisorName,
  run: Promise<AdvisorOutcome>,
  signal: AbortSignal,
  startedAt: number,
): Promise<AdvisorOutcome> {
  const timedOut = (): AdvisorOutcome => ({
    advisor,
    status: 'timeout',
    findings: [],
    latencyMs: performance.now() - startedAt,
    reason: 'deadline',
  });
  if (signal.aborted) return Promise.resolve(timedOut());
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(timedOut());
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(
      (outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve({
          advisor,
          status: 'error',
          findings: [],
          latencyMs: performance.now() - startedAt,
          reason: 'exception',
        });
      },
    );
  });
}
