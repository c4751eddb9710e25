/**
 * Azure OpenAI's deployments route: `POST {endpoint}/openai/deployments/{deployment}/chat/completions
 * ?api-version=…`, `api-key` header or an Entra ID bearer token. The `openai` package's `AzureOpenAI` client.
 */
import type { TokenCredential } from '@azure/identity';
import { AzureOpenAI } from 'openai';
import { DEFAULT_AZURE_OPENAI_API_VERSION, type ModelEndpointConfig } from '../../../../modelEndpoint.js';
import type { ModelPort } from '../port.js';
import { CLIENT_DEFAULTS, openAIPort, tokenProviderFor } from './openaiChat.js';

export function azureOpenAIPort(config: ModelEndpointConfig, credential?: TokenCredential): ModelPort {
  const tokenProvider = tokenProviderFor(config, credential);
  const client = new AzureOpenAI({
    ...CLIENT_DEFAULTS,
    baseURL: config.baseUrl,
    deployment: config.model,
    apiVersion: config.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION,
    ...(tokenProvider ? { azureADTokenProvider: tokenProvider } : { apiKey: config.apiKey }),
  });
  return openAIPort(client, config, tokenProvider);
}
