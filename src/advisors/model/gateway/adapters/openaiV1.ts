/**
 * Azure OpenAI's v1 route: `POST {resource}/openai/v1/chat/completions`, the model (deployment) name in the body, no
 * dated api-version; it also serves Foundry's non-OpenAI models. Key in the `api-key` header, or an Entra ID bearer
 * token.
 */
import type { TokenCredential } from '@azure/identity';
import type { ModelEndpointConfig } from '../../../../modelEndpoint.js';
import type { ModelPort } from '../port.js';
import { OpenAICompatibleClient } from './openaiCompatible.js';
import { CLIENT_DEFAULTS, openAIPort, tokenProviderFor } from './openaiChat.js';

export function openAIV1Port(config: ModelEndpointConfig, credential?: TokenCredential): ModelPort {
  const tokenProvider = tokenProviderFor(config, credential);
  const client = new OpenAICompatibleClient({
    ...CLIENT_DEFAULTS,
    baseURL: config.baseUrl,
    apiKey: tokenProvider ?? config.apiKey ?? null,
    ...(config.apiKey && { defaultHeaders: { 'api-key': config.apiKey, Authorization: null } }),
    ...(config.apiVersion && { defaultQuery: { 'api-version': config.apiVersion } }),
  });
  return openAIPort(client, config, tokenProvider);
}
