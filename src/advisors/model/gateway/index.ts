/**
 * The model gateway: one port, one adapter per Azure AI Foundry endpoint kind, chosen from configuration
 * (`src/modelEndpoint.ts`), with capability negotiation and the lane's health on top.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../../../config.js';
import { fromAzureOpenAI, type EndpointKind, type ModelEndpointConfig } from '../../../modelEndpoint.js';
import { azureOpenAIPort } from './adapters/azureOpenAI.js';
import { foundryModelsPort, serverlessPort } from './adapters/modelInference.js';
import { openAIV1Port } from './adapters/openaiV1.js';
import type { ModelPort } from './port.js';

export { ModelGateway, type Capabilities, type NegotiatedCompletion } from './negotiate.js';
export { ModelLane, type LaneReport, type LaneState } from './lane.js';
export { classifyCallError, codeLabel, type CallFailure } from './failures.js';
export type { ModelPort, ModelCompletion, OutputMode, ParameterProfile } from './port.js';

const ADAPTERS: Readonly<
  Record<EndpointKind, (config: ModelEndpointConfig, credential?: TokenCredential) => ModelPort>
> = {
  'azure-openai': azureOpenAIPort,
  'openai-v1': openAIV1Port,
  'foundry-models': foundryModelsPort,
  serverless: serverlessPort,
};

/** The configured endpoint: MODEL_ENDPOINT, or the contract's AZURE_OPENAI_* as the azure-openai kind. */
export function modelEndpointOf(config: Config): ModelEndpointConfig | undefined {
  return config.modelEndpoint ?? (config.azureOpenAI && fromAzureOpenAI(config.azureOpenAI));
}

export function createModelPort(config: ModelEndpointConfig, credential?: TokenCredential): ModelPort {
  return ADAPTERS[config.kind](config, credential);
}
