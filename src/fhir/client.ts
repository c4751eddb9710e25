/**
 * Reads from an EHR's FHIR server with fhir-kit-client: bearer token from `fhirAuthorization`, a deadline-bound
 * AbortSignal, searchset `next` links followed up to a bound and only on the same server, redirects never
 * followed. The access token lives only in this object for the length of one hook call: never logged, never kept.
 */
import { Client } from 'fhir-kit-client';
import type { Bundle, FhirResource } from 'fhir/r4.js';

export interface FhirReadOptions {
  readonly baseUrl: string;
  readonly accessToken?: string;
  readonly signal: AbortSignal;
  readonly maxPages: number;
}

export type FhirReadFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'network' }
  | { readonly kind: 'invalid-response' };

export type FhirReadResult =
  | { readonly ok: true; readonly resource: FhirResource; readonly pages: number }
  | { readonly ok: false; readonly failure: FhirReadFailure };

function isBundle(resource: FhirResource): resource is Bundle {
  return resource.resourceType === 'Bundle';
}

function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

/** A `next` link is followed only when it points under the same FHIR base: a page must not send us elsewhere. */
export function isSameServer(baseUrl: string, url: string): boolean {
  try {
    const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    const target = new URL(url, base);
    return target.origin === base.origin && target.pathname.startsWith(base.pathname);
  } catch {
    return false;
  }
}

function describeFailure(error: unknown, signal: AbortSignal): FhirReadFailure {
  if (signal.aborted) return { kind: 'timeout' };
  const status = (error as { response?: { status?: unknown } })?.response?.status;
  if (typeof status === 'number') return status === 0 ? { kind: 'network' } : { kind: 'http', status };
  if (error instanceof SyntaxError) return { kind: 'invalid-response' };
  return { kind: 'network' };
}

export class FhirReader {
  private readonly client: Client;

  constructor(private readonly options: FhirReadOptions) {
    this.client = new Client({
      baseUrl: options.baseUrl,
      customHeaders: options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : {},
      // A redirect could carry the bearer token to another host (SSRF / token leak): treat it as a failure.
      requestOptions: { redirect: 'error' },
    });
  }

  /** GET a relative FHIR URL (read or search); for a searchset, merge up to `maxPages` pages. */
  async read(relativeUrl: string): Promise<FhirReadResult> {
    try {
      const first = (await this.client.request(relativeUrl, {
        options: { signal: this.options.signal },
      })) as FhirResource;
      if (!first || typeof first !== 'object' || typeof first.resourceType !== 'string') {
        return { ok: false, failure: { kind: 'invalid-response' } };
      }
      return isBundle(first) ? await this.collectPages(first) : { ok: true, resource: first, pages: 1 };
    } catch (error) {
      return { ok: false, failure: describeFailure(error, this.options.signal) };
    }
  }

  /**
   * Follows a searchset's `next` links (same server only, up to `maxPages` pages in all) and returns one Bundle
   * with every entry. Used for fetched searches and for paginated prefetch the EHR sent (allowed since 2.0).
   */
  async collectPages(first: Bundle): Promise<FhirReadResult> {
    const { signal, maxPages, baseUrl } = this.options;
    try {
      const entries = [...(first.entry ?? [])];
      let page: Bundle = first;
      let pages = 1;
      for (let next = nextLink(page); next && pages < maxPages; next = nextLink(page)) {
        if (!isSameServer(baseUrl, next)) break;
        const resource = (await this.client.request(next, { options: { signal } })) as FhirResource;
        if (!isBundle(resource)) return { ok: false, failure: { kind: 'invalid-response' } };
        page = resource;
        pages += 1;
        entries.push(...(page.entry ?? []));
      }
      const merged: Bundle = { ...first, entry: entries };
      delete merged.link;
      return { ok: true, resource: merged, pages };
    } catch (error) {
      return { ok: false, failure: describeFailure(error, signal) };
    }
  }
}

/** Whether a searchset still has pages to fetch. */
export function hasNextPage(resource: FhirResource): resource is Bundle {
  return isBundle(resource) && nextLink(resource) !== undefined;
}
