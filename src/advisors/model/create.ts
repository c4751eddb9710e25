/** Builds the model advisor from the configuration. */
import type { Config } from '../../config.js';
import { KIND_FACTS } from '../../modelEndpoint.js';
import { ModelAdvisor } from './advisor.js';
import { createModelPort, ModelGateway, modelEndpointOf } from './gateway/index.js';
import type { ModelAdvisorDeps } from './options.js';
import { PROMPT_VERSION } from './prompt.js';
import { defaultVocabulary } from './vocabulary.js';

/**
 * The model advisor for this configuration, or undefined — and a log line saying so — when no model endpoint is
 * configured (MODEL_ENDPOINT, or the contract's AZURE_OPENAI_ENDPOINT). The pipeline calls `advise(review,
 * signal)` with a signal that aborts at its deadline.
 */
export function createModelAdvisor(config: Config, deps: ModelAdvisorDeps): ModelAdvisor | undefined {
  const endpoint = modelEndpointOf(config);
  if (!endpoint) {
    deps.logger.info('model advisor off: neither MODEL_ENDPOINT nor AZURE_OPENAI_ENDPOINT is set');
    return undefined;
  }
  const port = createModelPort(endpoint, deps.credential);
  let drugVocabulary = deps.drugVocabulary;
  if (!drugVocabulary) {
    const loaded = defaultVocabulary();
    if (loaded.problem)
      deps.logger.warn('model advisor: no drug vocabulary, uncoded names withheld', {
        problem: loaded.problem,
      });
    drugVocabulary = loaded.vocabulary;
  }
  deps.logger.info('model advisor on', {
    kind: endpoint.kind,
    kindFrom: endpoint.kindFrom,
    endpoint: KIND_FACTS[endpoint.kind].title,
    endpointHost: port.endpointHost,
    model: endpoint.model,
    apiVersion: endpoint.apiVersion ?? 'none',
    auth: port.auth,
    adviceBudgetMs: config.adviceBudgetMs,
    promptVersion: PROMPT_VERSION,
  });
  if (port.auth === 'entra-id') {
    port.prepare().then(
      () => deps.logger.info('model advisor: Entra ID token obtained'),
      (err: unknown) =>
        deps.logger.warn('model advisor: no Entra ID token yet; model calls fail until one can be had', {
          error: err instanceof Error ? err.name : 'unknown',
          scope: endpoint.tokenScope,
        }),
    );
  }
  const gateway = new ModelGateway(port, deps.logger, endpoint.reasoningEffort);
  return new ModelAdvisor(gateway, {
    factSheetUrl: `${config.publicBaseUrl.replace(/\/+$/, '')}/model-facts`,
    ...deps,
    drugVocabulary,
    tokenScope: endpoint.tokenScope,
    options: { maxInsightCards: config.modelMaxInsightCards, ...deps.options },
  });
}
