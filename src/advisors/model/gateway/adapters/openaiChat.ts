/**
 * What every adapter shares: all four endpoint kinds take an OpenAI-style chat-completions body, so each adapter
 * only builds its `openai` client (path, api-version, auth header) and hands it here. The SDK's retries are off
 * (a retry with backoff would run past the hook's deadline; the advisor's cache and breaker give second chances),
 * its debug logging is off whatever OPENAI_LOG says (it would print request bodies), and every call is bounded
 * by a signal and a timeout.
 */
import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ModelEndpointConfig } from '../../../../modelEndpoint.js';
import { responseFormatSchema } from '../../output.js';
import type { ChatRequest, ModelPort } from '../port.js';

export type TokenProvider = () => Promise<string>;

/** Entra ID bearer tokens for the endpoint's scope, cached and refreshed before expiry; undefined with a key. */
export function tokenProviderFor(
  config: ModelEndpointConfig,
  credential: TokenCredential | undefined,
): TokenProvider | undefined {
  if (config.apiKey) return undefined;
  // getBearerTokenProvider asks the credential only when called, never at build time.
  return getBearerTokenProvider(credential ?? new DefaultAzureCredential(), config.tokenScope);
}

/**
 * Options every `openai` client here gets: no retries, no logging, and nothing picked up from OPENAI_* in the
 * environment (a stray OPENAI_BASE_URL must not redirect patient data; an organisation or admin key must not ride
 * along).
 */
export const CLIENT_DEFAULTS = {
  maxRetries: 0,
  logLevel: 'off',
  organization: null,
  project: null,
} as const;

export function chatBody(request: ChatRequest, model: string): ChatCompletionCreateParamsNonStreaming {
  const sampling =
    request.profile === 'standard'
      ? { temperature: 0, max_tokens: request.maxOutputTokens }
      : {
          max_completion_tokens: request.maxOutputTokens,
          ...(request.reasoningEffort && { reasoning_effort: request.reasoningEffort }),
        };
  const format =
    request.outputMode === 'json-schema'
      ? {
          response_format: {
            type: 'json_schema' as const,
            json_schema: { name: 'model_advice', strict: true, schema: responseFormatSchema() },
          },
        }
      : request.outputMode === 'json-object'
        ? { response_format: { type: 'json_object' as const } }
        : {};
  return { model, messages: [...request.messages], ...sampling, ...format };
}

/**
 * The answering model's name as the response gives it, kept to the characters model names use and a sane length:
 * it is shown on cards and recorded in the audit, and the response is not ours.
 */
export function answeredModelName(model: unknown): string {
  if (typeof model !== 'string') return '';
  return model.replace(/[^A-Za-z0-9._:/@+-]/g, '').slice(0, 80);
}

export function openAIPort(
  client: OpenAI,
  config: ModelEndpointConfig,
  tokenProvider: TokenProvider | undefined,
): ModelPort {
  return {
    kind: config.kind,
    model: config.model,
    auth: tokenProvider ? 'entra-id' : 'api-key',
    endpointHost: new URL(config.baseUrl).host,
    async prepare() {
      if (tokenProvider) await tokenProvider();
    },
    async complete(request, { signal, timeoutMs }) {
      const completion = await client.chat.completions.create(chatBody(request, config.model), {
        signal,
        timeout: timeoutMs,
        maxRetries: 0,
      });
      const choice = completion.choices[0];
      const usage = completion.usage;
      return {
        content: choice?.message.content ?? null,
        refusal: choice?.message.refusal ?? null,
        finishReason: choice?.finish_reason ?? null,
        model: answeredModelName(completion.model),
        usage: usage
          ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
          : undefined,
      };
    },
  };
}
