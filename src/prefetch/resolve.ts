/**
 * Prefetch resolution, CDS Hooks 2.0 §5 (https://cds-hooks.hl7.org/2.0/#prefetch):
 * use what the EHR sent; `null` means "no data"; an OperationOutcome means the EHR failed to get it, so the key
 * counts as missing; fetch only the missing keys, in parallel, from `fhirServer` with the EHR's bearer token,
 * within the response budget. A required key that cannot be had → 412. Reads of required keys take precedence over
 * reads of optional ones (src/prefetch/priority.ts).
 */
import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4.js';
import type { FhirAuthorization, PrefetchKey } from '../cds/types.js';
import { AppError, type Result, err, ok } from '../errors.js';
import { FhirReader, type FhirReadFailure, type FhirReadResult, hasNextPage } from '../fhir/client.js';
import type { FhirServerCheck } from '../security/ssrf.js';
import type { RunOptions } from '../timing/concurrencyLimit.js';
import { OPTIONAL_GAVE_UP } from './priority.js';
import { substituteTokens } from './tokens.js';

export type ResolvedValue =
  | { readonly state: 'data'; readonly resource: FhirResource; readonly from: 'prefetch' | 'fhir-server' }
  | { readonly state: 'no-data' }
  | { readonly state: 'unavailable'; readonly reason: string };

export type ResolvedPrefetch = Readonly<Record<PrefetchKey, ResolvedValue>>;

export interface ResolveRequest {
  readonly templates: Readonly<Record<PrefetchKey, string>>;
  readonly required: readonly PrefetchKey[];
  readonly context: Readonly<Record<string, unknown>>;
  readonly prefetch: Readonly<Record<string, unknown>> | undefined;
  readonly fhirServer: string | undefined;
  readonly fhirAuthorization: FhirAuthorization | undefined;
  /** Aborts when the time allowed for fetching is spent. */
  readonly signal: AbortSignal;
  /**
   * Aborts when reads of optional keys (those not in `required`) must give up, earlier than `signal`
   * (OPTIONAL_READ_SHARE); from then on a required read still waiting at the gate preempts an optional one in
   * flight. Without it, optional reads have the whole of `signal`'s time.
   */
  readonly optionalSignal?: AbortSignal;
  readonly maxPages: number;
  /**
   * Keys whose template asks for the newest N results (`_sort=-date&_count=N`): only the first page is read, or
   * kept when the EHR sent several.
   */
  readonly firstPageOnly?: readonly PrefetchKey[];
  /** Largest FHIR response body accepted, per page. */
  readonly maxResponseBytes: number;
  /** SSRF guard: may the service fetch from this FHIR server for this client? The normalized base when it may. */
  readonly checkFhirServer: (url: string) => FhirServerCheck;
  readonly onFetch?: (
    key: PrefetchKey,
    outcome: 'ok' | FhirReadFailure['kind'] | 'skipped' | OptionalGaveUp,
    pages: number,
  ) => void;
  /** Bounds concurrent reads per FHIR server across all hook calls (a `ConcurrencyLimit`); unbounded without. */
  readonly gate?: FhirGate;
}

/** Why an optional key's read was abandoned for required ones: its share of the time spent, or its slot taken. */
export type OptionalGaveUp = keyof typeof OPTIONAL_GAVE_UP;

/** How a read waits at the gate: `'high'` for a required key, `'low'` for an optional one. */
export type GateOptions = RunOptions & Required<Pick<RunOptions, 'priority'>>;

/**
 * Runs `task` when the FHIR server keyed by its origin has a free slot for it; rejects if `signal` aborts while
 * waiting. `preempted` aborts when an optional read's slot is taken for a required one: the read stops then.
 */
export type FhirGate = <T>(
  key: string,
  signal: AbortSignal | undefined,
  task: (preempted: AbortSignal) => Promise<T>,
  options?: GateOptions,
) => Promise<T>;

/** The EHR's FHIR server as the guard accepted it (normalized base and its reader), or why there is none. */
interface ReadableServer {
  readonly ok: true;
  readonly baseUrl: string;
  readonly reader: FhirReader;
}
type ServerAccess = ReadableServer | { readonly ok: false; readonly problem: string };

/** A read's result, or why an optional read was abandoned for required ones. */
type GatedRead = FhirReadResult | { readonly ok: false; readonly gaveUp: OptionalGaveUp };

/**
 * A read of `key` through the gate, at its key's priority: a required key's read waits ahead of optional ones and,
 * once `optionalSignal` fires, takes a slot from one; an optional key's read is cut at `optionalSignal` or when
 * preempted. A wait cut short by the deadline is a timeout like any other.
 */
async function gated(
  key: PrefetchKey,
  request: ResolveRequest,
  server: ReadableServer,
  read: (reader: FhirReader) => Promise<FhirReadResult>,
): Promise<GatedRead> {
  const optional = !request.required.includes(key);
  const optionalSignal = optional ? request.optionalSignal : undefined;
  const signal = optionalSignal ? AbortSignal.any([request.signal, optionalSignal]) : request.signal;
  let preempted: AbortSignal | undefined;
  let result: FhirReadResult;
  try {
    if (!request.gate) {
      result = await read(optionalSignal ? server.reader.withSignal(signal) : server.reader);
    } else {
      const options: GateOptions = optional
        ? { priority: 'low' }
        : { priority: 'high', ...(request.optionalSignal && { urgent: request.optionalSignal }) };
      result = await request.gate(
        new URL(server.baseUrl).origin,
        signal,
        (slotTaken) => {
          preempted = slotTaken;
          return read(
            optional ? server.reader.withSignal(AbortSignal.any([signal, slotTaken])) : server.reader,
          );
        },
        options,
      );
    }
  } catch {
    result = { ok: false, failure: { kind: 'timeout' } };
  }
  if (!result.ok && result.failure.kind === 'timeout' && optional) {
    if (preempted?.aborted) return { ok: false, gaveUp: 'preempted' };
    // It fires before `signal`: an optional read cut by time was cut by its share of it.
    if (optionalSignal?.aborted) return { ok: false, gaveUp: 'optional-deadline' };
  }
  return result;
}

/** A failed read as the key's value, counted under its outcome. */
function failedRead(
  key: PrefetchKey,
  request: ResolveRequest,
  failed: Exclude<GatedRead, { ok: true }>,
): ResolvedValue {
  if ('gaveUp' in failed) {
    request.onFetch?.(key, failed.gaveUp, 0);
    return { state: 'unavailable', reason: OPTIONAL_GAVE_UP[failed.gaveUp] };
  }
  request.onFetch?.(key, failed.failure.kind, 0);
  return { state: 'unavailable', reason: failureReason(failed.failure) };
}

function isOperationOutcome(value: unknown): value is OperationOutcome {
  return (
    typeof value === 'object' && value !== null && (value as FhirResource).resourceType === 'OperationOutcome'
  );
}

/** A value the EHR sent that we can use as is (`null` → no data; OperationOutcome → missing). */
function fromRequest(value: unknown): ResolvedValue | undefined {
  if (value === null) return { state: 'no-data' };
  if (value === undefined || isOperationOutcome(value)) return undefined;
  return { state: 'data', resource: value as FhirResource, from: 'prefetch' };
}

const NO_SERVER = 'no fhirServer was given';

/**
 * A key's value when the FHIR server cannot be read (`problem` says why): what the EHR sent, if whole; a key it did
 * not send, or sent a first page of only, is unavailable (a list known to be incomplete is not passed off as whole).
 */
function unreadable(sent: ResolvedValue | undefined, problem: string): ResolvedValue {
  if (!sent) return { state: 'unavailable', reason: problem };
  if (sent.state === 'data' && hasNextPage(sent.resource))
    return { state: 'unavailable', reason: `the prefetch is one page of several and ${problem}` };
  return sent;
}

/**
 * What the EHR sent for `keys`, resolved as `resolvePrefetch` resolves a request without `fhirServer` (nothing is
 * fetched; a required key that is unavailable is left for the caller to judge): for replaying recorded requests.
 */
export function resolveAsSent(
  keys: readonly string[],
  prefetch: Readonly<Record<string, unknown>> | undefined,
  firstPageOnly: readonly string[] = [],
): Readonly<Record<string, ResolvedValue>> {
  return Object.fromEntries(
    keys.map((key) => {
      const sent = fromRequest(prefetch?.[key]);
      return [key, sent && firstPageOnly.includes(key) ? sent : unreadable(sent, NO_SERVER)];
    }),
  );
}

/**
 * What a 412 says about a failed read. Only the `fhirServer` the guard accepted is ever contacted, so a status
 * here is that server's own answer (useful to the EHR's integration engineer: 401 means its token was refused).
 * Of a redirect or a `next` link to elsewhere, nothing is said but that it was refused: its target was never
 * contacted, and neither the `Location` nor the link is echoed.
 */
function failureReason(failure: FhirReadFailure): string {
  switch (failure.kind) {
    case 'timeout':
      return 'the FHIR server did not answer within the time budget';
    case 'http':
      return `the FHIR server answered HTTP ${failure.status}`;
    case 'redirect':
      return 'the FHIR server answered with a redirect, which is never followed';
    case 'too-large':
      return `the FHIR server's response is larger than ${failure.maxBytes} bytes (FHIR_MAX_RESPONSE_BYTES)`;
    case 'too-many-pages':
      return `the search has more than ${failure.maxPages} pages (PREFETCH_MAX_PAGES)`;
    case 'outside-server':
      return 'a link in the FHIR response points outside fhirServer and was not followed';
    case 'network':
      return 'the FHIR server could not be reached';
    case 'invalid-response':
      return 'the FHIR server sent a response that is not FHIR JSON';
  }
}

async function fetchKey(
  key: PrefetchKey,
  request: ResolveRequest,
  server: ServerAccess | undefined,
): Promise<ResolvedValue> {
  if (!server?.ok) return unreadable(undefined, server?.problem ?? NO_SERVER);
  const substitution = substituteTokens(request.templates[key], request.context);
  if (!substitution.ok) {
    request.onFetch?.(key, 'skipped', 0);
    return { state: 'unavailable', reason: `prefetch token {{${substitution.token}}} cannot be resolved` };
  }
  const firstPage = request.firstPageOnly?.includes(key) ?? false;
  const result = await gated(key, request, server, (reader) =>
    firstPage ? reader.readFirstPage(substitution.url) : reader.read(substitution.url),
  );
  if (!result.ok) return failedRead(key, request, result);
  request.onFetch?.(key, 'ok', result.pages);
  if (isOperationOutcome(result.resource))
    return { state: 'unavailable', reason: 'the FHIR server returned an OperationOutcome' };
  return { state: 'data', resource: result.resource, from: 'fhir-server' };
}

/** A reader for the EHR's FHIR server, when one was given and this client may make us call it. */
function serverFor(request: ResolveRequest): ServerAccess {
  if (!request.fhirServer) return { ok: false, problem: NO_SERVER };
  const check = request.checkFhirServer(request.fhirServer);
  if (!check.ok) return { ok: false, problem: check.reason };
  return {
    ok: true,
    baseUrl: check.url,
    // The normalized base, never the raw string: it is what the guard compared.
    reader: new FhirReader({
      baseUrl: check.url,
      accessToken: request.fhirAuthorization?.access_token,
      signal: request.signal,
      maxPages: request.maxPages,
      maxResponseBytes: request.maxResponseBytes,
    }),
  };
}

/** Prefetch the EHR sent paginated: fetch the remaining pages; on failure the key counts as unavailable. */
async function completePages(
  key: PrefetchKey,
  value: ResolvedValue,
  request: ResolveRequest,
  server: ServerAccess | undefined,
): Promise<ResolvedValue> {
  if (value.state !== 'data' || !hasNextPage(value.resource)) return value;
  if (request.firstPageOnly?.includes(key)) return value;
  if (!server?.ok) return unreadable(value, server?.problem ?? NO_SERVER);
  const first = value.resource;
  const result = await gated(key, request, server, (reader) => reader.collectPages(first));
  if (!result.ok) return failedRead(key, request, result);
  request.onFetch?.(key, 'ok', result.pages - 1);
  return { state: 'data', resource: result.resource, from: 'prefetch' };
}

export async function resolvePrefetch(request: ResolveRequest): Promise<Result<ResolvedPrefetch>> {
  const keys = Object.keys(request.templates) as PrefetchKey[];
  const sent = new Map<PrefetchKey, ResolvedValue>();
  for (const key of keys) {
    const value = fromRequest(request.prefetch?.[key]);
    if (value) sent.set(key, value);
  }
  const needsServer = keys.some((key) => {
    const value = sent.get(key);
    return (
      !value ||
      (value.state === 'data' && hasNextPage(value.resource) && !request.firstPageOnly?.includes(key))
    );
  });
  const server = needsServer ? serverFor(request) : undefined;
  const values = await Promise.all(
    keys.map((key) => {
      const value = sent.get(key);
      return value ? completePages(key, value, request, server) : fetchKey(key, request, server);
    }),
  );
  const resolved = new Map<PrefetchKey, ResolvedValue>(keys.map((key, i) => [key, values[i]!]));

  const unavailableRequired = request.required.filter((key) => resolved.get(key)?.state === 'unavailable');
  if (unavailableRequired.length > 0) {
    return err(
      new AppError(
        'precondition_failed',
        `Required data could not be obtained from prefetch or the FHIR server: ${unavailableRequired
          .map((key) => `${key} (${(resolved.get(key) as { reason: string }).reason})`)
          .join('; ')}`,
        unavailableRequired.map((key) => ({
          path: `/prefetch/${key}`,
          message: 'is missing and could not be fetched',
        })),
      ),
    );
  }
  return ok(Object.fromEntries(resolved) as ResolvedPrefetch);
}

/** The resource for a key as a Bundle (searches) or single resource (reads), or undefined for no data. */
export function bundleOf(value: ResolvedValue | undefined): Bundle | undefined {
  if (value?.state !== 'data') return undefined;
  const resource = value.resource;
  if (resource.resourceType === 'Bundle') return resource;
  return { resourceType: 'Bundle', type: 'collection', entry: [{ resource }] };
}
