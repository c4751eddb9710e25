/**
 * The Azure OpenAI chat client: the `openai` package's `AzureOpenAI` with key auth, or keyless Microsoft Entra ID
 * (`DefaultAzureCredential` behind a bearer-token provider) when no key is configured. The SDK's own retries are
 * off (`maxRetries: 0`): a retry with backoff would run past the hook's deadline, and the advisor's cache and
 * circuit breaker are the right place for second chances. Every call is bounded by a signal and a timeout.
 */
import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import { APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { AzureOpenAIConfig } from '../../config.js';
import type { AdvisorStatus } from '../types.js';
import { responseFormatSchema } from './output.js';

export const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';
const MAX_COMPLETION_TOKENS = 1500;

export interface ModelCompletion {
  readonly content: string | null;
  readonly refusal: string | null;
  readonly finishReason: string | null;
  /** The model version the API reports, e.g. `gpt-4o-2024-08-06`. */
  readonly modelVersion: string;
}

export interface ModelClient {
  readonly deployment: string;
  readonly auth: 'api-key' | 'entra-id';
  /**
   * Fetches the first Entra ID token ahead of the first hook (managed identity or CLI credentials can take
   * seconds, more than a hook's budget). Nothing to do with a key.
   */
  prepare(): Promise<void>;
  complete(
    messages: ChatCompletionMessageParam[],
    options: { readonly signal: AbortSignal; readonly timeoutMs: number },
  ): Promise<ModelCompletion>;
}

export interface ModelClientOptions {
  /** Entra ID credential for keyless auth; `DefaultAzureCredential` when not given. Never called at build time. */
  readonly credential?: TokenCredential;
}

export function createModelClient(config: AzureOpenAIConfig, options: ModelClientOptions = {}): ModelClient {
  const auth = config.apiKey ? 'api-key' : 'entra-id';
  // getBearerTokenProvider caches the token and refreshes it before expiry; it asks the credential only when called.
  const tokenProvider = config.apiKey
    ? undefined
    : getBearerTokenProvider(options.credential ?? new DefaultAzureCredential(), ENTRA_SCOPE);
  const client = new AzureOpenAI({
    // An explicit base URL: a stray OPENAI_BASE_URL in the environment must not redirect patient data.
    baseURL: `${config.endpoint.replace(/\/+$/, '')}/openai`,
    deployment: config.deployment,
    apiVersion: config.apiVersion,
    // The SDK's debug logging (OPENAI_LOG=debug) would print request bodies: never, whatever the environment.
    logLevel: 'off',
    ...(tokenProvider ? { azureADTokenProvider: tokenProvider } : { apiKey: config.apiKey }),
    maxRetries: 0,
  });
  return {
    deployment: config.deployment,
    auth,
    async prepare() {
      if (tokenProvider) await tokenProvider();
    },
    async complete(messages, { signal, timeoutMs }) {
      const completion = await client.chat.completions.create(
        {
          model: config.deployment,
          messages,
          temperature: 0,
          max_tokens: MAX_COMPLETION_TOKENS,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'model_advice', strict: true, schema: responseFormatSchema() },
          },
        },
        { signal, timeout: timeoutMs, maxRetries: 0 },
      );
      const choice = completion.choices[0];
      return {
        content: choice?.message.content ?? null,
        refusal: choice?.message.refusal ?? null,
        finishReason: choice?.finish_reason ?? null,
        modelVersion: completion.model,
      };
    },
  };
}

/** How a failed call counts: the advisor's status, a short reason, and whether it trips the circuit breaker. */
export interface CallFailure {
  readonly status: Extract<AdvisorStatus, 'error' | 'rate-limited' | 'timeout'>;
  readonly reason: string;
  /** Failures that say the service is unhealthy; a content filter or a bad request says nothing about that. */
  readonly tripsBreaker: boolean;
  readonly retryAfterMs?: number;
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}

export function classifyCallError(err: unknown): CallFailure {
  if (err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError) {
    return { status: 'timeout', reason: 'call-time-limit', tripsBreaker: true };
  }
  if (err instanceof APIError) {
    const code = typeof err.code === 'string' ? err.code : undefined;
    if (err.status === 429) {
      const after = retryAfterMs(err.headers as Headers | undefined);
      return {
        status: 'rate-limited',
        reason: 'http-429',
        tripsBreaker: false,
        ...(after && { retryAfterMs: after }),
      };
    }
    if (err.status === 400 && code === 'content_filter') {
      return { status: 'error', reason: 'content-filter', tripsBreaker: false };
    }
    if (err.status === 401 || err.status === 403)
      return { status: 'error', reason: `http-${err.status}`, tripsBreaker: true };
    if (err.status !== undefined && err.status >= 400 && err.status < 500) {
      return { status: 'error', reason: `http-${err.status}`, tripsBreaker: false };
    }
    return {
      status: 'error',
      reason: err.status === undefined ? 'connection' : `http-${err.status}`,
      tripsBreaker: true,
    };
  }
  return { status: 'error', reason: 'exception', tripsBreaker: true };
}
