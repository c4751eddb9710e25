/**
 * The model's insight lane through HTTP: the real app, the real model advisor and the real `AzureOpenAI` client
 * against the Azure OpenAI STAND-IN (scripted, not a model), which answers trend insights from the series it is
 * sent — with true claims, or with claims the data contradict — and order concerns resting on a lab.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type Card, PROVENANCE_EXTENSION } from '../../../src/cds/types.js';
import { type FakeBehaviour, standIn } from '../../fakes/azure-openai-server.js';
import { type ObsSpec, type RequestSpec, requestOf } from '../../../scripts/lib/synthFhir.js';
import { type ModelApp, modelApp } from '../../helpers/modelApp.js';

const BUDGET_MS = 800;
/** Generous slack over the budget for a loaded CI machine; the precise figure is measured in `bench/`. */
const SLACK_MS = 400;

let running: ModelApp | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const provenance = (card: Card): { advisor: string; evidence: string[] } =>
  card.extension[PROVENANCE_EXTENSION];
const modelCards = (body: unknown): Card[] =>
  (body as { cards: Card[] }).cards.filter((c) => provenance(c).advisor === 'model');

/** eGFR falling from 72 to 38 over four years, a result a month; potassium steady. */
const egfrDecline: ObsSpec[] = Array.from({ length: 49 }, (_, i) => ({
  id: `egfr-${i}`,
  loinc: '33914-3',
  text: 'eGFR',
  daysAgo: i * 30,
  value: Math.round(38 + (i * 34) / 48),
  unit: 'mL/min/{1.73_m2}',
}));
const steadyPotassium: ObsSpec[] = [0, 120, 240, 360].map((d, i) => ({
  id: `k-${i}`,
  loinc: '2823-3',
  text: 'Potassium',
  daysAgo: d,
  value: [4.5, 4.4, 4.6, 4.5][i]!,
  unit: 'mmol/L',
}));

const weightLoss: ObsSpec[] = [0, 365, 730, 1095, 1460].map((d, i) => ({
  id: `wt-${i}`,
  loinc: '29463-7',
  text: 'Body weight',
  daysAgo: d,
  value: [68, 71, 74, 77, 80][i]!,
  unit: 'kg',
}));

function chart(name: string, labs: readonly ObsSpec[], vitals?: readonly ObsSpec[]): Record<string, unknown> {
  const spec: RequestSpec = {
    name,
    hook: 'patient-view',
    now: new Date().toISOString(),
    patient: { id: 'pt-insight', gender: 'female', birthDate: '1952-04-02' },
    active: [
      { id: 'mr-lisinopril', text: 'lisinopril 10 MG Oral Tablet', rxcui: '314076' },
      { id: 'mr-metformin', text: 'metformin hydrochloride 500 MG Oral Tablet', rxcui: '861007' },
    ],
    problems: [
      { id: 'c-ckd', text: 'Chronic kidney disease stage 3', snomed: '433144002' },
      { id: 'c-dm', text: 'Type 2 diabetes mellitus', snomed: '44054006' },
    ],
    labs,
    ...(vitals && { vitals }),
  };
  return requestOf(spec);
}

async function patientView(
  behaviour: FakeBehaviour,
  labs: readonly ObsSpec[],
  budgetMs = 2000,
  vitals?: readonly ObsSpec[],
) {
  running = await modelApp(behaviour, budgetMs);
  const t0 = performance.now();
  const res = await request(running.app)
    .post('/cds-services/patient-view-advice')
    .send(chart('insight', labs, vitals));
  return { res, elapsedMs: performance.now() - t0 };
}

async function droppedFor(reason: string): Promise<number> {
  const text = (await request(running!.app).get('/metrics').expect(200)).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`cds_model_items_dropped_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('the model insight lane on patient-view', () => {
  it('shows an insight no rule makes, whose claim the series bears out, as an info card citing the results, with an AIAST referral', async () => {
    const { res } = await patientView(standIn.insights(), steadyPotassium, 2000, weightLoss);

    expect(res.status).toBe(200);
    const task = running!.fake.requests[0]!.body.messages![1]!.content;
    expect(task).toMatch(/^Hook: patient-view\./);
    const cards = modelCards(res.body);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.indicator).toBe('info');
    expect(card.summary).toBe('body weight fell from 80 to 68.');
    expect(card.source.label).toMatch(/AI-generated/);
    expect(card.detail).toMatch(/AI-generated insight/);
    expect(card.detail).toMatch(/Checked by the service/);
    expect(provenance(card).evidence).toEqual(
      expect.arrayContaining(['Observation/wt-0', 'Observation/wt-4']),
    );
    const action = card.suggestions?.[0]?.actions?.[0];
    const created = action?.type === 'create' ? action.resource : undefined;
    expect(created).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'draft',
      intent: 'proposal',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '103696004' }] },
    });
    expect(created?.meta?.security).toEqual([
      {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
        code: 'AIAST',
        display: 'Artificial Intelligence asserted',
      },
    ]);
  });

  it('folds an insight the eGFR-decline rule corroborates into the rule card, quoting the model', async () => {
    const { res } = await patientView(standIn.insights(), [...egfrDecline, ...steadyPotassium]);

    expect(res.status).toBe(200);
    expect(modelCards(res.body)).toEqual([]);
    const cards = (res.body as { cards: Card[] }).cards;
    const ruleCard = cards.find((c) => provenance(c).advisor === 'rules' && /eGFR/.test(c.summary));
    expect(ruleCard?.detail).toContain(
      '**AI advisor (AI-generated), citing the same items:** “eGFR fell from 72 to 38\\.”',
    );
  });

  it('drops an insight whose claim the series contradicts, and counts it', async () => {
    const { res } = await patientView(standIn.insights({ contradicting: true }), egfrDecline);

    expect(res.status).toBe(200);
    expect(running!.fake.requests).toHaveLength(1);
    expect(modelCards(res.body)).toEqual([]);
    expect(await droppedFor('claim-contradicted')).toBe(1);
  });

  it('stays silent on a chart with nothing to add', async () => {
    const { res } = await patientView(standIn.insights(), steadyPotassium);

    expect(res.status).toBe(200);
    expect(running!.fake.requests).toHaveLength(1);
    expect(modelCards(res.body)).toEqual([]);
  });

  it('answers within the budget when the insight comes late, with the rule cards only', async () => {
    const { res, elapsedMs } = await patientView(standIn.insights({ delayMs: 3000 }), egfrDecline, BUDGET_MS);

    expect(res.status).toBe(200);
    expect(modelCards(res.body)).toEqual([]);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });
});

describe('order concerns resting on a lab', () => {
  it('on order-select, a concern citing a potassium of 5.9 about the selected NSAID draft makes a card', async () => {
    running = await modelApp(standIn.labConcern(/potassium/i, 5.5));
    const body = requestOf({
      name: 'k-nsaid',
      hook: 'order-select',
      now: new Date().toISOString(),
      patient: { id: 'pt-k', gender: 'male', birthDate: '1950-01-01' },
      active: [{ id: 'mr-lisinopril', text: 'lisinopril 10 MG Oral Tablet', rxcui: '314076' }],
      labs: [{ id: 'k-latest', loinc: '2823-3', text: 'Potassium', daysAgo: 1, value: 5.9, unit: 'mmol/L' }],
      drafts: [{ id: 'draft-ibuprofen', text: 'Ibuprofen 400 MG Oral Tablet', rxcui: '197805' }],
    });

    const res = await request(running.app).post('/cds-services/order-select-advice').send(body);

    expect(res.status).toBe(200);
    const task = running.fake.requests[0]!.body.messages![1]!.content;
    expect(task).toMatch(/^Hook: order-select\. The clinician has just selected these draft orders: D1\./);
    const cards = modelCards(res.body);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.indicator).toBe('warning');
    expect(provenance(cards[0]!).evidence.sort()).toEqual([
      'MedicationRequest/draft-ibuprofen',
      'Observation/k-latest',
    ]);
  });
});
