/**
 * One bounded autocannon run against 127.0.0.1, with latencies kept per request (sub-millisecond, exact
 * percentiles and the true maximum) rather than autocannon's whole-millisecond histogram.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly path: string;
  readonly method?: 'GET' | 'POST' | 'PUT';
  /** A fixed body, or one made per request (e.g. a fresh card uuid, or a chart variant). */
  readonly body?: string | (() => string);
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers made per request (e.g. a fresh EHR token each time), added to `headers`. */
  readonly headersFor?: () => Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
  /** Fixed total rate (requests per second across all connections). */
  readonly overallRate?: number;
  /** Stop after this many requests; it overrides `seconds` (autocannon runs until that many have answered). */
  readonly amount?: number;
  readonly timeoutSeconds?: number;
  /**
   * Count each connection's first request in the latencies too. Off by default: autocannon opens every connection
   * at once, and a saturated Node server accepts one new connection per event-loop turn, so with 64 connections
   * the last first request waits seconds for its accept — a start-up artefact (EHRs keep connections open), kept
   * apart in `firstMax`. On where the true worst case matters (the deadline).
   */
  readonly includeFirstRequests?: boolean;
}

export interface LoadResult {
  readonly seconds: number;
  readonly requests: number;
  /** Completed requests per second (2xx and others). */
  readonly rps: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Slowest first request of a connection (included in p50/p99/max only with `includeFirstRequests`). */
  readonly firstMax: number;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  // Load goes to this machine only (workplace rule): refuse anything but loopback.
  if (!LOOPBACK.test(options.url)) throw new Error(`refusing to load a non-loopback target: ${options.url}`);
  const { body, headersFor } = options;
  const headers = { 'content-type': 'application/json', ...options.headers };
  const perRequest = typeof body === 'function' || headersFor !== undefined;
  const request: autocannon.Request = {
    method: options.method ?? 'POST',
    path: options.path,
    headers,
    ...(typeof body === 'string' ? { body } : {}),
    ...(perRequest
      ? {
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            ...(typeof body === 'function' ? { body: body() } : {}),
            ...(headersFor ? { headers: { ...req.headers, ...headersFor() } } : {}),
          }),
        }
      : {}),
  };
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const started = new Set<unknown>();
  let firstMax = 0;
  let completed = 0;
  // Without a callback autocannon returns its event emitter, made thenable (the types only show the promise).
  const run = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: options.timeoutSeconds ?? 10,
    requests: [request],
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    ...(options.amount ? { amount: options.amount } : {}),
  });
  (run as unknown as autocannon.Instance).on('response', (client, statusCode, _bytes, responseTime) => {
    const first = !started.has(client);
    if (first) {
      started.add(client);
      firstMax = Math.max(firstMax, responseTime);
    }
    if (!first || options.includeFirstRequests) latencies.push(responseTime);
    completed++;
    statusCounts[String(statusCode)] = (statusCounts[String(statusCode)] ?? 0) + 1;
  });
  const result = await run;
  latencies.sort((a, b) => a - b);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    seconds,
    requests: completed,
    rps: completed / seconds,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    firstMax,
  };
}

/** A short run to get the JIT warm and the connections open before measuring. */
export async function warmUp(url: string, path: string, body: string, seconds = 2): Promise<void> {
  await load({ url, path, body, connections: 16, seconds });
}
