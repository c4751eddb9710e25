/**
 * SSRF guard for prefetch fetching. The EHR names `fhirServer` in the request and hands us a bearer token for it;
 * a service that fetched from any URL it is told would be a proxy into the hospital network (and would send the
 * token wherever it is pointed). So: the URL must be one of the authenticated client's `fhir_servers`, https
 * unless loopback in development, and the reader (src/fhir/client.ts) fetches only URLs under the normalized base
 * this returns, never follows redirects (`redirect: 'error'`, which fhir-kit-client 2.0.3 passes to the global
 * fetch) and follows searchset `next` links only under that base. tests/api/fhir-ssrf.test.ts shows, through the
 * app, that a redirect's or a `next` link's other host is never contacted.
 *
 * fhir-kit-client's debug logging (`DEBUG=fhir-kit-client:*`) prints request headers, bearer token included:
 * never enable it in production.
 */
import { type FhirBaseUrl, isUnderBase, normalizeBaseUrl } from '../fhir/baseUrl.js';
import { isLoopbackHostname } from './loopback.js';
import type { ClientIdentity } from './types.js';

export type FhirServerCheck =
  { readonly ok: true; readonly url: FhirBaseUrl } | { readonly ok: false; readonly reason: string };

export interface FhirServerCheckOptions {
  /** Accept `http://` on loopback hosts (local FHIR servers in development and tests). */
  readonly allowInsecureLoopback: boolean;
}

/** Cloud metadata endpoints (169.254.169.254, fd00:ec2::254, …) are never a FHIR server unless listed by name. */
function isLinkLocal(hostname: string): boolean {
  const h = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h.startsWith('169.254.') || /^fe[89ab][0-9a-f]:/.test(h) || h === 'fd00:ec2::254';
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
    return {
      ok: false,
      reason: 'fhirServer must be an http(s) base URL without credentials, query or fragment',
    };
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
  if (!identity.fhirServers.some((allowed) => isUnderBase(normalized, allowed))) {
    return { ok: false, reason: 'fhirServer is not one of the FHIR servers this client may use' };
  }
  return { ok: true, url: normalized };
}
