/**
 * The model advisor inside the real app: HTTP → prefetch → rules and model side by side → merge → cards, with
 * the real `AzureOpenAI` client talking to the Azure OpenAI STAND-IN (`tests/fakes/azure-openai-server.ts`,
 * scripted, not a model).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createModelAdvisor, type ModelAdvisor } from '../../../src/advisors/model/index.js';
import { createRulesAdvisor } from '../../../src/advisors/rules/index.js';
import { type Card, PROVENANCE_EXTENSION } from '../../../src/cds/types.js';
import { testConfig } from '../../helpers/testConfig.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import {
  type FakeAzureOpenAI,
  type FakeBehaviour,
  standIn,
  startFakeAzureOpenAI,
} from '../../fakes/azure-openai-server.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { testApp } from '../../helpers/testApp.js';

const BUDGET_MS = 800;
/** Generous slack over the budget for a loaded CI machine; the precise figure is measured in `bench/`. */
const SLACK_MS = 400;

let fake: FakeAzureOpenAI | undefined;
let model: ModelAdvisor | undefined;

afterEach(async () => {
  model?.close();
  model = undefined;
  await fake?.close();
  fake = undefined;
});

async function appWithModel(behaviour: FakeBehaviour): Promise<Awaited<ReturnType<typeof testApp>>> {
  fake = await startFakeAzureOpenAI({ deployment: 'advice', apiKey: 'stand-in-key' });
  fake.behaviour = behaviour;
  const azureOpenAI = {
    endpoint: fake.endpoint,
    deployment: 'advice',
    apiKey: 'stand-in-key',
    apiVersion: '2024-10-21',
  };
  model = createModelAdvisor(testConfig({ azureOpenAI }), { logger: silentLogger() });
  return testApp({ adviceBudgetMs: BUDGET_MS, azureOpenAI }, { advisors: [createRulesAdvisor(), model!] });
}

const provenance = (
  card: Card,
): { advisor: string; model?: string; promptVersion?: string; evidence: string[] } =>
  card.extension[PROVENANCE_EXTENSION];

describe('model advice in the hook pipeline', () => {
  it('when the model hangs, the rule cards still come back within the budget', async () => {
    const { app } = await appWithModel({ kind: 'hang' });

    const t0 = performance.now();
    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.full-prefetch'));
    const elapsedMs = performance.now() - t0;

    expect(res.status).toBe(200);
    const { cards } = res.body as { cards: Card[] };
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.every((c) => provenance(c).advisor === 'rules')).toBe(true);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it('folds advice that repeats a rule into the rule card, quoted, and labels new advice as AI-generated', async () => {
    const { app } = await appWithModel(
      standIn.advising((data) => {
        const ibuprofen = data.draftOrders[0]!.alias;
        const warfarin = data.activeMedications[0]!.alias;
        const ckd = data.problems[0]!.alias;
        return [
          {
            kind: 'interaction',
            summary: 'Ibuprofen with warfarin raises bleeding risk.',
            detail: 'Scripted by the stand-in.',
            severity: 'warning',
            cites: [ibuprofen, warfarin],
            certainty: 'high',
            suggestion: null,
          },
          {
            kind: 'monitoring',
            summary: 'Check renal function before an NSAID in chronic kidney disease.',
            detail: 'Scripted by the stand-in.',
            severity: 'info',
            cites: [ibuprofen, ckd],
            certainty: 'moderate',
            suggestion: { kind: 'order-lab', loinc: '2160-0' },
          },
        ];
      }),
    );

    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.full-prefetch'));

    expect(res.status).toBe(200);
    const { cards } = res.body as { cards: Card[] };
    const interaction = cards.filter((c) => /ibuprofen/i.test(c.summary) && /warfarin/i.test(c.summary));
    expect(interaction).toHaveLength(1);
    expect(provenance(interaction[0]!).advisor).toBe('rules');
    // Folded in the model's own words, labelled, not as a claim of agreement.
    expect(interaction[0]!.detail).toContain('**AI advisor (AI-generated), citing the same items:**');
    expect(interaction[0]!.detail).toContain('Ibuprofen with warfarin raises bleeding risk');

    const aiCards = cards.filter((c) => provenance(c).advisor === 'model');
    expect(aiCards).toHaveLength(1);
    const ai = aiCards[0]!;
    expect(ai.source.label).toMatch(/AI-generated/);
    expect(ai.detail).toMatch(/AI-generated advice/);
    expect(provenance(ai)).toMatchObject({
      model: expect.stringMatching(/^advice\//),
      promptVersion: expect.any(String),
      evidence: expect.arrayContaining(['MedicationRequest/draft-ibuprofen']),
    });
    expect(ai.overrideReasons?.map((r) => r.display)).toContain('AI advice incorrect');
    const action = ai.suggestions?.[0]?.actions?.[0];
    const created = action?.type === 'create' ? action.resource : undefined;
    expect(created?.meta?.security?.map((s) => s.code)).toEqual(['AIAST']);
  });
});

describe('model advice budget per service', () => {
  it('gives patient-view the longer budget ADVICE_BUDGET_MS_BY_SERVICE sets, while order-sign keeps ADVICE_BUDGET_MS', async () => {
    fake = await startFakeAzureOpenAI({ deployment: 'advice', apiKey: 'stand-in-key' });
    fake.behaviour = standIn.advising((data) => {
      const subject = data.draftOrders[0]?.alias ?? data.activeMedications[0]!.alias;
      return [
        {
          kind: 'monitoring',
          summary: 'Check renal function on this medication.',
          detail: 'Scripted by the stand-in.',
          severity: 'info',
          cites: [subject],
          certainty: 'moderate',
          suggestion: { kind: 'order-lab', loinc: '2160-0' },
        },
      ];
    }, 600);
    const azureOpenAI = {
      endpoint: fake.endpoint,
      deployment: 'advice',
      apiKey: 'stand-in-key',
      apiVersion: '2024-10-21',
    };
    const { app, deps } = await testApp({
      adviceBudgetMs: 300,
      adviceBudgetMsByService: { 'patient-view-advice': 3000 },
      azureOpenAI,
    });
    try {
      const view = await request(app)
        .post('/cds-services/patient-view-advice')
        .send(requestFixture('patient-view.full-prefetch'));
      const t0 = performance.now();
      const sign = await request(app)
        .post('/cds-services/order-sign-advice')
        .send(requestFixture('order-sign.full-prefetch'));
      const signMs = performance.now() - t0;

      expect(
        (view.body as { cards: Card[] }).cards.filter((c) => provenance(c).advisor === 'model'),
      ).toHaveLength(1);
      expect((sign.body as { cards: Card[] }).cards.filter((c) => provenance(c).advisor === 'model')).toEqual(
        [],
      );
      expect(signMs).toBeLessThan(300 + SLACK_MS);
    } finally {
      for (const advisor of deps.advisors) advisor.close?.();
    }
  });

  it('refuses at start a budget for a service that does not exist', async () => {
    await expect(testApp({ adviceBudgetMsByService: { 'patient-veiw-advice': 3000 } })).rejects.toThrow(
      /ADVICE_BUDGET_MS_BY_SERVICE names "patient-veiw-advice", which is not a service id/,
    );
  });
});
