/**
 * Alert-fatigue control across an ordering session, through HTTP and the real embedded store: a finding the
 * clinician overrode on order-select is not repeated on order-sign for the same patient; everything else is.
 */
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;

async function orderSelectThenSign(override: boolean, patientId = 'alice-example'): Promise<Card[]> {
  const { app, deps } = await testApp();
  const select = requestFixture('order-select.full-prefetch') as { context: { patientId: string } };
  select.context.patientId = patientId;
  const selected = await request(app).post('/cds-services/order-select-advice').send(select).expect(200);
  const interaction = (selected.body.cards as Card[]).find(
    (c) => ruleOf(c) === 'interactions/anticoagulant-nsaid',
  );
  expect(interaction).toBeDefined();
  await deps.store.audit.flush();
  if (override) {
    await request(app)
      .post('/cds-services/order-select-advice/feedback')
      .send({
        feedback: [
          {
            card: interaction!.uuid,
            outcome: 'overridden',
            overrideReason: { reason: interaction!.overrideReasons![0] },
            outcomeTimestamp: new Date().toISOString(),
          },
        ],
      })
      .expect(200);
  }
  const signed = await request(app)
    .post('/cds-services/order-sign-advice')
    .send(requestFixture('order-sign.full-prefetch'))
    .expect(200);
  await deps.store.close();
  return signed.body.cards as Card[];
}

describe('overridden on order-select, quiet on order-sign', () => {
  it('does not repeat the overridden interaction at signing, but still shows the other findings', async () => {
    const cards = await orderSelectThenSign(true);
    expect(cards.map(ruleOf)).not.toContain('interactions/anticoagulant-nsaid');
    expect(cards.map(ruleOf)).toContain('allergy/class-penicillin');
  });

  it('repeats the interaction at signing when the clinician did not override it', async () => {
    const cards = await orderSelectThenSign(false);
    expect(cards.map(ruleOf)).toContain('interactions/anticoagulant-nsaid');
  });

  it("does not let one patient's override quiet another patient's card", async () => {
    const cards = await orderSelectThenSign(true, 'another-patient');
    expect(cards.map(ruleOf)).toContain('interactions/anticoagulant-nsaid');
  });
});
