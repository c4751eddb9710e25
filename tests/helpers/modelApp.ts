/**
 * The real app, composed as `npm start` composes it (rules, and the model advisor with the knowledge base's
 * vocabulary and the store's kill switch), its model advisor's real `AzureOpenAI` client pointed at the Azure
 * OpenAI STAND-IN (`tests/fakes/azure-openai-server.ts`, scripted, not a model).
 */
import { ModelAdvisor } from '../../src/advisors/model/index.js';
import {
  type FakeAzureOpenAI,
  type FakeBehaviour,
  startFakeAzureOpenAI,
} from '../fakes/azure-openai-server.js';
import { type TestApp, testApp } from './testApp.js';

export interface ModelApp extends TestApp {
  readonly fake: FakeAzureOpenAI;
  readonly model: ModelAdvisor;
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
  const app = await testApp({ adviceBudgetMs, azureOpenAI });
  const model = app.deps.advisors.find((a): a is ModelAdvisor => a instanceof ModelAdvisor);
  if (!model) throw new Error('the app has no model advisor');
  return {
    ...app,
    fake,
    model,
    async close() {
      model.close();
      await fake.close();
    },
  };
}
