/**
 * Signs a CDS Hooks JWT as an EHR does (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): `iss`, `sub`,
 * `aud` = the service endpoint called, a fresh `jti` each time (the service refuses a replayed one), `iat`, and
 * an `exp` well inside the service's JWT_MAX_LIFETIME_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import type { EhrIdentity } from './identity.js';

/** Below the service's default 300 s limit on `exp - iat`. */
const LIFETIME_SECONDS = 240;

export async function mintToken(identity: EhrIdentity, audience: string): Promise<string> {
  const key = await importJWK(identity.privateJwk, identity.alg);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: identity.alg, kid: identity.kid, typ: 'JWT' })
    .setIssuer(identity.iss)
    .setSubject(identity.iss)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key);
}

/** The audience of a call: the endpoint URL without query (as the service checks it against PUBLIC_BASE_URL). */
export function endpointOf(baseUrl: string, serviceId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/cds-services/${encodeURIComponent(serviceId)}`;
}
