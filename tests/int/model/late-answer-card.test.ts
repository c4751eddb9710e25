/**
 * An answer that missed its hook's deadline serves the next hook on the same data (the late-answer cache): the AI
 * card says its advice came from an earlier request, and the audit records it as served from the cache. Real app,
 * real model advisor, the Azure OpenAI STAND-IN.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { HookResponse } from '../../../src/cds/types.js';
import { type PatientData, standIn } from '../../fakes/azure-openai-server.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { type ModelApp, modelApp } from '../../helpers/modelApp.js';

let running: ModelApp | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const monitoring = (data: PatientData): unknown[] => [
  {
    kind: 'monitoring',
    summary: 'Check the INR within three days of adding ibuprofen to warfarin.',
    detail: 'NSAIDs can raise the INR.',
    severity: 'warning',
    cites: [data.draftOrders[0]!.alias, data.activeMedications[0]!.alias],
    certainty: 'moderate',
    suggestion: null,
  },
];

const aiCards = (body: unknown) =>
  (body as HookResponse).cards.filter((c) => c.source.label.includes('AI-generated'));

describe('advice from an earlier hook', () => {
  it('is labelled on the card and recorded as served from the cache', async () => {
    running = await modelApp(standIn.advising(monitoring, 700), 300);
    const body = requestFixture('order-sign.full-prefetch');
    const first = await request(running.app).post('/cds-services/order-sign-advice').send(body).expect(200);
    expect(aiCards(first.body)).toEqual([]);
    await running.model.drain();

    const second = await request(running.app).post('/cds-services/order-sign-advice').send(body).expect(200);
    const [card] = aiCards(second.body);
    expect(card?.detail).toMatch(
      /\*\*From an earlier request:\*\* this advice was computed \d+ seconds? ago/,
    );

    await running.deps.store.audit.flush();
    const detail = await running.deps.store.read!.cardDetail(card!.uuid);
    expect(detail?.ai).toMatchObject({ servedFrom: 'cache', mode: 'on' });
    expect(Date.parse(detail!.ai!.answeredAt)).toBeLessThan(Date.parse(detail!.invocation!.startedAt) + 1);
  });
});
