/**
 * How late the event loop has been running lately. Under load, a hook call waits about that long before it is
 * even read, and its deadline timer fires about that late: the services route brings the deadline forward by both
 * (`budgetLeftMs`), so the EHR does not wait past the budget when the service is busy.
 *
 * Measured with a timer of our own (how late each tick fires): perf_hooks' monitorEventLoopDelay did not record
 * a 150 ms block of the loop on Node 20.
 */
export interface LoopLag {
  /** The worst lateness seen in the current and the previous window, in ms (about 0 when the loop keeps up). */
  recentMs(): number;
  stop(): void;
}

export const NO_LAG: LoopLag = { recentMs: () => 0, stop: () => undefined };

export interface LoopLagOptions {
  /** How often the loop is sampled. */
  readonly tickMs?: number;
  /** Lateness older than one to two windows is forgotten. */
  readonly windowMs?: number;
  readonly clock?: () => number;
}

export function monitorLoopLag(options: LoopLagOptions = {}): LoopLag {
  const { tickMs = 20, windowMs = 500, clock = () => performance.now() } = options;
  let previousMaxMs = 0;
  let currentMaxMs = 0;
  let windowEndsAt = clock() + windowMs;
  let expected = clock() + tickMs;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const now = clock();
    currentMaxMs = Math.max(currentMaxMs, now - expected);
    if (now >= windowEndsAt) {
      previousMaxMs = currentMaxMs;
      currentMaxMs = 0;
      windowEndsAt = now + windowMs;
    }
    expected = now + tickMs;
    timer = setTimeout(tick, tickMs);
    timer.unref();
  };
  timer = setTimeout(tick, tickMs);
  timer.unref();
  let stopped = false;
  return {
    recentMs: () => (stopped ? 0 : Math.max(previousMaxMs, currentMaxMs, clock() - expected, 0)),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

let shared: LoopLag | undefined;

/**
 * The event loop is the process's, so one monitor serves every app in it (tests boot dozens): started on first
 * use, never stopped (its timer does not keep the process alive).
 */
export function processLoopLag(): LoopLag {
  shared ??= monitorLoopLag();
  return shared;
}

/** At most this share of the budget is given up for the loop's lag: the rest stays for the advisors. */
export const MAX_LAG_SHARE = 0.25;

/**
 * What is left of the budget for a call read `elapsedMs` after it arrived (as far as the service can tell), with
 * the loop running `lagMs` late: one lag for the wait before the call was read, one for its deadline timer.
 */
export function budgetLeftMs(budgetMs: number, elapsedMs: number, lagMs: number): number {
  return budgetMs - elapsedMs - Math.min(2 * lagMs, budgetMs * MAX_LAG_SHARE);
}
