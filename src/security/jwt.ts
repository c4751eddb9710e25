/**
 * EHR authentication: the CDS Hooks client JWT (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients) verified
 * with `jose`, following the spec and its best practices (cds-hooks-spec.md §9.3):
 * alg on an allow-list (never `none`, never HS*), `typ` JWT, `kid` required; issuer trusted; `jku` only from the
 * issuer's allow-list (any other is never fetched); signature; `aud` exactly the URL called; `exp`, `iat`, lifetime
 * cap with a small skew; tenant; `jti` never replayed. Every failure resolves to `undefined` (→ 401 with a generic
 * body) and logs one line with the reason, never the token.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from 'jose';
import { ConfigError } from '../config.js';
import { type Result, err, ok } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TrustedClient } from './trustedClients.js';
import type { ClientIdentity, EhrAuthenticator, ReplayGuard } from './types.js';

/** The spec's recommended algorithms; other asymmetric ones only by explicit agreement (`algorithms`). */
export const DEFAULT_ALGORITHMS: readonly string[] = ['ES384', 'RS384'];
/** Asymmetric JWS algorithms that may be allowed at all. `none` and every HS* are forbidden by the spec. */
const PERMITTED_ALGORITHMS = new Set([
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
]);
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
/** A CDS Hooks JWT is a few hundred bytes; anything this large is not one and is not worth parsing. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const MAX_JTI_LENGTH = 256;
/** What is logged of a value read from a token (kid, jku, iss, jti): enough to recognise it, never kilobytes. */
const MAX_LOGGED_LENGTH = 100;

function clip(value: string): string {
  return value.length > MAX_LOGGED_LENGTH ? `${value.slice(0, MAX_LOGGED_LENGTH)}…` : value;
}

export interface JwksOptions {
  /** Abort a JWK Set fetch after this long. */
  readonly timeoutMs?: number;
  /** After a fetch, an unknown `kid` triggers no new fetch for this long: bounded refresh on rotation. */
  readonly cooldownMs?: number;
  /** A fetched JWK Set is used for this long before it is fetched again. */
  readonly cacheMaxAgeMs?: number;
  /** Replaces `fetch` for JWK Set downloads (tests; a proxy-aware fetch). */
  readonly fetch?: FetchImplementation;
}

export interface JwtAuthenticatorOptions {
  readonly clients: readonly TrustedClient[];
  /** Longest accepted `exp - iat`, in seconds (JWT_MAX_LIFETIME_SECONDS). */
  readonly maxLifetimeSeconds: number;
  readonly clockSkewSeconds?: number;
  readonly replayGuard: ReplayGuard;
  readonly logger: Logger;
  readonly algorithms?: readonly string[];
  readonly jwks?: JwksOptions;
  /** The clock, for tests. */
  readonly now?: () => Date;
}

/** Why a token was refused: logged, never sent. Also the `reason` field of the log line. */
export interface Rejection {
  readonly reason: string;
  readonly issuer?: string;
  readonly kid?: string;
  readonly jku?: string;
  readonly jti?: string;
}

/** The audience a request must carry: the public base URL plus the path, without query string. */
export function audienceFor(publicBaseUrl: string, path: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

function checkAlgorithms(algorithms: readonly string[]): string[] {
  if (algorithms.length === 0) throw new ConfigError('the JWT algorithm allow-list must not be empty');
  for (const alg of algorithms) {
    if (!PERMITTED_ALGORITHMS.has(alg)) {
      throw new ConfigError(
        `JWT algorithm "${alg}" cannot be allowed: only asymmetric algorithms (${[...PERMITTED_ALGORITHMS].join(', ')}) are`,
      );
    }
  }
  return [...algorithms];
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-_.]+) *$/i.exec(authorization);
  return match?.[1];
}

/** Tries each key source in turn: inline keys first, then the fetched set, when the `kid` is not in the first. */
function firstMatching(sources: readonly JWTVerifyGetKey[]): JWTVerifyGetKey {
  return async (header, token) => {
    // Made only when needed: a JOSE error carries a stack, too dear to build on every call (docs/performance.md).
    let last: errors.JWKSNoMatchingKey | undefined;
    for (const source of sources) {
      try {
        return await source(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        last = error;
      }
    }
    throw last ?? new errors.JWKSNoMatchingKey();
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the JWK Set matches kid';
  if (error instanceof errors.JWKSTimeout) return 'JWK Set fetch timed out';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim "${error.claim}" ${error.reason}: ${error.message}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  // fetch failures (DNS, refused connection) surface as TypeError("fetch failed").
  if (error instanceof TypeError) return `JWK Set could not be fetched: ${error.message}`;
  return 'verification error';
}

function audienceMatches(aud: JWTPayload['aud'], url: string): boolean {
  // CDS Hooks: a single string or a one-element array, equal to the exact URL called.
  if (typeof aud === 'string') return aud === url;
  return Array.isArray(aud) && aud.length === 1 && aud[0] === url;
}

export function createJwtAuthenticator(options: JwtAuthenticatorOptions): EhrAuthenticator {
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS);
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const now = options.now ?? (() => new Date());
  const { replayGuard, logger, maxLifetimeSeconds } = options;
  const clients = new Map(options.clients.map((c) => [c.iss, c]));
  const localSets = new Map(
    options.clients.flatMap((c) => (c.jwks ? [[c.iss, createLocalJWKSet(c.jwks)] as const] : [])),
  );
  // One cached remote set per URL, created on first use, shared by every issuer that allows that URL.
  const remoteSets = new Map<string, JWTVerifyGetKey>();
  const jwks = options.jwks ?? {};

  function remoteSet(url: string): JWTVerifyGetKey {
    let set = remoteSets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: jwks.timeoutMs ?? 5000,
        cooldownDuration: jwks.cooldownMs ?? 30_000,
        cacheMaxAge: jwks.cacheMaxAgeMs ?? 10 * 60_000,
        ...(jwks.fetch ? { [customFetch]: jwks.fetch } : {}),
      });
      remoteSets.set(url, set);
    }
    return set;
  }

  /**
   * The keys a token may be verified with, or why none may be used: the client's inline keys first, then the set
   * its `jku` names (only a URL on the client's list) or else its `jwks_url`, fetched only when no inline key has
   * the token's `kid`. An EHR that names its key set in every token is trusted on inline keys without outbound calls.
   */
  function keysFor(
    client: TrustedClient,
    header: ProtectedHeaderParameters,
  ): Result<JWTVerifyGetKey, string> {
    let remoteUrl = client.jwksUrl;
    if (header.jku !== undefined) {
      let jku: string;
      try {
        jku = new URL(header.jku).href;
      } catch {
        return err('jku is not a URL');
      }
      if (!client.allowedJku.includes(jku)) return err("jku is not on the issuer's allow-list");
      remoteUrl = jku;
    }
    const sources: JWTVerifyGetKey[] = [];
    const local = localSets.get(client.iss);
    if (local) sources.push(local);
    if (remoteUrl) sources.push(remoteSet(remoteUrl));
    return ok(firstMatching(sources));
  }

  async function verify(
    authorization: string | undefined,
    url: string,
  ): Promise<Result<ClientIdentity, Rejection>> {
    const token = bearerToken(authorization);
    if (token === undefined)
      return err({
        reason: authorization === undefined ? 'no bearer token' : 'malformed Authorization header',
      });
    if (token.length > MAX_TOKEN_LENGTH) return err({ reason: 'token too large' });

    let header: ProtectedHeaderParameters;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      return err({ reason: 'token is not a JWS compact JWT' });
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const issuer = typeof unverified.iss === 'string' ? unverified.iss : undefined;
    // What the log may say about the token: its identifiers, each cut short (a kid of kilobytes is not a kid).
    const ids = {
      ...(issuer === undefined ? {} : { issuer: clip(issuer) }),
      ...(kid === undefined ? {} : { kid: clip(kid) }),
      ...(typeof header.jku === 'string' ? { jku: clip(header.jku) } : {}),
    };

    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      return err({ ...ids, reason: `alg "${String(header.alg).slice(0, 20)}" is not allowed` });
    }
    if (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')
      return err({ ...ids, reason: 'typ is not JWT' });
    if (!kid) return err({ ...ids, reason: 'kid is missing' });
    if (header.jku !== undefined && typeof header.jku !== 'string')
      return err({ ...ids, reason: 'jku is not a string' });
    const client = issuer === undefined ? undefined : clients.get(issuer);
    if (!client)
      return err({ ...ids, reason: issuer === undefined ? 'iss is missing' : 'issuer is not trusted' });

    const keys = keysFor(client, header);
    if (!keys.ok) return err({ ...ids, reason: keys.error });

    const at = now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.value, {
        algorithms,
        issuer: client.iss,
        requiredClaims: ['exp', 'iat', 'jti'],
        clockTolerance: skew,
        currentDate: at,
      }));
    } catch (error) {
      return err({ ...ids, reason: describeJoseError(error) });
    }

    const { exp, iat, jti } = payload as { exp: number; iat: number; jti: unknown };
    // No control character: a NUL cannot even be stored in PostgreSQL text.
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH || /\p{Cc}/u.test(jti)) {
      return err({
        ...ids,
        reason: 'jti must be a string of 1 to 256 characters without control characters',
      });
    }
    const withJti = { ...ids, jti: clip(jti) };
    if (!audienceMatches(payload.aud, url))
      return err({ ...withJti, reason: `aud does not equal the URL called (${url})` });
    const nowSeconds = Math.floor(at.getTime() / 1000);
    if (iat > nowSeconds + skew) return err({ ...withJti, reason: 'iat is in the future' });
    if (exp - iat > maxLifetimeSeconds) {
      return err({ ...withJti, reason: `lifetime exp - iat = ${exp - iat}s exceeds ${maxLifetimeSeconds}s` });
    }
    const tenant = typeof payload.tenant === 'string' ? payload.tenant : undefined;
    if (client.tenant !== undefined && tenant !== client.tenant)
      return err({ ...withJti, reason: 'tenant does not match' });

    // Last, so that a token failing any other check does not use up its jti.
    let fresh: boolean;
    try {
      fresh = await replayGuard.rememberJti(client.iss, jti, new Date((exp + skew) * 1000));
    } catch (error) {
      // Fail closed: without the replay store a captured token could be replayed.
      logger.error('jti replay store unavailable', { error: (error as Error).message });
      return err({ ...withJti, reason: 'replay check unavailable' });
    }
    if (!fresh) return err({ ...withJti, reason: 'jti replayed' });

    return ok({
      issuer: client.iss,
      ...(tenant === undefined ? {} : { tenant }),
      fhirServers: client.fhirServers,
    });
  }

  return {
    async authenticate({ authorization, url }) {
      const result = await verify(authorization, url);
      if (result.ok) return result.value;
      logger.warn('ehr authentication failed', { ...result.error });
      return undefined;
    },
  };
}
