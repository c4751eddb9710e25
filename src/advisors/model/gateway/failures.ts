/**
 * A failed call, read once where it happened: the advisor's status, a short reason, the provider's own error code
 * and parameter (for logs and metrics an operator can act on), whether it trips the circuit breaker (the endpoint
 * looks unhealthy) and whether it says the configuration is wrong (the lane's business, not the breaker's).
 */
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { AdvisorStatus } from '../../types.js';

/** What the endpoint said, as far as it said it. Provider messages are kept out of logs (they may echo input). */
export interface ProviderError {
  readonly httpStatus: number | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly message: string | undefined;
}

export type LaneProblem = 'misconfigured' | 'unauthorised';

export interface CallFailure {
  readonly status: Extract<AdvisorStatus, 'error' | 'rate-limited' | 'timeout'>;
  readonly reason: string;
  readonly provider?: ProviderError;
  /** Failures that say the endpoint is unhealthy: 5xx, connection, the call's own time limit. */
  readonly tripsBreaker: boolean;
  /** A failure that repeats on every call until someone changes the configuration or the role assignment. */
  readonly lane?: LaneProblem;
  readonly retryAfterMs?: number;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;

export function providerErrorOf(err: unknown): ProviderError {
  const api = err as { status?: unknown; code?: unknown; param?: unknown; error?: unknown };
  const body = (typeof api.error === 'object' && api.error !== null ? api.error : {}) as Record<
    string,
    unknown
  >;
  return {
    httpStatus: typeof api.status === 'number' ? api.status : undefined,
    code: text(api.code) ?? text(body.code),
    param: text(api.param) ?? text(body.param),
    message: text(body.message),
  };
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}

/** 400s that concern this one request (its size, its content), not the configuration. */
const REQUEST_SPECIFIC_CODES = new Set([
  'content_filter',
  'context_length_exceeded',
  'string_above_max_length',
  'invalid_prompt',
]);

export function classifyCallError(err: unknown): CallFailure {
  if (err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError) {
    return { status: 'timeout', reason: 'call-time-limit', tripsBreaker: true };
  }
  if (!(err instanceof APIError)) return { status: 'error', reason: 'exception', tripsBreaker: true };
  if (err.status === undefined) return { status: 'error', reason: 'connection', tripsBreaker: true };
  const provider = providerErrorOf(err);
  const status: number = err.status as number;
  if (status === 429) {
    const after = retryAfterMs(err.headers as Headers | undefined);
    return {
      status: 'rate-limited',
      reason: 'http-429',
      provider,
      tripsBreaker: false,
      ...(after && { retryAfterMs: after }),
    };
  }
  if (status === 400 && provider.code === 'content_filter')
    return { status: 'error', reason: 'content-filter', provider, tripsBreaker: false };
  if (status === 401 || status === 403)
    return { status: 'error', reason: `http-${status}`, provider, tripsBreaker: false, lane: 'unauthorised' };
  if (status === 400 || status === 404 || status === 422) {
    const requestSpecific = provider.code !== undefined && REQUEST_SPECIFIC_CODES.has(provider.code);
    return {
      status: 'error',
      reason: `http-${status}`,
      provider,
      tripsBreaker: false,
      ...(!requestSpecific && { lane: 'misconfigured' as const }),
    };
  }
  if (status < 500) return { status: 'error', reason: `http-${status}`, provider, tripsBreaker: false };
  return { status: 'error', reason: `http-${status}`, provider, tripsBreaker: true };
}

/** Parameters the negotiation can do without, in the words providers use for them. */
export const NEGOTIABLE_PARAMS = [
  'response_format',
  'json_schema',
  'json_object',
  'max_tokens',
  'temperature',
  'max_completion_tokens',
  'reasoning_effort',
] as const;
export type NegotiableParam = (typeof NEGOTIABLE_PARAMS)[number];

const NOT_SUPPORTED =
  /unsupported|not supported|not_supported|unrecognized request argument|not allowed|not permitted|does not support|is enabled only for/i;

/**
 * The parameter a 400/422 says the model or API version does not take, or undefined when the error says something
 * else. Providers name it in `param`, in the inference API's `detail.loc`, or only in the message ("Unsupported
 * parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."): the first one
 * the message names is the one refused.
 */
export function unsupportedParameter(provider: ProviderError): NegotiableParam | undefined {
  if (provider.httpStatus !== 400 && provider.httpStatus !== 422) return undefined;
  const said = `${provider.code ?? ''} ${provider.message ?? ''}`;
  const named = (NEGOTIABLE_PARAMS as readonly string[]).find((p) => provider.param === p);
  if (!NOT_SUPPORTED.test(said) && provider.code !== 'invalid_parameter') return undefined;
  if (named) return named as NegotiableParam;
  let first: NegotiableParam | undefined;
  let at = Infinity;
  for (const param of NEGOTIABLE_PARAMS) {
    const index = said.search(new RegExp(`\\b${param}\\b`));
    if (index >= 0 && index < at) [first, at] = [param, index];
  }
  return first;
}

/** A metrics label from a provider code: bounded in length and alphabet, `none` when there is none. */
export function codeLabel(failure: CallFailure | undefined): string {
  const code = failure?.provider?.code;
  if (!code) return 'none';
  return /^[A-Za-z0-9_.-]{1,48}$/.test(code) ? code : 'other';
}
