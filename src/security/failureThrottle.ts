/**
 * Failed audit-token attempts per client address (the audit API, the admin API and the dashboard login share one
 * count): past `limit` failures within a window, a failure is answered 429 with Retry-After instead of 401.
 *
 * Only failures count, and the caller checks the token first: a right token is accepted from any address,
 * throttled or not, so colleagues behind one NAT address are never locked out by someone else's typos (or by an
 * attacker). That also means the throttle cannot stop a guessing run from that address, only make it loud (429s,
 * counted in /metrics, logged once per window): what makes guessing hopeless is the token's length (AUDIT_TOKENS
 * entries of at least 32 characters).
 */
import { MemoryStore, type Options, ipKeyGenerator } from 'express-rate-limit';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** Where a token was presented: the label of the metrics. */
export type AuditSurface = 'audit_api' | 'admin' | 'login';

export interface FailureThrottleOptions {
  /** Failures allowed per address per window before they are answered 429. */
  readonly limit?: number;
  readonly windowMs?: number;
  readonly logger: Logger;
  readonly metricsRegistry?: Registry;
}

/** What to answer a failed attempt. */
export type FailureVerdict =
  { readonly throttled: false } | { readonly throttled: true; readonly retryAfterSeconds: number };

export const DEFAULT_FAILURES_PER_MINUTE = 10;

export class FailureThrottle {
  private readonly store = new MemoryStore();
  private readonly limit: number;
  private readonly failures: Counter<'surface'>;
  private readonly throttled: Counter<'surface'>;

  constructor(private readonly options: FailureThrottleOptions) {
    this.limit = options.limit ?? DEFAULT_FAILURES_PER_MINUTE;
    // express-rate-limit's own store (fixed windows, expired clients dropped in bulk); it reads only windowMs.
    this.store.init({ windowMs: options.windowMs ?? 60_000 } as Options);
    const registers = options.metricsRegistry ? [options.metricsRegistry] : [];
    this.failures = new Counter({
      name: 'cds_audit_auth_failures_total',
      help: 'Wrong audit tokens presented, by surface (audit_api, admin, login)',
      labelNames: ['surface'],
      registers,
    });
    this.throttled = new Counter({
      name: 'cds_audit_auth_throttled_total',
      help: 'Wrong audit tokens answered 429 because their client address had failed too often, by surface',
      labelNames: ['surface'],
      registers,
    });
  }

  /** Records a failed attempt from `ip` and says whether to answer it 429. */
  async fail(ip: string | undefined, surface: AuditSurface): Promise<FailureVerdict> {
    this.failures.inc({ surface });
    const client = ipKeyGenerator(ip ?? 'unknown');
    const { totalHits, resetTime } = await this.store.increment(client);
    if (totalHits <= this.limit) return { throttled: false };
    this.throttled.inc({ surface });
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000),
    );
    // Once per address and window: a guessing run is one line, not thousands.
    if (totalHits === this.limit + 1) {
      this.options.logger.warn('audit authentication throttled', { client, surface, retryAfterSeconds });
    }
    return { throttled: true, retryAfterSeconds };
  }
}
