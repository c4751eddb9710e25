/**
 * `npm run model:check`: calls the configured endpoint with a synthetic patient (no real data) and says, in plain
 * words, what works and what to fix — reachable, authenticated, which model and version answered, which output
 * mode and parameter profile work, latency over three calls — the way the advisor would call it (same port, same
 * negotiation, same validation of the answer). Usable only when every call answered with valid advice.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../../../config.js';
import { createLogger, type Logger } from '../../../logger.js';
import { KIND_FACTS, type ModelEndpointConfig } from '../../../modelEndpoint.js';
import { OutputRejectedError, parseAnswer } from '../output.js';
import { classifyCallError, providerErrorOf } from './failures.js';
import { modelEndpointOf, createModelPort } from './index.js';
import { fixFor } from './lane.js';
import { ModelGateway } from './negotiate.js';
import type { OutputMode } from './port.js';
import { syntheticProbeMessages } from './synthetic.js';

export interface CheckReport {
  readonly usable: boolean;
  readonly lines: readonly string[];
}

export interface CheckOptions {
  readonly credential?: TokenCredential;
  readonly calls?: number;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

const MODE_WORDS: Readonly<Record<OutputMode, string>> = {
  'json-schema': 'strict JSON schema (structured outputs)',
  'json-object': 'JSON mode, with the schema in the prompt (no strict JSON schema on this endpoint)',
  text: 'plain text, with the schema in the prompt (neither strict JSON schema nor JSON mode on this endpoint)',
};

function describeEndpoint(endpoint: ModelEndpointConfig, auth: string): string[] {
  const facts = KIND_FACTS[endpoint.kind];
  const how = {
    url: 'from the URL',
    MODEL_ENDPOINT_KIND: 'from MODEL_ENDPOINT_KIND',
    AZURE_OPENAI_ENDPOINT: 'from AZURE_OPENAI_*',
  }[endpoint.kindFrom];
  return [
    `Endpoint: ${facts.title} (${endpoint.kind}, ${how}) at ${new URL(endpoint.baseUrl).host}`,
    `${endpoint.kind === 'azure-openai' ? 'Deployment' : 'Model'}: ${endpoint.model}; api-version: ${endpoint.apiVersion ?? 'none'}`,
    auth === 'api-key'
      ? 'Authentication: API key'
      : `Authentication: Microsoft Entra ID, scope ${endpoint.tokenScope} (the identity needs "${facts.role}")`,
  ];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};

export async function checkModelEndpoint(config: Config, options: CheckOptions = {}): Promise<CheckReport> {
  const endpoint = modelEndpointOf(config);
  if (!endpoint) {
    return {
      usable: false,
      lines: [
        'No model endpoint is configured: the service runs with its rules only.',
        'What to change: set MODEL_ENDPOINT and MODEL_NAME (any Azure AI Foundry endpoint kind), or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT.',
      ],
    };
  }
  const logger = options.logger ?? createLogger('error', true);
  const port = createModelPort(endpoint, options.credential);
  const lines = describeEndpoint(endpoint, port.auth);
  if (port.auth === 'entra-id') {
    try {
      await port.prepare();
      lines.push('Entra ID token: obtained');
    } catch (error) {
      lines.push(
        `Entra ID token: not obtained (${error instanceof Error ? error.name : 'error'})`,
        `What to change: let DefaultAzureCredential find an identity (managed identity, workload identity, or \`az login\`), check MODEL_TOKEN_SCOPE (${endpoint.tokenScope}), or set MODEL_API_KEY.`,
      );
      return { usable: false, lines };
    }
  }

  const gateway = new ModelGateway(port, logger, endpoint.reasoningEffort);
  const calls = options.calls ?? 3;
  const latencies: number[] = [];
  const answeredBy = new Set<string>();
  let items: number | undefined;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    try {
      const completion = await gateway.complete(syntheticProbeMessages(), {
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
        timeoutMs: options.timeoutMs ?? 20_000,
      });
      latencies.push(performance.now() - t0);
      if (completion.model) answeredBy.add(completion.model);
      items = parseAnswer(completion.content, completion.model).items.length;
    } catch (error) {
      if (error instanceof OutputRejectedError) {
        lines.push(
          'Reachable: yes',
          'Authenticated: yes',
          `Answer: unusable (${error.reason}): the model answered, but not with advice the service can validate.`,
          'What to change: use a chat model that follows instructions and returns JSON; check `npm run eval` before switching it on.',
        );
        return { usable: false, lines };
      }
      const failure = classifyCallError(error);
      const provider = failure.provider ?? providerErrorOf(error);
      const reachable = failure.reason !== 'connection' && failure.reason !== 'call-time-limit';
      lines.push(`Reachable: ${reachable ? 'yes' : `no (${failure.reason})`}`);
      if (reachable) lines.push(`Authenticated: ${failure.lane === 'unauthorised' ? 'no' : 'yes'}`);
      if (provider.httpStatus !== undefined) {
        lines.push(
          `The endpoint answered HTTP ${provider.httpStatus}${provider.code ? `, code ${provider.code}` : ''}${provider.param ? `, parameter ${provider.param}` : ''}${provider.message ? `: ${provider.message.slice(0, 300)}` : ''}`,
        );
      }
      lines.push(
        `What to change: ${
          reachable
            ? fixFor(port, provider, endpoint.tokenScope)
            : `nothing answered at ${new URL(endpoint.baseUrl).host} in time: check MODEL_ENDPOINT, DNS, the firewall or private endpoint, and any proxy.`
        }`,
      );
      return { usable: false, lines };
    }
  }
  const caps = gateway.capabilities;
  const budget = config.adviceBudgetMs;
  const typical = median(latencies);
  lines.push(
    'Reachable: yes',
    'Authenticated: yes',
    `Model that answered: ${[...answeredBy].join(', ') || '(the response named no model)'}`,
    `Output mode that works: ${MODE_WORDS[caps.outputMode]}`,
    `Parameters: ${caps.profile === 'standard' ? 'standard (temperature 0, max_tokens)' : 'reasoning model (max_completion_tokens, no temperature)'}`,
    `Answer: valid advice (${items ?? 0} item${items === 1 ? '' : 's'} for the synthetic patient)`,
    `Latency over ${calls} calls: ${latencies.map((ms) => `${Math.round(ms)} ms`).join(', ')} (median ${Math.round(typical)} ms)`,
  );
  if (typical > budget) {
    lines.push(
      `Note: the median is over the hook budget (ADVICE_BUDGET_MS ${budget} ms): most AI advice would come late, from the cache on the next hook; ADVICE_BUDGET_MS_BY_SERVICE can give patient-view more time.`,
    );
  }
  lines.push('Usable: yes');
  return { usable: true, lines };
}
