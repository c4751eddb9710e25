/**
 * One HTTP exchange with an EHR's FHIR server, bounded in bytes and in time below fetch. fhir-kit-client reads
 * every body whole (`response.text()`) through the global fetch and passes its per-request options to it, so this
 * undici dispatcher (fetch's `dispatcher` option) is where the body can be counted as it arrives: the connection is
 * cut once the body passes `maxBytes` or when `signal` aborts, whatever the server keeps sending.
 *
 * Cutting the socket here does not rely on fetch's own abort, which Node 20's fetch loses once the `Request`
 * fhir-kit-client built is garbage collected while the body is still streaming (nodejs/undici#4627, #4068): an
 * endless body then streamed on past the deadline.
 *
 * A compressed response is held back whole (at most `maxBytes` of it) and decoded here with the same bound on its
 * decoded size, so that a small gzip bomb cannot grow past the limit either; fetch then gets it as an uncompressed
 * response, or a failed fetch. (Failing a response fetch already has the head of, within the tick that gave it,
 * leaves the body hanging in Node 20's fetch: the head is only passed on once the body is known good.)
 */
import type { Duplex } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { Dispatcher, getGlobalDispatcher } from 'undici';

/** Why this exchange ended the response itself, if it did. */
export type ExchangeEnd = 'too-large' | 'deadline' | 'undecodable';

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

type Decoder = (data: Buffer, options: ZlibOptions) => Buffer;

/** The codings fetch itself would decode (https://fetch.spec.whatwg.org/#http-network-fetch). */
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzipSync],
  ['x-gzip', gunzipSync],
  // RFC 9110 §8.4.1.2 says zlib-wrapped; some servers send raw deflate, which fetch accepts too.
  [
    'deflate',
    (data, options) => {
      try {
        return inflateSync(data, options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') return inflateRawSync(data, options);
        throw error;
      }
    },
  ],
  ['br', (data, options) => brotliDecompressSync(data, options)],
]);

function headerValue(rawHeaders: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toString('latin1').toLowerCase() === name)
      return rawHeaders[i + 1]!.toString('latin1');
  }
  return undefined;
}

function withoutHeaders(rawHeaders: readonly Buffer[], names: readonly string[]): Buffer[] {
  const kept: Buffer[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!names.includes(rawHeaders[i]!.toString('latin1').toLowerCase()))
      kept.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return kept;
}

/** The decoders for a `content-encoding` value, in the order to apply them; undefined if one is unknown. */
function decodersFor(contentEncoding: string): Decoder[] | undefined {
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const decoders: Decoder[] = [];
  for (const coding of codings) {
    const decoder = DECODERS.get(coding);
    if (!decoder) return undefined;
    decoders.unshift(decoder);
  }
  return decoders;
}

interface CompressedResponse {
  readonly decoders: Decoder[];
  readonly chunks: Buffer[];
  /** The arguments of `onHeaders`, content-encoding and content-length removed. */
  readonly head: [status: number, rawHeaders: Buffer[], resume: () => void, statusText: string];
}

export interface ExchangeLimits {
  /** Largest body accepted, counted both as received and, when compressed, once decoded. */
  readonly maxBytes: number;
  /** Aborts at the deadline: the connection is cut at once. */
  readonly signal: AbortSignal;
}

/** Wraps fetch's handler for one dispatch: counts, cuts, decodes. */
class BoundedHandler implements Dispatcher.DispatchHandlers {
  private abortConnection: ((error: Error) => void) | undefined;
  private received = 0;
  /** A compressed response, held back whole (head included) until it is decoded. */
  private compressed: CompressedResponse | undefined;
  private readonly onDeadline = (): void =>
    this.cut('deadline', new Error('the hook call reached its deadline'));

  constructor(
    private readonly inner: Dispatcher.DispatchHandlers,
    private readonly limits: ExchangeLimits,
    private readonly exchange: BoundedExchange,
  ) {}

  private cut(reason: 'too-large' | 'deadline', error: Error): void {
    this.exchange.endedBy ??= reason;
    this.abortConnection?.(error);
  }

  private settle(): void {
    this.limits.signal.removeEventListener('abort', this.onDeadline);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortConnection = abort;
    this.inner.onConnect?.(abort);
    if (this.limits.signal.aborted) this.onDeadline();
    else this.limits.signal.addEventListener('abort', this.onDeadline, { once: true });
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational heads come before the real one (fetch ignores them).
    if (status < 200) return this.inner.onHeaders?.(status, rawHeaders, resume, statusText) ?? true;
    this.exchange.status = status;
    const length = Number(headerValue(rawHeaders, 'content-length'));
    if (length > this.limits.maxBytes) {
      this.cut(
        'too-large',
        new ResponseTooLargeError(`content-length ${length} is over ${this.limits.maxBytes}`),
      );
      return false;
    }
    const encoding = headerValue(rawHeaders, 'content-encoding');
    const decoders = encoding === undefined ? undefined : decodersFor(encoding);
    if (!decoders || decoders.length === 0)
      return this.inner.onHeaders?.(status, rawHeaders, resume, statusText) ?? true;
    const plain = withoutHeaders(rawHeaders, ['content-encoding', 'content-length']);
    this.compressed = { decoders, chunks: [], head: [status, plain, resume, statusText] };
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (this.received > this.limits.maxBytes) {
      this.cut('too-large', new ResponseTooLargeError(`the body passed ${this.limits.maxBytes} bytes`));
      return false;
    }
    if (!this.compressed) return this.inner.onData?.(chunk) ?? true;
    this.compressed.chunks.push(chunk);
    return true;
  }

  onComplete(trailers: string[] | null): void {
    this.settle();
    if (this.compressed) {
      let body: Buffer = Buffer.concat(this.compressed.chunks);
      try {
        for (const decode of this.compressed.decoders)
          body = decode(body, { maxOutputLength: this.limits.maxBytes });
      } catch (error) {
        // fetch has seen no head yet, so this fails the fetch itself: nothing half-read is left behind.
        const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        this.exchange.endedBy ??= tooLarge ? 'too-large' : 'undecodable';
        this.inner.onError?.(
          tooLarge ? new ResponseTooLargeError('the decoded body is too large') : (error as Error),
        );
        return;
      }
      this.inner.onHeaders?.(...this.compressed.head);
      if (body.length > 0) this.inner.onData?.(body);
    }
    this.inner.onComplete?.(trailers);
  }

  onError(error: Error): void {
    this.settle();
    this.inner.onError?.(error);
  }

  onUpgrade(status: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.inner.onUpgrade?.(status, headers, socket);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.inner.onBodySent?.(chunkSize, totalBytesSent);
  }
}

/**
 * The dispatcher for one FHIR request: pass it as `dispatcher` in the fetch options. Afterwards it tells what the
 * server answered (`status`) and whether it ended the response itself, and why: what the reader needs to describe
 * a failure without parsing error messages.
 */
export class BoundedExchange extends Dispatcher {
  status: number | undefined;
  endedBy: ExchangeEnd | undefined;

  constructor(private readonly limits: ExchangeLimits) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    return getGlobalDispatcher().dispatch(options, new BoundedHandler(handler, this.limits, this));
  }
}
