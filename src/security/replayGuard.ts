/**
 * The JWT replay check as the service runs it (CDS Hooks 2.0: `jti` protects against replay). Every `jti` is
 * remembered twice: in this instance's memory, consulted first and always, and in the shared store (PostgreSQL:
 * across instances and restarts).
 *
 * The store is asked within a bounded wait (a share of ADVICE_BUDGET_MS: the check runs before the hook's own
 * deadline exists). When it fails or does not answer in time, the check goes on with the instance's memory alone
 * ("degraded"): the hook is answered and a replay to this instance is still refused, but a replay to another
 * instance is not caught until the store is back. After a few failures in a row the store is left alone for a
 * second, then tried again with one call, so an outage costs the hooks nothing and a recovery is noticed at once.
 * Degraded checks are counted (`cds_jwt_replay_checks_degraded_total{reason}`) and logged at most every 10 s.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  type IPolicy,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from 'cockatiel';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { MemoryReplayGuard } from './memoryReplayGuard.js';
import type { ReplayGuard } from './types.js';

/** The share of ADVICE_BUDGET_MS the shared store may take to answer a replay check. */
export const REPLAY_CHECK_BUDGET_SHARE = 0.25;

/** Why a check went on without the shared store (the metric's `reason` label). */
export type DegradedReason = 'store_error' | 'store_timeout' | 'store_skipped';

export interface LayeredReplayGuardOptions {
  /** The store every instance shares. */
  readonly shared: ReplayGuard;
  /** Longest wait for the shared store, in ms. */
  readonly waitMs: number;
  readonly logger: Logger;
  readonly metricsRegistry?: Registry;
  /** This instance's memory of recent jtis (default: 100,000 entries, each kept until its token expires). */
  readonly local?: MemoryReplayGuard;
  /** Failures or timeouts in a row after which the store is left alone for `retryAfterMs`. */
  readonly failuresToSkip?: number;
  readonly retryAfterMs?: number;
}

const LOG_EVERY_MS = 10_000;

export class LayeredReplayGuard implements ReplayGuard {
  private readonly local: MemoryReplayGuard;
  private readonly policy: IPolicy;
  private readonly degradedChecks: Counter<'reason'>;
  private degradedSinceLog = 0;
  private lastLog = 0;
  private degraded = false;

  constructor(private readonly options: LayeredReplayGuardOptions) {
    this.local = options.local ?? new MemoryReplayGuard(100_000, options.logger);
    this.policy = wrap(
      circuitBreaker(handleAll, {
        halfOpenAfter: options.retryAfterMs ?? 1000,
        breaker: new ConsecutiveBreaker(options.failuresToSkip ?? 3),
      }),
      // Aggressive: the answer does not wait for a store call that ignores cancellation (a hung connection).
      timeout(options.waitMs, TimeoutStrategy.Aggressive),
    );
    this.degradedChecks = new Counter({
      name: 'cds_jwt_replay_checks_degraded_total',
      help: 'JWT replay checks made on this instance alone because the shared store failed (store_error), did not answer in time (store_timeout) or was being left alone after failures (store_skipped)',
      labelNames: ['reason'],
      registers: options.metricsRegistry ? [options.metricsRegistry] : [],
    });
  }

  async rememberJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    // First and always: a replay to this instance is caught whatever the store does.
    if (!(await this.local.rememberJti(issuer, jti, expiresAt))) return false;
    let fresh: boolean;
    try {
      fresh = await this.policy.execute(() => this.options.shared.rememberJti(issuer, jti, expiresAt));
    } catch (error) {
      this.onDegraded(reasonOf(error), error);
      return true;
    }
    if (this.degraded) {
      this.degraded = false;
      this.options.logger.info('jti replay check: the shared store answers again', {
        degradedChecks: this.degradedSinceLog,
      });
      this.degradedSinceLog = 0;
    }
    return fresh;
  }

  private onDegraded(reason: DegradedReason, error: unknown): void {
    this.degradedChecks.inc({ reason });
    this.degraded = true;
    this.degradedSinceLog += 1;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    // Never the jti or the issuer's token: what happened and how often.
    this.options.logger.warn(
      'jti replay check degraded: the shared store is unavailable, replays are caught on this instance only',
      {
        reason,
        degradedChecks: this.degradedSinceLog,
        ...(reason === 'store_error' && { error: error instanceof Error ? error.message : String(error) }),
      },
    );
    this.degradedSinceLog = 0;
  }
}

function reasonOf(error: unknown): DegradedReason {
  if (error instanceof TaskCancelledError) return 'store_timeout';
  if (error instanceof BrokenCircuitError) return 'store_skipped';
  return 'store_error';
}
