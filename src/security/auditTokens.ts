/**
 * The safety team's credentials: audit tokens (AUDIT_TOKENS), checked in constant time, and the dashboard's
 * server-side sessions. The HTTP side (login routes, the middleware on `/audit/api` and `/admin`) is
 * `src/http/routes/auditAuth.ts`.
 *
 * When AUDIT_TOKENS is unset a random token is generated and logged once, as `audit token generated`: the one
 * log line that carries a secret, on purpose, so that a fresh `npm start` is usable. Set AUDIT_TOKENS in any
 * deployment whose logs are shipped anywhere.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { checkAuditTokens } from '../config.js';
import type { Logger } from '../logger.js';

export interface AuditTokenVerifier {
  /** Constant-time check of a presented token against every configured one. */
  verify(candidate: string | undefined): boolean;
  /** True when the token was generated at start because AUDIT_TOKENS was unset. */
  readonly generated: boolean;
}

export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`: equal lengths whatever was sent, and every
 * configured token is compared, so neither length nor position leaks through timing.
 */
export function createAuditTokenVerifier(tokens: readonly string[], logger: Logger): AuditTokenVerifier {
  checkAuditTokens(tokens);
  const generated = tokens.length === 0;
  const list = generated ? [randomSecret()] : tokens;
  if (generated) {
    logger.warn('audit token generated', {
      auditToken: list[0],
      hint: 'AUDIT_TOKENS is unset: this token, valid until restart, opens /audit and /admin. Set AUDIT_TOKENS to choose your own.',
    });
  }
  const digests = list.map(sha256);
  return {
    generated,
    verify(candidate) {
      if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 4096) return false;
      const presented = sha256(candidate);
      let match = false;
      for (const digest of digests) match = timingSafeEqual(presented, digest) || match;
      return match;
    },
  };
}

export interface AuditSession {
  readonly id: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/**
 * Server-side sessions: the cookie holds only an opaque random id. In memory, bounded, expiring; with several
 * instances a browser session lives on the instance that created it (tools use bearer tokens and are unaffected).
 */
export class AuditSessionStore {
  private readonly sessions = new Map<string, AuditSession>();

  constructor(
    readonly ttlMs = 8 * 60 * 60 * 1000,
    private readonly maxSessions = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  create(): AuditSession {
    const now = this.clock();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session = { id: randomSecret(), csrfToken: randomSecret(), expiresAt: now + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): AuditSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.clock()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }
}
