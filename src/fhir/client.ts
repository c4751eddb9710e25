/**
 * Reads from an EHR's FHIR server with fhir-kit-client: bearer token from `fhirAuthorization`, redirects never
 * followed, every URL resolved under the checked base before it is fetched (the URL compared is the URL fetched),
 * searchset `next` links followed up to a bound and only under that base, and every response cut at the deadline
 * and past a byte limit (`BoundedExchange`). The access token lives only in this object for the length of one hook
 * call: never logged, never kept.
 */
import { Client } from 'fhir-kit-client';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { type FhirBaseUrl, resolveUnderBase } from './baseUrl.js';
import { BoundedExchange } from './boundedExchange.js';
import { untilAborted } from '../timing/untilAborted.js';

export interface FhirReadOptions {
  /** The base the SSRF guard accepted, normalized: nothing outside it is ever requested. */
  readonly baseUrl: FhirBaseUrl;
  readonly accessToken?: string;
  /** Aborts at the deadline: every read in flight is cut then. */
  readonly signal: AbortSignal;
  readonly maxPages: number;
  /** Largest response body accepted (each page counts on its own). */
  readonly maxResponseBytes: number;
}

export type FhirReadFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'too-large'; readonly maxBytes: number }
  | { readonly kind: 'too-many-pages'; readonly maxPages: number }
  | { readonly kind: 'outside-server' }
  | { readonly kind: 'network' }
  | { readonly kind: 'invalid-response' };

export type FhirReadResult =
  | { readonly ok: true; readonly resource: FhirResource; readonly pages: number }
  | { readonly ok: false; readonly failure: FhirReadFailure };

type Fetched =
  | { readonly ok: true; readonly resource: FhirResource }
  | { readonly ok: false; readonly failure: FhirReadFailure };

function isBundle(resource: FhirResource): resource is Bundle {
  return resource.resourceType === 'Bundle';
}

function isResource(value: unknown): value is FhirResource {
  return (
    typeof value === 'object' && value !== null && typeof (value as FhirResource).resourceType === 'string'
  );
}

function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

function describeFailure(
  error: unknown,
  exchange: BoundedExchange,
  options: FhirReadOptions,
): FhirReadFailure {
  if (exchange.endedBy === 'too-large') return { kind: 'too-large', maxBytes: options.maxResponseBytes };
  if (exchange.endedBy === 'deadline' || options.signal.aborted) return { kind: 'timeout' };
  if (exchange.endedBy === 'undecodable') return { kind: 'invalid-response' };
  // fhir-kit-client's error for a non-2xx answer, or for a 2xx body that is not JSON.
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  if (typeof status === 'number' && status !== 0) {
    return status >= 200 && status < 300 ? { kind: 'invalid-response' } : { kind: 'http', status };
  }
  // With `redirect: 'error'` fetch rejects a 3xx without a response; the dispatcher saw its status.
  if (exchange.status !== undefined && exchange.status >= 300 && exchange.status < 400)
    return { kind: 'redirect' };
  return { kind: 'network' };
}

export class FhirReader {
  private readonly client: Client;

  constructor(
    private readonly options: FhirReadOptions,
    client?: Client,
  ) {
    this.client =
      client ??
      new Client({
        baseUrl: options.baseUrl,
        customHeaders: options.accessToken ? { Authorization: `Bearer ${options.accessToken}` } : {},
        // A redirect could carry the bearer token to another host (SSRF / token leak): treat it as a failure.
        requestOptions: { redirect: 'error' },
      });
  }

  /**
   * The same reader cut by `signal` instead (one that also aborts at the deadline): for a read that may end
   * earlier than the others, an optional prefetch key's.
   */
  withSignal(signal: AbortSignal): FhirReader {
    return new FhirReader({ ...this.options, signal }, this.client);
  }

  /** GET a FHIR URL relative to the base (read or search); for a searchset, merge up to `maxPages` pages. */
  async read(relativeUrl: string): Promise<FhirReadResult> {
    const first = await this.get(relativeUrl);
    if (!first.ok) return first;
    return isBundle(first.resource)
      ? this.collectPages(first.resource)
      : { ok: true, resource: first.resource, pages: 1 };
  }

  /**
   * GET a search and keep its first page only: for a newest-first, `_count`-bounded search (a lab history) that
   * page is the answer, and what lies beyond it is older than anything asked for.
   */
  async readFirstPage(relativeUrl: string): Promise<FhirReadResult> {
    const first = await this.get(relativeUrl);
    return first.ok ? { ok: true, resource: first.resource, pages: 1 } : first;
  }

  /**
   * Follows a searchset's `next` links (under the base only, up to `maxPages` pages in all) and returns one Bundle
   * with every entry. Used for fetched searches and for paginated prefetch the EHR sent (allowed since 2.0). A
   * search that cannot be read whole is a failure, never a silently shorter list.
   */
  async collectPages(first: Bundle): Promise<FhirReadResult> {
    const { maxPages } = this.options;
    const entries = [...(first.entry ?? [])];
    let page: Bundle = first;
    let pages = 1;
    for (let next = nextLink(page); next !== undefined; next = nextLink(page)) {
      if (pages >= maxPages) return { ok: false, failure: { kind: 'too-many-pages', maxPages } };
      const fetched = await this.get(next);
      if (!fetched.ok) return fetched;
      if (!isBundle(fetched.resource)) return { ok: false, failure: { kind: 'invalid-response' } };
      page = fetched.resource;
      pages += 1;
      entries.push(...(page.entry ?? []));
    }
    const merged: Bundle = { ...first, entry: entries };
    delete merged.link;
    return { ok: true, resource: merged, pages };
  }

  /** One GET of `reference` resolved under the base: the absolute URL checked is the one handed to the client. */
  private async get(reference: string): Promise<Fetched> {
    const url = resolveUnderBase(this.options.baseUrl, reference);
    if (url === undefined) return { ok: false, failure: { kind: 'outside-server' } };
    const { signal, maxResponseBytes } = this.options;
    const exchange = new BoundedExchange({ maxBytes: maxResponseBytes, signal });
    // `dispatcher` is fetch's (undici's) own option; fhir-kit-client passes per-request options through to fetch.
    const options = { signal, dispatcher: exchange };
    try {
      const resource: unknown = await untilAborted(this.client.request(url, { options }), signal);
      return isResource(resource)
        ? { ok: true, resource }
        : { ok: false, failure: { kind: 'invalid-response' } };
    } catch (error) {
      return { ok: false, failure: describeFailure(error, exchange, this.options) };
    }
  }
}

/** Whether a searchset still has pages to fetch. */
export function hasNextPage(resource: FhirResource): resource is Bundle {
  return isBundle(resource) && nextLink(resource) !== undefined;
}
