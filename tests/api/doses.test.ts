/**
 * Dose checks in production: a request whose orders carry structured dosages (FHIR `dosageInstruction` with
 * `doseAndRate` and `timing`), through HTTP, validation, the normalizer, the hook module and the rules advisor,
 * raises the dose cards — nothing injected.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import { fixture } from '../helpers/fixtures.js';
import { responseSchemaErrors } from '../helpers/schemas.js';
import { type TestApp, testApp } from '../helpers/testApp.js';

/** The scenarios' clock. */
const NOW = new Date('2026-11-24T12:00:00Z');

const apps: TestApp[] = [];
afterEach(async () => {
  for (const { deps } of apps.splice(0)) await deps.store.close();
});

async function cardsFor(serviceId: string, scenario: string): Promise<Card[]> {
  const t = await testApp({}, { now: () => NOW });
  apps.push(t);
  const res = await request(t.app)
    .post(`/cds-services/${serviceId}`)
    .send(fixture(`scenarios/${scenario}.json`));
  expect(res.status).toBe(200);
  expect(responseSchemaErrors(res.body)).toEqual([]);
  return res.body.cards as Card[];
}

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;

describe('structured dosages reach the dose checks', () => {
  it('sums acetaminophen over a plain and a combination product, above 4 g a day', async () => {
    const cards = await cardsFor('order-sign-advice', 'dose-acetaminophen-percocet-tylenol');
    const dose = cards.find((c) => ruleOf(c) === 'dose/max-acetaminophen');
    expect(dose).toMatchObject({ indicator: 'warning' });
    expect(dose!.summary).toBe('Acetaminophen 5950 mg/day across 2 orders: above 4000 mg/day');
  });

  it('flags methotrexate ordered daily', async () => {
    const cards = await cardsFor('order-select-advice', 'dose-methotrexate-daily');
    expect(cards.map(ruleOf)).toEqual(['dose/weekly-methotrexate']);
  });

  it('says nothing about a dose within the limit', async () => {
    const cards = await cardsFor('order-sign-advice', 'dose-acetaminophen-within-limit');
    expect(cards).toEqual([]);
  });
});
