/**
 * SSRF guard for prefetch fetching. The EHR names `fhirServer` in the request and hands us a bearer token for it;
 * a service that fetched from any URL it is told would be a proxy into the hospital network (and would send the
 * token wherever it is pointed). So: the URL must be one of the authenticated client's `fhir_servers`, https
 * unless loopback in development, and redirects are never followed.
 *
 * What fhir-kit-client 2.0.3 does (read in node_modules/fhir-kit-client/dist/http-client.js): it builds a WHATWG
 * `Request` with the global `fetch` (undici on Node 20; no cross-fetch/node-fetch any more) from
 * `{ ...requestOptions, method, body, headers, keepalive, agent, ...perRequestOptions }`, so
 * `requestOptions: { redirect: 'error' }` reaches fetch and a 3xx becomes a rejected promise instead of a request
 * to the `Location` host (tests/unit/security/ssrf.test.ts proves the second host is never contacted). The `agent`
 * it adds is ignored by undici. It passes absolute URLs through unchanged (`expandUrl`), so a searchset `next` link
 * must be checked against the base before it is requested. Its debug logging (`DEBUG=fhir-kit-client:*`) prints
 * request headers, bearer token included: never enable it in production.
 */
import { normalizeBaseUrl } from './trustedClients.js';
import { isLoopbackHostname } from './loopback.js';
import type { ClientIdentity } from './types.js';

export type FhirServerCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

export interface FhirServerCheckOptions {
  /** Accept `http://` on loopback hosts (local FHIR servers in development and tests). */
  readonly allowInsecureLoopback: boolean;
}

/** fetch/fhir-kit-client request options that refuse redirects: `new Client({ baseUrl, requestOptions })`. */
export const FHIR_FETCH_REQUEST_OPTIONS: Readonly<{ redirect: 'error' }> = Object.freeze({
  redirect: 'error',
});

/** Cloud metadata endpoints (169.254.169.254, fd00:ec2::254, …) are never a FHIR server unless listed by name. */
function isLinkLocal(hostname: string): boolean {
  const h = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h.startsWith('169.254.') || /^fe[89ab][0-9a-f]:/.test(h) || h === 'fd00:ec2::254';
}

/** `url` lies at or under `base` (both normalized): same origin, and the path equal or continuing after a `/`. */
function isUnder(url: string, base: string): boolean {
  return url === base || url.startsWith(`${base}/`);
}

/**
 * May the service fetch from `fhirServerUrl` for this client? On success returns the normalized URL, which is the
 * one to fetch from (not the raw string). Unauthenticated development clients (`fhirServers: 'any'`) may name any
 * server, still subject to the scheme rule.
 */
export function checkFhirServer(
  identity: ClientIdentity,
  fhirServerUrl: string,
  options: FhirServerCheckOptions,
): FhirServerCheck {
  if (typeof fhirServerUrl !== 'string' || fhirServerUrl.length > 2048) {
    return { ok: false, reason: 'fhirServer is not a usable URL' };
  }
  const normalized = normalizeBaseUrl(fhirServerUrl);
  if (!normalized) {
    return { ok: false, reason: 'fhirServer must be an http(s) URL without credentials, query or fragment' };
  }
  const { protocol, hostname } = new URL(normalized);
  if (protocol !== 'https:' && !(options.allowInsecureLoopback && isLoopbackHostname(hostname))) {
    return { ok: false, reason: 'fhirServer must use https' };
  }
  if (identity.fhirServers === 'any') {
    return isLinkLocal(hostname)
      ? { ok: false, reason: 'fhirServer is a link-local address' }
      : { ok: true, url: normalized };
  }
  if (!identity.fhirServers.some((allowed) => isUnder(normalized, allowed))) {
    return { ok: false, reason: 'fhirServer is not one of the FHIR servers this client may use' };
  }
  return { ok: true, url: normalized };
}

/**
 * The guard in the shape the prefetch resolver takes (`checkFhirServer: (url) => reason | undefined`), bound to
 * the request's authenticated client.
 */
export function fhirServerGuard(
  identity: ClientIdentity,
  options: FhirServerCheckOptions,
): (url: string) => string | undefined {
  return (url) => {
    const result = checkFhirServer(identity, url, options);
    return result.ok ? undefined : result.reason;
  };
}
