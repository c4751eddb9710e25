/** Starting the stand-ins of `bench/children/stand-ins.ts` as child processes, and the service settings they need. */
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
