/**
 * The remote services the benchmarks need, each in its own process on 127.0.0.1 so neither the service nor the
 * load generator pays for them:
 *   fhir                 the fake FHIR server (Medplum router, in-memory) loaded with the benchmark chart
 *   azure <delayMs>      the Azure OpenAI stand-in answering every call after a delay (no advice items)
 *   azure-hang           the stand-in accepting every call and never answering
 *   model-hang <kind>    the stand-in of another Azure AI Foundry endpoint kind (openai-v1, foundry-models,
 *                        serverless), accepting every call and never answering
 */
import { startFakeAzureOpenAI } from '../../tests/fakes/azure-openai-server.js';
import { startFakeFhirServer } from '../../tests/fakes/fhir-server.js';
import { startModelStandIn } from '../../tests/fakes/model-stand-ins.js';
import { ENDPOINT_KINDS, type EndpointKind } from '../../src/modelEndpoint.js';
import { AZURE_API_KEY, AZURE_DEPLOYMENT } from '../lib/standIns.js';
import { chartResources } from '../payload.js';

function listening(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ message: 'listening', ...fields })}\n`);
}

async function main(): Promise<void> {
  const [kind, arg] = process.argv.slice(2);
  let close: () => Promise<void>;
  if (kind === 'fhir') {
    const fhir = await startFakeFhirServer();
    await fhir.load(chartResources());
    close = () => fhir.close();
    listening({ port: Number(new URL(fhir.baseUrl).port), baseUrl: fhir.baseUrl });
  } else if (kind === 'azure' || kind === 'azure-hang') {
    const azure = await startFakeAzureOpenAI({ deployment: AZURE_DEPLOYMENT, apiKey: AZURE_API_KEY });
    azure.behaviour =
      kind === 'azure-hang'
        ? { kind: 'hang' }
        : { kind: 'advice', advice: () => ({ advice: [] }), delayMs: Number(arg ?? 800) };
    // The stand-in records every request for tests; a benchmark must not grow without bound.
    const trim = setInterval(() => azure.requests.splice(0, azure.requests.length), 1000);
    close = async () => {
      clearInterval(trim);
      await azure.close();
    };
    listening({ port: Number(new URL(azure.endpoint).port), endpoint: azure.endpoint });
  } else if (kind === 'model-hang' && (ENDPOINT_KINDS as readonly string[]).includes(arg ?? '')) {
    const model = await startModelStandIn({
      kind: arg as EndpointKind,
      model: AZURE_DEPLOYMENT,
      apiKey: AZURE_API_KEY,
    });
    model.behaviour = { kind: 'hang' };
    close = () => model.close();
    listening({ port: Number(new URL(model.endpoint).port), endpoint: model.endpoint });
  } else {
    throw new Error(
      `unknown stand-in "${String(kind)}" (fhir | azure <delayMs> | azure-hang | model-hang <endpoint kind>)`,
    );
  }
  process.once('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
