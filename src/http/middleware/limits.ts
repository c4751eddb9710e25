/**
 * Limits that keep one client from starving the others: request rates (express-rate-limit) and server timeouts so
 * slow clients cannot pin connections. The bound on concurrent reads toward each FHIR server is
 * src/timing/concurrencyLimit.ts.
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
