/**
 * FHIR base URLs and what lies under them, decided on parsed URLs (WHATWG `URL`, the parser fetch uses) and never on
 * raw strings: the URL that is compared is the URL that is fetched, so a string two parsers read differently (a
 * `next` link `http:/other-host/…` is a path under the base for one, another host for the other) cannot pass the
 * check as one URL and be fetched as another.
 */

/** A normalized base: lower-case scheme and host, no default port, dot segments resolved, no trailing slash. */
export type FhirBaseUrl = string & { readonly __brand: 'FhirBaseUrl' };

/** Holds a character `URL` drops or rewrites silently: controls, tabs, newlines, spaces, `\` (read as `/`). */
function hasSilentlyRewritten(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/** `%2F` and `%5C` are `/` and `\` to many servers once decoded: a path holding them may leave its base. */
const ENCODED_SEPARATOR = /%2f|%5c/i;

/**
 * Normalizes a FHIR base URL, or refuses it: http(s) only; no credentials, query or fragment — not even an empty
 * `?`, `#` or `@`, which `URL` would drop and which make the string mean something else to another reader; no
 * encoded path separators.
 */
export function normalizeBaseUrl(raw: string): FhirBaseUrl | undefined {
  if (typeof raw !== 'string' || hasSilentlyRewritten(raw) || /[?#@]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (ENCODED_SEPARATOR.test(url.pathname)) return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}` as FhirBaseUrl;
}

/** Whether `url` is `base` itself or a base under it (a listed server's tenant path); both normalized. */
export function isUnderBase(url: string, base: string): boolean {
  return url === base || url.startsWith(`${base}/`);
}

/** `url` (parsed) lies at or under `base`: same scheme, host and port, and the path continues on a `/`. */
function liesUnder(url: URL, base: FhirBaseUrl): boolean {
  return isUnderBase(`${url.origin}${url.pathname}`, base) && !ENCODED_SEPARATOR.test(url.pathname);
}

/** `reference` read on its own, when it is an absolute URL; undefined when it is relative. */
function absolute(reference: string): URL | undefined {
  try {
    return new URL(reference);
  } catch {
    return undefined;
  }
}

/**
 * The absolute URL to fetch for `reference` — a path relative to the base (`Patient/1`, `Observation?code=…`) or
 * a searchset link — when it lies under `base`; undefined otherwise. The href returned is what must be fetched:
 * fhir-kit-client passes absolute URLs through unchanged. Fragments are dropped (never sent anyway).
 *
 * A reference that means one URL against the base and another on its own (`http:/other-host/x` is a path on the
 * base's host, or `http://other-host/x` to a reader without the base) is refused: whoever reads it next must not
 * be able to read it differently.
 */
export function resolveUnderBase(base: FhirBaseUrl, reference: string): string | undefined {
  if (typeof reference !== 'string' || hasSilentlyRewritten(reference)) return undefined;
  let url: URL;
  try {
    url = new URL(reference, `${base}/`);
  } catch {
    return undefined;
  }
  const alone = absolute(reference);
  if (alone !== undefined && alone.href !== url.href) return undefined;
  url.hash = '';
  return liesUnder(url, base) ? url.href : undefined;
}
