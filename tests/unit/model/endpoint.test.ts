import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { AZURE_ML_SCOPE, COGNITIVE_SERVICES_SCOPE } from '../../../src/modelEndpoint.js';

const endpoint = (env: Record<string, string>) => loadConfig({ MODEL_NAME: 'm', ...env }).modelEndpoint;

describe('MODEL_ENDPOINT: the endpoint kind from the URL', () => {
  it.each([
    ['https://res.openai.azure.com', 'azure-openai', 'https://res.openai.azure.com/openai', '2024-10-21'],
    [
      'https://res.cognitiveservices.azure.com/',
      'azure-openai',
      'https://res.cognitiveservices.azure.com/openai',
      '2024-10-21',
    ],
    [
      'https://res.openai.azure.com/openai/v1/',
      'openai-v1',
      'https://res.openai.azure.com/openai/v1',
      undefined,
    ],
    [
      'https://res.services.ai.azure.com/openai/v1',
      'openai-v1',
      'https://res.services.ai.azure.com/openai/v1',
      undefined,
    ],
    [
      'https://res.services.ai.azure.com/models',
      'foundry-models',
      'https://res.services.ai.azure.com/models',
      '2024-05-01-preview',
    ],
    [
      'https://res.services.ai.azure.com',
      'foundry-models',
      'https://res.services.ai.azure.com/models',
      '2024-05-01-preview',
    ],
    [
      'https://name.eastus2.models.ai.azure.com',
      'serverless',
      'https://name.eastus2.models.ai.azure.com',
      '2024-05-01-preview',
    ],
  ])('%s is %s', (url, kind, baseUrl, apiVersion) => {
    expect(endpoint({ MODEL_ENDPOINT: url })).toMatchObject({ kind, kindFrom: 'url', baseUrl, apiVersion });
  });

  it('understands the target URI as the portal shows it: path to chat/completions and the api-version query', () => {
    expect(
      endpoint({
        MODEL_ENDPOINT: 'https://res.services.ai.azure.com/models/chat/completions?api-version=2025-05-01',
      }),
    ).toMatchObject({
      kind: 'foundry-models',
      baseUrl: 'https://res.services.ai.azure.com/models',
      apiVersion: '2025-05-01',
    });
    expect(
      loadConfig({
        MODEL_ENDPOINT:
          'https://res.openai.azure.com/openai/deployments/gpt-4o-advice/chat/completions?api-version=2024-10-21',
      }).modelEndpoint,
    ).toMatchObject({
      kind: 'azure-openai',
      model: 'gpt-4o-advice',
      baseUrl: 'https://res.openai.azure.com/openai',
    });
  });

  it('takes MODEL_ENDPOINT_KIND over the URL, and asks for it when the URL names no kind', () => {
    expect(
      endpoint({ MODEL_ENDPOINT: 'https://gateway.hospital.example', MODEL_ENDPOINT_KIND: 'serverless' }),
    ).toMatchObject({
      kind: 'serverless',
      kindFrom: 'MODEL_ENDPOINT_KIND',
      baseUrl: 'https://gateway.hospital.example',
    });
    expect(() => endpoint({ MODEL_ENDPOINT: 'https://gateway.hospital.example' })).toThrow(
      /does not say which kind of endpoint it is; set MODEL_ENDPOINT_KIND/,
    );
    expect(() =>
      endpoint({ MODEL_ENDPOINT: 'https://res.openai.azure.com', MODEL_ENDPOINT_KIND: 'openai' }),
    ).toThrow(ConfigError);
  });

  it('gives each kind its Entra ID scope, and MODEL_TOKEN_SCOPE overrides it', () => {
    expect(endpoint({ MODEL_ENDPOINT: 'https://res.services.ai.azure.com/models' })?.tokenScope).toBe(
      COGNITIVE_SERVICES_SCOPE,
    );
    expect(endpoint({ MODEL_ENDPOINT: 'https://n.westus.models.ai.azure.com' })?.tokenScope).toBe(
      AZURE_ML_SCOPE,
    );
    expect(
      endpoint({
        MODEL_ENDPOINT: 'https://res.openai.azure.com',
        MODEL_TOKEN_SCOPE: 'https://cognitiveservices.azure.us/.default',
      })?.tokenScope,
    ).toBe('https://cognitiveservices.azure.us/.default');
  });

  it('refuses what cannot work, naming the variable', () => {
    expect(() => loadConfig({ MODEL_ENDPOINT: 'https://res.openai.azure.com' })).toThrow(
      /MODEL_NAME is required/,
    );
    expect(() =>
      endpoint({
        MODEL_ENDPOINT: 'https://res.openai.azure.com',
        AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT: 'd',
      }),
    ).toThrow(/both set/);
    expect(() => endpoint({ MODEL_ENDPOINT: 'https://ep.eastus.inference.ml.azure.com/score' })).toThrow(
      /managed-compute \/score endpoint/,
    );
    expect(() => endpoint({ MODEL_ENDPOINT: 'https://u:p@res.openai.azure.com' })).toThrow(/user info/);
    expect(() =>
      endpoint({ MODEL_ENDPOINT: 'https://res.openai.azure.com', MODEL_REASONING_EFFORT: 'max' }),
    ).toThrow(/MODEL_REASONING_EFFORT/);
  });

  it('keeps AZURE_OPENAI_* as they were, and MODEL_ENDPOINT unset leaves the gateway to them', () => {
    const config = loadConfig({
      AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com',
      AZURE_OPENAI_DEPLOYMENT: 'd',
    });

    expect(config.modelEndpoint).toBeUndefined();
    expect(config.azureOpenAI).toEqual({
      endpoint: 'https://res.openai.azure.com',
      deployment: 'd',
      apiKey: undefined,
      apiVersion: '2024-10-21',
    });
  });
});

describe('ADVICE_BUDGET_MS_BY_SERVICE', () => {
  it('reads service-id=ms pairs, and ADVICE_BUDGET_MS stays the default', () => {
    const config = loadConfig({
      ADVICE_BUDGET_MS_BY_SERVICE: 'patient-view-advice=4000, order-select-advice=2500',
    });

    expect(config.adviceBudgetMs).toBe(2000);
    expect(config.adviceBudgetMsByService).toEqual({
      'patient-view-advice': 4000,
      'order-select-advice': 2500,
    });
  });

  it('refuses a malformed pair or an out-of-range budget', () => {
    expect(() => loadConfig({ ADVICE_BUDGET_MS_BY_SERVICE: 'patient-view-advice:4000' })).toThrow(
      /service-id=ms pairs/,
    );
    expect(() => loadConfig({ ADVICE_BUDGET_MS_BY_SERVICE: 'patient-view-advice=5' })).toThrow(
      /between 100 and 60000/,
    );
  });
});
