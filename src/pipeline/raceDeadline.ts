/**
 * An advisor is asked to settle when its signal aborts; this makes sure of it. Whatever the advisor does after
 * the deadline, the hook's answer does not wait for it.
 */
import type { AdvisorOutcome } from '../advisors/types.js';
import type { AdvisorName } from '../findings/types.js';
import { settleBy } from '../timing/settleBy.js';

export function raceDeadline(
  advisor: AdvisorName,
  run: Promise<AdvisorOutcome>,
  signal: AbortSignal,
  startedAt: number,
): Promise<AdvisorOutcome> {
  const ended = (status: 'timeout' | 'error', reason: string): AdvisorOutcome => ({
    advisor,
    status,
    findings: [],
    latencyMs: performance.now() - startedAt,
    reason,
  });
  return settleBy(
    run,
    signal,
    () => ended('timeout', 'deadline'),
    () => ended('error', 'exception'),
  );
}
