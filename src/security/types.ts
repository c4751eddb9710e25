/**
 * Who is calling. The EHR authenticator (issue: EHR authentication) verifies CDS Hooks JWTs; in development on a
 * loopback host the service runs unauthenticated and every caller is the anonymous development client.
 */
export interface ClientIdentity {
  /** JWT `iss`, or `anonymous` when unauthenticated. */
  readonly issuer: string;
  readonly tenant?: string;
  /** FHIR base URLs this client may send as `fhirServer`; `'any'` only when unauthenticated. */
  readonly fhirServers: readonly string[] | 'any';
}

export const ANONYMOUS_CLIENT: ClientIdentity = { issuer: 'anonymous', fhirServers: 'any' };

export interface EhrAuthenticator {
  /**
   * Verifies the request's bearer JWT against the exact URL called. Resolves to the client, or to `undefined`
   * when the request must get a 401 (the reason is logged, never returned).
   */
  authenticate(request: {
    authorization: string | undefined;
    url: string;
  }): Promise<ClientIdentity | undefined>;
}

export const noAuthentication: EhrAuthenticator = {
  authenticate: () => Promise.resolve(ANONYMOUS_CLIENT),
};

/**
 * Remembers the `jti` of every accepted JWT until it expires, so a captured token cannot be replayed
 * (CDS Hooks 2.0 §"Trusting CDS Clients": `jti` protects against replay). With several instances the store must be
 * shared (PostgreSQL); a single instance can use the in-memory guard in `jwt.ts`.
 */
export interface ReplayGuard {
  /**
   * Records `jti` for `issuer` until `expiresAt`. Resolves `true` when it was not seen before (the token may be
   * used), `false` when it is a replay. Must be atomic across instances sharing the guard.
   */
  rememberJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean>;
}
