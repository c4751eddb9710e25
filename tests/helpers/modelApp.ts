/**
 * The real app with the real model advisor (real `AzureOpenAI` client) pointed at the Azure OpenAI STAND-IN
 * (`tests/fakes/azure-openai-server.ts`, scripted, not a model), next to the real rules.
 */
import { Registry } from 'prom-client';
import { createModelAdvisor, type ModelAdvisor } from '../../src/advisors/model/index.js';
import { createRulesAdvisor } from '../../src/advisors/rules/index.js';
import { testConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import {
  type FakeAzureOpenAI,
  type FakeBehaviour,
  startFakeAzureOpenAI,
} from '../fakes/azure-openai-server.js';
import { type TestApp, testApp } from './testApp.js';

export interface ModelApp extends TestApp {
  readonly fake: FakeAzureOpenAI;
  readonly model: ModelAdvisor;
  /** The model advisor's metrics (items dropped by reason, outcomes…). */
  readonly modelMetrics: Registry;
  close(): Promise<void>;
}

export async function modelApp(behaviour?: FakeBehaviour, adviceBudgetMs = 2000): Promise<ModelApp> {
  const fake = await startFakeAzureOpenAI({ deployment: 'advice', apiKey: 'stand-in-key' });
  if (behaviour) fake.behaviour = behaviour;
  const azureOpenAI = {
    endpoint: fake.endpoint,
    deployment: 'advice',
    apiKey: 'stand-in-key',
    apiVersion: '2024-10-21',
  };
  const modelMetrics = new Registry();
  const model = createModelAdvisor(testConfig({ azureOpenAI }), {
    logger: silentLogger(),
    metricsRegistry: modelMetrics,
  });
  if (!model) throw new Error('model advisor not created');
  const app = await testApp({ adviceBudgetMs, azureOpenAI }, { advisors: [createRulesAdvisor(), model] });
  return {
    ...app,
    fake,
    model,
    modelMetrics,
    async close() {
      model.close();
      await fake.close();
    },
  };
}
