/**
 * The ground-truth runner against the Azure OpenAI STAND-IN (not a model: its advice is scripted here), through
 * the real model advisor and HTTP: each case run gets a fresh cache, tokens come from the response's usage, and
 * the model's items are judged with the certainty their cards state.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createModelAdvisor } from '../../../src/advisors/model/index.js';
import { createRulesAdvisor } from '../../../src/advisors/rules/index.js';
import { testConfig } from '../../helpers/testConfig.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { SERVICES } from '../../../hooks/index.js';
import { requestOfChart } from '../../../scripts/eval/chart.js';
import type { GroundTruthCase } from '../../../scripts/eval/groundTruth.js';
import { runGroundTruth } from '../../../scripts/eval/runner.js';
import { NOW, SCENARIO_SPECS } from '../../../scripts/eval/scenarioSpecs.js';
import { normalizePatientContext } from '../../../src/clinical/normalize.js';
import {
  type FakeAzureOpenAI,
  patientDataOf,
  startFakeAzureOpenAI,
} from '../../fakes/azure-openai-server.js';
import { reviewFor } from '../../../src/pipeline/review.js';

let fake: FakeAzureOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function standIn(): Promise<FakeAzureOpenAI> {
  fake = await startFakeAzureOpenAI({ deployment: 'eval', apiKey: 'k' });
  fake.behaviour = {
    kind: 'advice',
    advice: (request) => {
      const data = patientDataOf(request);
      const draft = data.draftOrders[0]?.alias;
      const active = data.activeMedications[0]?.alias;
      if (!draft || !active) return { advice: [] };
      return {
        advice: [
          {
            kind: 'interaction',
            summary: 'Bleeding risk with the NSAID.',
            detail: 'Scripted.',
            severity: 'warning',
            cites: [draft, active],
            certainty: 'high',
            suggestion: null,
          },
        ],
      };
    },
  };
  return fake;
}

const configFor = (f: FakeAzureOpenAI) =>
  testConfig({
    azureOpenAI: { endpoint: f.endpoint, deployment: 'eval', apiKey: 'k', apiVersion: '2024-10-21' },
  });

/** The same chart on order-select and then order-sign: the second would find the first's answer in a shared cache. */
function selectThenSign(): GroundTruthCase[] {
  const spec = SCENARIO_SPECS.find((s) => s.chart.name === 'warfarin-ibuprofen')!;
  return (['order-select', 'order-sign'] as const).map((hook) => ({
    name: `warfarin-ibuprofen-${hook}`,
    request: requestOfChart({ ...spec.chart, hook, now: NOW }),
    expectations: { ...spec.expect, now: NOW, reviewedBy: 'test' },
  }));
}

describe('ground-truth runner', () => {
  it('runs every case on a fresh model cache: order-sign is answered by the model, not by order-select’s cache', async () => {
    const f = await standIn();
    const runs = await runGroundTruth(selectThenSign(), createRulesAdvisor(), {
      config: configFor(f),
      logger: silentLogger(),
      budgetMs: 5000,
      repeat: 2,
      withModel: true,
    });
    expect(runs).toHaveLength(4);
    expect(runs.map((r) => r.advisors.model?.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const modelCalls = f.requests.filter((r) => r.path.includes('/chat/completions'));
    expect(modelCalls).toHaveLength(4);
    // Tokens from the response's usage (the stand-in reports 1,000 prompt and 200 completion per call).
    for (const run of runs) expect(run.tokens).toEqual({ prompt: 1000, completion: 200 });
    // The model's item matches the expected interaction, with the certainty its card states.
    const modelItems = runs.flatMap((r) => r.items.filter((i) => i.advisor === 'model'));
    expect(modelItems).toHaveLength(4);
    for (const i of modelItems)
      expect(i).toMatchObject({ verdict: 'correct', certainty: 'high', kind: 'interaction' });
    expect(runs[0]!.subgroups).toEqual({
      ageBand: '65-79',
      sex: 'female',
      renalBand: 'eGFR ≥60',
      extensions: { 'us-core-race': 'White' },
    });
  });

  it('(what the fresh cache prevents) one advisor shared by both hooks serves order-sign from its cache', async () => {
    const f = await standIn();
    const advisor = createModelAdvisor(configFor(f), {
      logger: silentLogger(),
      metricsRegistry: new Registry(),
    })!;
    try {
      const statuses: string[] = [];
      for (const c of selectThenSign()) {
        const service = SERVICES.find((s) => s.definition.hook === c.request.hook)!;
        const prefetch = c.request.prefetch as Record<string, unknown>;
        const context = c.request.context as unknown as Record<string, unknown>;
        const patient = normalizePatientContext({
          hook: c.request.hook,
          now: new Date(NOW),
          patientId: String(context.patientId),
          patient: prefetch.patient,
          medications: prefetch.medications,
          labs: prefetch.labs,
          conditions: prefetch.conditions,
          allergies: prefetch.allergies,
          draftOrders: context.draftOrders,
          selections: context.selections as string[] | undefined,
          missing: [],
        });
        const outcome = await advisor.advise(
          reviewFor(service, patient, c.request.hookInstance),
          AbortSignal.timeout(5000),
        );
        statuses.push(outcome.status);
      }
      expect(statuses).toEqual(['ok', 'cached']);
    } finally {
      advisor.close();
    }
  });

  it('counts no model and no tokens when no model is configured', async () => {
    const runs = await runGroundTruth(selectThenSign().slice(0, 1), createRulesAdvisor(), {
      config: testConfig(),
      logger: silentLogger(),
      budgetMs: 5000,
      repeat: 1,
      withModel: false,
    });
    expect(runs[0]!.advisors.model).toBeUndefined();
    expect(runs[0]!.tokens).toBeNull();
    expect(runs[0]!.items.filter((i) => i.advisor === 'rules').length).toBeGreaterThan(0);
  });
});
