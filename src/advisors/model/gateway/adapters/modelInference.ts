/**
 * The Azure AI Model Inference API, as Foundry Models serves it (`{resource}.services.ai.azure.com/models
 * /chat/completions?api-version=…`, key in `api-key`) and as serverless API endpoints serve it at their root
 * (`{name}.{region}.models.ai.azure.com/chat/completions?api-version=…`, key as `Authorization: Bearer`). The model
 * name goes in the body. `extra-parameters: drop` asks the endpoint to drop parameters its API version does not
 * define (`max_completion_tokens`, `reasoning_effort`) rather than fail the call; parameters it defines but the
 * model does not support still answer 422 `parameter_not_supported`, which the negotiation reads.
 *
 * Through the `openai` client rather than `@azure-rest/ai-inference` (1.0.0-beta.6): the wire format is the same
 * chat-completions body, and one client family gives every kind the same errors, abort and timeout semantics and
 * no retries, without a second HTTP pipeline (with its own retry policy and logger) to turn off.
 */
import type { TokenCredential } from '@azure/identity';
import type { ModelEndpointConfig } from '../../../../modelEndpoint.js';
import type { ModelPort } from '../port.js';
import { OpenAICompatibleClient } from './openaiCompatible.js';
import { CLIENT_DEFAULTS, openAIPort, tokenProviderFor } from './openaiChat.js';

function inferencePort(
  config: ModelEndpointConfig,
  credential: TokenCredential | undefined,
  keyHeader: 'api-key' | 'bearer',
): ModelPort {
  const tokenProvider = tokenProviderFor(config, credential);
  const keyInHeader = config.apiKey !== undefined && keyHeader === 'api-key';
  const client = new OpenAICompatibleClient({
    ...CLIENT_DEFAULTS,
    baseURL: config.baseUrl,
    apiKey: tokenProvider ?? config.apiKey ?? null,
    defaultHeaders: {
      'extra-parameters': 'drop',
      ...(keyInHeader && { 'api-key': config.apiKey, Authorization: null }),
    },
    ...(config.apiVersion && { defaultQuery: { 'api-version': config.apiVersion } }),
  });
  return openAIPort(client, config, tokenProvider);
}

export const foundryModelsPort = (config: ModelEndpointConfig, credential?: TokenCredential): ModelPort =>
  inferencePort(config, credential, 'api-key');

export const serverlessPort = (config: ModelEndpointConfig, credential?: TokenCredential): ModelPort =>
  inferencePort(config, credential, 'bearer');
