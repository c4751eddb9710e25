/** Starting the stand-ins of `bench/children/stand-ins.ts` as child processes, and the service settings they need. */
import type { EndpointKind } from '../../src/modelEndpoint.js';
import { type Child, spawnChild } from './processes.js';

export const AZURE_DEPLOYMENT = 'bench-deployment';
export const AZURE_API_KEY = 'bench-azure-key';

const SCRIPT = 'bench/children/stand-ins.ts';

/** The fake FHIR server loaded with the benchmark chart; its base URL is `${child.url}/fhir`. */
export function spawnFhirServer(): Promise<Child> {
  return spawnChild({ name: 'fake-fhir', script: SCRIPT, args: ['fhir'] });
}

/** The Azure OpenAI stand-in, answering after `delayMs` or never (`'hang'`). */
export function spawnAzure(delay: number | 'hang'): Promise<Child> {
  return spawnChild({
    name: 'fake-azure',
    script: SCRIPT,
    args: delay === 'hang' ? ['azure-hang'] : ['azure', String(delay)],
  });
}

/** The service's environment for the model advisor pointed at the stand-in. */
export function azureEnv(azure: Child, budgetMs: number): Record<string, string> {
  return {
    AZURE_OPENAI_ENDPOINT: azure.url,
    AZURE_OPENAI_DEPLOYMENT: AZURE_DEPLOYMENT,
    AZURE_OPENAI_API_KEY: AZURE_API_KEY,
    ADVICE_BUDGET_MS: String(budgetMs),
  };
}

/** The stand-in of one endpoint kind, never answering (`azure-openai` is `spawnAzure('hang')`). */
export function spawnModelHang(kind: Exclude<EndpointKind, 'azure-openai'>): Promise<Child> {
  return spawnChild({ name: `fake-${kind}`, script: SCRIPT, args: ['model-hang', kind] });
}

/** The service's environment for the model gateway pointed at a stand-in of `kind` (MODEL_* variables). */
export function modelEnv(model: Child, kind: EndpointKind, budgetMs: number): Record<string, string> {
  const suffix = {
    'azure-openai': '',
    'openai-v1': '/openai/v1',
    'foundry-models': '/models',
    serverless: '',
  }[kind];
  return {
    MODEL_ENDPOINT: `${model.url}${suffix}`,
    // A loopback URL names no kind.
    MODEL_ENDPOINT_KIND: kind,
    MODEL_NAME: AZURE_DEPLOYMENT,
    MODEL_API_KEY: AZURE_API_KEY,
    ADVICE_BUDGET_MS: String(budgetMs),
  };
}
