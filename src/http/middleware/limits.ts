/**
 * Limits that keep one client from starving the others: request rates (express-rate-limit), server timeouts so
 * slow clients cannot pin connections, and a bound on concurrent requests toward each FHIR server.
 */
import type { Server } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { type Options, ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '../../errors.js';
import type { ClientIdentity } from '../../security/types.js';

export interface RateLimitOptions {
  readonly windowMs?: number;
  /** Requests allowed per key per window. */
  readonly limit?: number;
}

export const DEFAULT_CLIENT_RATE_LIMIT = { windowMs: 60_000, limit: 600 } as const;
export const DEFAULT_IP_RATE_LIMIT = { windowMs: 60_000, limit: 1200 } as const;

/**
 * The key: the authenticated EHR (`res.locals.client.issuer`, and tenant when present) so that all instances of
 * one EHR behind a NAT share a budget and two EHRs behind one proxy do not; the IP otherwise (unauthenticated
 * development mode, where everyone is the anonymous client). IPv6 addresses are grouped by /56 as
 * express-rate-limit recommends, so one host cannot rotate through its own prefix.
 */
export function rateLimitKey(client: ClientIdentity | undefined, ip: string | undefined): string {
  if (client && client.fhirServers !== 'any') {
    return `client:${client.issuer}${client.tenant === undefined ? '' : `#${client.tenant}`}`;
  }
  return `ip:${ipKeyGenerator(ip ?? 'unknown')}`;
}

function limiter(
  options: Required<RateLimitOptions>,
  key: (req: Request, res: Response) => string,
  extra: Partial<Options> = {},
): RequestHandler {
  return rateLimit({
    ...extra,
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    // rateLimitKey does call ipKeyGenerator; the library's source-text heuristic cannot see that through it.
    validate: { keyGeneratorIpFallback: false },
    // The one error handler shapes the 429 body like every other error.
    handler: (_req, _res, next) => next(new AppError('too_many_requests', 'Too many requests; slow down')),
  });
}

/** Per-client limit; mount after authentication so `res.locals.client` is known. */
export function clientRateLimit(options: RateLimitOptions = {}): RequestHandler {
  return limiter({ ...DEFAULT_CLIENT_RATE_LIMIT, ...options }, (req, res) =>
    rateLimitKey(res.locals.client, req.ip),
  );
}

/**
 * Per-IP limit on failed requests (status >= 400); mount before authentication, so a spray of bad tokens is cut
 * off before it costs JWT verifications. Successes do not count: EHRs behind one proxy share an IP, and their
 * volume is limited per EHR after authentication.
 */
export function ipRateLimit(options: RateLimitOptions = {}): RequestHandler {
  return limiter({ ...DEFAULT_IP_RATE_LIMIT, ...options }, (req) => rateLimitKey(undefined, req.ip), {
    skipSuccessfulRequests: true,
  });
}

export interface ServerTimeouts {
  /** Time to receive the complete request headers (slowloris). */
  readonly headersTimeoutMs?: number;
  /** Time to receive the complete request, body included. */
  readonly requestTimeoutMs?: number;
  /** Idle time before a kept-alive connection is closed. */
  readonly keepAliveTimeoutMs?: number;
}

export const DEFAULT_SERVER_TIMEOUTS: Required<ServerTimeouts> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * Sets the timeouts on a listening or created `http.Server`. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, a `createServer` option), so a test that needs them to fire
 * quickly creates its server with a smaller interval.
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts = {}): void {
  const t = { ...DEFAULT_SERVER_TIMEOUTS, ...timeouts };
  // Node requires headersTimeout <= requestTimeout; keep-alive must stay below both.
  server.requestTimeout = t.requestTimeoutMs;
  server.headersTimeout = Math.min(t.headersTimeoutMs, t.requestTimeoutMs);
  server.keepAliveTimeout = Math.min(t.keepAliveTimeoutMs, server.headersTimeout);
  // A socket idle (neither reading nor writing) this long is closed; well above the longest hook budget (60 s).
  server.timeout = 2 * 60_000;
  server.maxHeadersCount = 100;
}

/** Who a task is, for a `ConcurrencyLimit` that gives some tasks precedence. */
export interface RunOptions {
  /**
   * `'high'` (the default) takes the next free slot before any `'low'` task. A `'low'` task starts only while no
   * `'high'` task waits and more than the limit's `lowPriorityReserve` slots are free, and it may be preempted.
   */
  readonly priority?: 'high' | 'low';
  /**
   * `'high'` only: once this fires while the task still waits, the newest running `'low'` task of its key is told
   * to stop (its `preempted` signal aborts), and its slot goes to the waiting `'high'` tasks when it settles.
   */
  readonly urgent?: AbortSignal;
}

export interface ConcurrencyLimitOptions {
  /** Slots a `'low'` task may never take: kept free for `'high'` tasks arriving (0: none). */
  readonly lowPriorityReserve?: number;
}

/** A queued task: `start` gives it its slot (counts it running). */
interface Waiter {
  readonly start: () => void;
}

/** One key's slots: how many run, who waits (high before low), and the low tasks running, oldest first. */
interface KeyState {
  running: number;
  readonly high: Waiter[];
  readonly low: Waiter[];
  /** Running low tasks not yet told to stop, in start order (a Set keeps insertion order). */
  readonly preemptible: Set<AbortController>;
}

/** Given to tasks that can never be preempted. */
const NEVER_PREEMPTED = new AbortController().signal;

/**
 * Bounds concurrent requests per key (a FHIR server's origin): at most `max` run at once, the rest wait in
 * order, and a waiter whose signal aborts leaves the queue. Protects the EHR's FHIR server from our own bursts.
 *
 * Two priorities (a prefetch key a service requires is `'high'`, an optional one `'low'`): waiting high tasks get
 * free slots first, low tasks leave `lowPriorityReserve` slots free, and a high task that becomes urgent while it
 * waits preempts a running low one. Neither cockatiel's bulkhead nor p-limit has priorities (one FIFO queue
 * each), hence this class. Without options, every task is high: one FIFO queue, as before.
 */
export class ConcurrencyLimit {
  private readonly keys = new Map<string, KeyState>();
  private readonly lowPriorityReserve: number;

  constructor(
    private readonly max: number,
    options: ConcurrencyLimitOptions = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
    const reserve = options.lowPriorityReserve ?? 0;
    if (!Number.isInteger(reserve) || reserve < 0 || reserve >= max)
      throw new RangeError('lowPriorityReserve must be an integer from 0 to max - 1');
    this.lowPriorityReserve = reserve;
  }

  /**
   * Runs `task` once `key` has a slot for it. `preempted` aborts only for a low task whose slot an urgent high
   * task claims: the task should stop then (its slot is freed when it settles).
   */
  async run<T>(
    key: string,
    signal: AbortSignal | undefined,
    task: (preempted: AbortSignal) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    const low = options.priority === 'low';
    // Created before the slot is granted: a low task is preemptible from the moment it holds a slot.
    const preemption = low ? new AbortController() : undefined;
    await this.acquire(key, signal, preemption, options.urgent);
    const state = this.stateOf(key);
    try {
      return await task(preemption?.signal ?? NEVER_PREEMPTED);
    } finally {
      if (preemption) state.preemptible.delete(preemption);
      this.release(key);
    }
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: 0, high: [], low: [], preemptible: new Set() };
      this.keys.set(key, state);
    }
    return state;
  }

  private hasRoom(state: KeyState, low: boolean): boolean {
    if (!low) return state.high.length === 0 && state.running < this.max;
    return (
      state.high.length === 0 && state.low.length === 0 && state.running < this.max - this.lowPriorityReserve
    );
  }

  /** Resolves once the task holds a slot of `key`; a low task (`preemption` given) is then preemptible. */
  private acquire(
    key: string,
    signal: AbortSignal | undefined,
    preemption: AbortController | undefined,
    urgent: AbortSignal | undefined,
  ): Promise<void> {
    signal?.throwIfAborted();
    const low = preemption !== undefined;
    const state = this.stateOf(key);
    const granted = (): void => {
      state.running += 1;
      if (preemption) state.preemptible.add(preemption);
    };
    if (this.hasRoom(state, low)) {
      granted();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = low ? state.low : state.high;
      const onUrgent = (): void => this.preemptNewestLow(state);
      const leave = (): void => {
        signal?.removeEventListener('abort', onAbort);
        urgent?.removeEventListener('abort', onUrgent);
      };
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        leave();
        this.pump(key, state);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        start: () => {
          leave();
          granted();
          resolve();
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!low && urgent) {
        if (urgent.aborted) onUrgent();
        else urgent.addEventListener('abort', onUrgent, { once: true });
      }
    });
  }

  /**
   * Tells the newest running low task to stop: its call came last, so its own deadline would keep the slot
   * longest, and the FHIR server has spent the least on it.
   */
  private preemptNewestLow(state: KeyState): void {
    const newest = [...state.preemptible].at(-1);
    if (!newest) return;
    state.preemptible.delete(newest);
    newest.abort(new DOMException('A required read needs this slot', 'AbortError'));
  }

  private release(key: string): void {
    const state = this.stateOf(key);
    state.running -= 1;
    this.pump(key, state);
  }

  /** Hands free slots to waiters, high first; forgets a key with nothing running or waiting. */
  private pump(key: string, state: KeyState): void {
    while (state.running < this.max && state.high.length > 0) state.high.shift()!.start();
    while (
      state.high.length === 0 &&
      state.low.length > 0 &&
      state.running < this.max - this.lowPriorityReserve
    )
      state.low.shift()!.start();
    if (state.running === 0 && state.high.length === 0 && state.low.length === 0) this.keys.delete(key);
  }
}
