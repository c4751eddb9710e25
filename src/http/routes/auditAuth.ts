/**
 * Access to the safety team's surfaces: the audit API (`/audit/api/*`), the admin API (`/admin/*`) and the
 * dashboard's browser session. Tools send `Authorization: Bearer <token>` with a token from AUDIT_TOKENS; the
 * dashboard exchanges a token once for a session cookie (HttpOnly, SameSite=Strict, Secure on https) and sends a
 * CSRF token with every state-changing call (synchronizer token kept with the session on the server).
 */
import { timingSafeEqual } from 'node:crypto';
import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Registry } from 'prom-client';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  type AuditSession,
  AuditSessionStore,
  type AuditTokenVerifier,
  sha256,
} from '../../security/auditTokens.js';
import { type AuditSurface, FailureThrottle } from '../../security/failureThrottle.js';

export interface AuditAuthOptions {
  readonly verifier: AuditTokenVerifier;
  /** Cookies get `Secure` (and the `__Host-` prefix) when the public URL is https. */
  readonly secureCookies: boolean;
  readonly logger: Logger;
  readonly sessions?: AuditSessionStore;
  /** Wrong tokens allowed per client address per minute (API, admin and login together) before 429s. */
  readonly failedAttemptsPerMinute?: number;
  /** Where the throttle's counters go (the app's /metrics registry). */
  readonly metricsRegistry?: Registry;
}

export interface AuditAuth {
  /** `POST /audit/login`, `GET /audit/session`, `POST /audit/logout`. Mount with `app.use(router)`. */
  readonly router: Router;
  /** Bearer token or session cookie (+ CSRF token on state-changing methods). For `/audit/api` and `/admin`. */
  readonly requireAuditToken: RequestHandler;
  readonly sessions: AuditSessionStore;
  readonly cookieName: string;
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function bearer(req: Request): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

export function createAuditAuth(options: AuditAuthOptions): AuditAuth {
  const { verifier, secureCookies, logger } = options;
  const sessions = options.sessions ?? new AuditSessionStore();
  // `__Host-` makes the browser refuse the cookie unless Secure, Path=/ and host-only: no subdomain can plant it.
  const cookieName = secureCookies ? '__Host-cds-audit' : 'cds-audit';

  function setSessionCookie(res: Response, value: string, maxAgeMs: number): void {
    const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
    if (secureCookies) attributes.push('Secure');
    res.append('Set-Cookie', `${cookieName}=${value}; ${attributes.join('; ')}`);
  }

  function sessionOf(req: Request): AuditSession | undefined {
    return sessions.get(readCookie(req, cookieName));
  }

  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };

  const throttle = new FailureThrottle({
    logger,
    ...(options.failedAttemptsPerMinute === undefined ? {} : { limit: options.failedAttemptsPerMinute }),
    ...(options.metricsRegistry ? { metricsRegistry: options.metricsRegistry } : {}),
  });

  /**
   * A wrong token: 401, or 429 with Retry-After once its address has failed too often. Called only after the token
   * was checked, so a right token never gets here, throttled address or not.
   */
  function refuse(req: Request, res: Response, next: NextFunction, surface: AuditSurface): void {
    throttle.fail(req.ip, surface).then((verdict) => {
      if (!verdict.throttled) {
        logger.warn('audit authentication failed', { reason: 'invalid token', surface });
        next(new AppError('unauthorized', 'Unauthorized'));
        return;
      }
      res.set('Retry-After', String(verdict.retryAfterSeconds));
      next(new AppError('too_many_requests', 'Too many wrong tokens from this address; try again later'));
    }, next);
  }

  const requireAuditToken: RequestHandler = (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    if (req.get('authorization') !== undefined) {
      // An Authorization header decides alone: a bad token is not rescued by a cookie.
      if (verifier.verify(bearer(req))) {
        res.locals.auditPrincipal = 'token';
        next();
        return;
      }
      refuse(req, res, next, req.originalUrl.startsWith('/admin') ? 'admin' : 'audit_api');
      return;
    }
    const session = sessionOf(req);
    if (!session) {
      next(new AppError('unauthorized', 'Unauthorized'));
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      const presented = req.get(CSRF_HEADER);
      if (presented === undefined || !sameSecret(presented, session.csrfToken)) {
        logger.warn('audit csrf check failed', { path: req.path.slice(0, 200), method: req.method });
        next(new AppError('forbidden', 'Missing or invalid CSRF token'));
        return;
      }
    }
    res.locals.auditPrincipal = 'session';
    next();
  };

  const router = Router();
  router.post(
    '/audit/login',
    noStore,
    express.json({ limit: '4kb' }),
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req, res, next) => {
      // Browsers mark cross-site form posts; a login from another site is never ours (login CSRF).
      if (req.get('sec-fetch-site') === 'cross-site') {
        next(new AppError('forbidden', 'Cross-site login refused'));
        return;
      }
      const token = (req.body as { token?: unknown } | undefined)?.token;
      if (!verifier.verify(typeof token === 'string' ? token : undefined)) {
        refuse(req, res, next, 'login');
        return;
      }
      const previous = readCookie(req, cookieName);
      if (previous) sessions.delete(previous);
      // A fresh id on every login: a session id known before login (fixation) is worthless.
      const session = sessions.create();
      setSessionCookie(res, session.id, sessions.ttlMs);
      logger.info('audit login');
      res.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
    },
  );
  router.get('/audit/session', noStore, (req, res, next) => {
    const session = sessionOf(req);
    if (!session) {
      next(new AppError('unauthorized', 'Unauthorized'));
      return;
    }
    res.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });
  router.post('/audit/logout', requireAuditToken, (req, res) => {
    const id = readCookie(req, cookieName);
    if (id) sessions.delete(id);
    setSessionCookie(res, '', 0);
    res.status(204).end();
  });

  return { router, requireAuditToken, sessions, cookieName };
}
