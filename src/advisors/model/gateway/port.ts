/**
 * The model port: what the advisor needs from any chat model, whichever way Azure AI Foundry serves it. One
 * adapter per endpoint kind (`adapters/`) implements it; the capability negotiation (`negotiate.ts`) sits on top.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { EndpointKind, ReasoningEffort } from '../../../modelEndpoint.js';

/** How the answer's JSON is asked for, best first. */
export const OUTPUT_MODES = ['json-schema', 'json-object', 'text'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * Which sampling parameters the model takes: `standard` (temperature 0, `max_tokens`) or `reasoning` (o-series,
 * gpt-5 family: no temperature, `max_completion_tokens`, optionally `reasoning_effort`).
 */
export type ParameterProfile = 'standard' | 'reasoning';

export interface ChatRequest {
  readonly messages: readonly ChatCompletionMessageParam[];
  readonly outputMode: OutputMode;
  readonly profile: ParameterProfile;
  /** Sent only in the reasoning profile; dropped for good once the endpoint refuses it. */
  readonly reasoningEffort: ReasoningEffort | undefined;
  readonly maxOutputTokens: number;
}

export interface ModelCompletion {
  readonly content: string | null;
  readonly refusal: string | null;
  readonly finishReason: string | null;
  /** The model that answered, as the response names it (e.g. `gpt-4o-2024-08-06`); empty when it does not. */
  readonly model: string;
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number } | undefined;
}

export interface CallOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export interface ModelPort {
  readonly kind: EndpointKind;
  /** The deployment (azure-openai) or model name (the other kinds) as configured. */
  readonly model: string;
  readonly auth: 'api-key' | 'entra-id';
  /** Host of the endpoint, for logs (never the key, never a path with secrets). */
  readonly endpointHost: string;
  /**
   * Fetches the first Entra ID token ahead of the first hook (managed identity or CLI credentials can take
   * seconds, more than a hook's budget). Nothing to do with a key.
   */
  prepare(): Promise<void>;
  complete(request: ChatRequest, options: CallOptions): Promise<ModelCompletion>;
}
