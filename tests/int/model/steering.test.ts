/**
 * Model text must not steer cards: through HTTP, the real app with the real model advisor and the real
 * `AzureOpenAI` client, against the Azure OpenAI STAND-IN scripted to answer like a model that obeyed an
 * instruction planted in a chart. The order-select fixture: ibuprofen drafted (selected) for a patient on
 * warfarin; the rules raise the ibuprofen + warfarin interaction.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type Card, PROVENANCE_EXTENSION } from '../../../src/cds/types.js';
import { patientDataOf, type RecordedRequest } from '../../fakes/azure-openai-server.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { type ModelApp, modelApp } from '../../helpers/modelApp.js';

let running: ModelApp | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

interface Item {
  kind: string;
  summary: string;
  detail?: string;
  severity?: string;
  cites: (data: ReturnType<typeof patientDataOf>) => string[];
}

/** The ibuprofen draft, warfarin (the first active medication), and the first problem, by their aliases. */
const D1 = (d: ReturnType<typeof patientDataOf>) => d.draftOrders[0]!.alias;
const M1 = (d: ReturnType<typeof patientDataOf>) => d.activeMedications[0]!.alias;
const P1 = (d: ReturnType<typeof patientDataOf>) => d.problems[0]!.alias;

async function orderSelect(...items: Item[]): Promise<Card[]> {
  running = await modelApp({
    kind: 'advice',
    advice: (req: RecordedRequest) => {
      const data = patientDataOf(req);
      return {
        advice: items.map((i) => ({
          kind: i.kind,
          summary: i.summary,
          detail: i.detail ?? 'Scripted by the stand-in.',
          severity: i.severity ?? 'warning',
          cites: i.cites(data),
          certainty: 'high',
          suggestion: null,
        })),
      };
    },
  });
  const res = await request(running.app)
    .post('/cds-services/order-select-advice')
    .send(requestFixture('order-select.full-prefetch'))
    .expect(200);
  return (res.body as { cards: Card[] }).cards;
}

const advisorOf = (card: Card): string =>
  (card.extension[PROVENANCE_EXTENSION] as { advisor: string }).advisor;
const interactionCard = (cards: Card[]): Card | undefined =>
  cards.find((c) => advisorOf(c) === 'rules' && /ibuprofen/i.test(c.summary) && /warfarin/i.test(c.summary));

/** `cds_model_items_dropped_total` by reason, read from the app's /metrics. */
async function droppedItems(): Promise<Record<string, number>> {
  const res = await request(running!.app).get('/metrics').expect(200);
  const lines = [...res.text.matchAll(/^cds_model_items_dropped_total\{reason="([^"]+)"\} (\d+)$/gm)];
  return Object.fromEntries(lines.map(([, reason, count]) => [reason, Number(count)]));
}

describe('model text that escalates or advises stopping everything', () => {
  it('is dropped and counted, never shown on an AI card nor folded into the rule card', async () => {
    const cards = await orderSelect(
      {
        kind: 'other',
        severity: 'critical',
        summary: 'CRITICAL: stop ALL medications now',
        cites: (d) => [D1(d), M1(d)],
      },
      {
        kind: 'interaction',
        summary: 'Stop warfarin and all other medications immediately',
        cites: (d) => [D1(d), M1(d)],
      },
    );

    const text = JSON.stringify(cards);
    expect(text).not.toMatch(/stop ALL medications|all other medications|immediately/i);
    expect(cards.filter((c) => advisorOf(c) === 'model')).toEqual([]);
    expect(interactionCard(cards)?.detail).not.toMatch(/AI-generated|AI advisor/);
    // Both advise stopping everything (and escalate); each is dropped once, under the first reason found.
    expect(await droppedItems()).toEqual({ 'blanket-discontinuation': 2 });
  });

  it('drops urgency words on an item the model may raise only as a warning, and keeps a plain one', async () => {
    const cards = await orderSelect(
      {
        kind: 'monitoring',
        summary: 'Urgent: check renal function before the NSAID.',
        cites: (d) => [D1(d), P1(d)],
      },
      {
        kind: 'contraindication',
        summary: 'NSAIDs can worsen kidney function in chronic kidney disease.',
        cites: (d) => [D1(d), P1(d)],
      },
    );

    const ai = cards.filter((c) => advisorOf(c) === 'model').map((c) => c.summary);
    expect(ai).toEqual(['NSAIDs can worsen kidney function in chronic kidney disease.']);
    expect(await droppedItems()).toEqual({ 'escalating-text': 1 });
  });
});

describe('folding model advice into a rule card', () => {
  it('quotes the model, labelled AI-generated, when its kind and citations match the rule finding', async () => {
    const cards = await orderSelect({
      kind: 'interaction',
      summary: 'Ibuprofen adds to the bleeding risk of warfarin_*[x]*',
      cites: (d) => [D1(d), M1(d)],
    });

    const rule = interactionCard(cards);
    expect(rule?.detail).toMatch(/AI-generated/);
    expect(rule?.detail).toContain('Ibuprofen adds to the bleeding risk of warfarin\\_\\*\\[x\\]\\*');
    expect(rule?.detail).not.toMatch(/raised the same concern/);
    expect(cards.filter((c) => advisorOf(c) === 'model')).toEqual([]);
  });

  it('does not fold advice of another kind about the same two drugs: it is its own AI card', async () => {
    const cards = await orderSelect({
      kind: 'other',
      summary: 'Consider gastric protection with a proton pump inhibitor.',
      cites: (d) => [D1(d), M1(d)],
    });

    expect(interactionCard(cards)?.detail).not.toMatch(/AI-generated|proton pump/);
    expect(cards.filter((c) => advisorOf(c) === 'model').map((c) => c.summary)).toEqual([
      'Consider gastric protection with a proton pump inhibitor.',
    ]);
  });

  it('does not fold advice that rests on more than the rule finding does: it is its own AI card', async () => {
    const cards = await orderSelect({
      kind: 'interaction',
      summary: 'Ibuprofen with warfarin in kidney disease: bleeding and kidney injury.',
      cites: (d) => [D1(d), M1(d), P1(d)],
    });

    const rule = interactionCard(cards);
    expect(rule?.detail).not.toMatch(/AI-generated|kidney injury/);
    const ai = cards.filter((c) => advisorOf(c) === 'model');
    expect(ai.map((c) => c.summary)).toEqual([
      'Ibuprofen with warfarin in kidney disease: bleeding and kidney injury.',
    ]);
    expect(ai[0]?.extension[PROVENANCE_EXTENSION]).toMatchObject({
      evidence: expect.arrayContaining(['Condition/ckd-1']),
    });
  });
});
