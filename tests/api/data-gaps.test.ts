/**
 * Data gaps said out loud, through HTTP and the real embedded store: when a check that applies to a drug under
 * review could not run because its data could not be obtained (an OperationOutcome in the prefetch and no
 * fhirServer), the clinician is told which check and which drug, in one info card per call at most, and the audit
 * records the gap; nothing is said when no reviewed drug needed the missing data, or when the EHR says there is
 * none (`null`).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import type { StoredInvocation } from '../../src/store/types.js';
import { fixture, requestFixture } from '../helpers/fixtures.js';
import { responseSchemaErrors } from '../helpers/schemas.js';
import { type TestApp, testApp } from '../helpers/testApp.js';

const AUDIT_TOKEN = 'data-gaps-audit-token-0123456789abcdef01';
const SIGN = '/cds-services/order-sign-advice';
/** The scenario's clock: its eGFR is twelve days old. */
const NOW = new Date('2026-11-24T12:00:00Z');

const OPERATION_OUTCOME = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'exception', diagnostics: 'lab service unavailable' }],
};

type Prefetch = Record<string, unknown>;
interface SignRequest {
  context: { draftOrders: { entry: { resource: Record<string, unknown> }[] } };
  prefetch: Prefetch;
}

/** Metformin drafted for a patient with eGFR 22 (the scenario metformin-egfr-low, its eGFR lowered to 22). */
function metforminAtEgfr22(): SignRequest {
  const body = fixture<SignRequest>('scenarios/metformin-egfr-low.json');
  const labs = body.prefetch.labs as { entry: { resource: { valueQuantity: { value: number } } }[] };
  labs.entry[0]!.resource.valueQuantity.value = 22;
  // The EHR answers the optional keys too ("none"), so each test takes away only what it names.
  Object.assign(body.prefetch, { labHistory: null, vitals: null });
  return body;
}

/** The ibuprofen draft of the order-select fixture: an NSAID, with a drug–condition rule and no lab rule. */
function ibuprofenDraft(): { resource: Record<string, unknown> } {
  const select = requestFixture('order-select.full-prefetch') as unknown as SignRequest;
  const entry = select.context.draftOrders.entry.find((e) => e.resource.id === 'draft-ibuprofen')!;
  return { resource: { ...entry.resource, subject: { reference: 'Patient/pt-tam' } } };
}

/** A propranolol draft: a drug–condition rule (asthma) and no check that reads the labs. */
function propranololDraft(): { resource: Record<string, unknown> } {
  const { resource } = ibuprofenDraft();
  const text = 'Propranolol Hydrochloride 40 MG Oral Tablet';
  return { resource: { ...resource, id: 'draft-propranolol', medicationCodeableConcept: { text } } };
}

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;
const gapCards = (cards: readonly Card[]): Card[] => cards.filter((c) => ruleOf(c) === 'data-gap');

const apps: TestApp[] = [];
afterEach(async () => {
  for (const { deps } of apps.splice(0)) await deps.store.close();
});

async function sign(body: SignRequest): Promise<{ cards: Card[]; invocation: StoredInvocation }> {
  const t = await testApp({ auditTokens: [AUDIT_TOKEN] }, { now: () => NOW });
  apps.push(t);
  const res = await request(t.app).post(SIGN).send(body);
  expect(res.status).toBe(200);
  expect(responseSchemaErrors(res.body)).toEqual([]);
  await t.deps.store.audit.flush();
  const audit = await request(t.app)
    .get('/audit/api/invocations')
    .set('Authorization', `Bearer ${AUDIT_TOKEN}`)
    .expect(200);
  return { cards: res.body.cards as Card[], invocation: (audit.body.items as StoredInvocation[])[0]! };
}

describe('a check that could not run for lack of data', () => {
  it('is named, with its drug, in one info card, and recorded in the audit', async () => {
    const body = metforminAtEgfr22();
    body.prefetch.labs = OPERATION_OUTCOME;

    const { cards, invocation } = await sign(body);

    expect(cards.map(ruleOf)).not.toContain('renal/renal-metformin');
    const [gap, ...others] = gapCards(cards);
    expect(others).toEqual([]);
    expect(gap).toMatchObject({
      indicator: 'info',
      source: { label: 'CDS Advisor clinical rules' },
      extension: {
        [PROVENANCE_EXTENSION]: {
          advisor: 'rules',
          ruleId: 'data-gap',
          evidence: ['MedicationRequest/dr-met'],
        },
      },
    });
    expect(gap!.source.url).toBeUndefined();
    expect(gap!.links).toBeUndefined();
    // Renal dosing, and the two kidney checks that read creatinine and eGFR over time for metformin.
    expect(gap!.summary).toBe('Not checked, data unavailable: renal dosing for metformin and 2 more');
    expect(gap!.detail).toContain('**Renal dosing** for **metformin**');
    expect(gap!.detail).toContain('**Acute kidney injury by creatinine rise \\(KDIGO\\)** for **metformin**');
    expect(gap!.detail).toContain('recent lab results');

    expect(invocation.missingData).toEqual([{ key: 'labs', reason: 'no fhirServer was given' }]);
    const gap1 = (check: string, label: string) => ({
      check,
      label,
      data: 'labs',
      drug: 'metformin',
      medication: 'MedicationRequest/dr-met',
    });
    expect(invocation.dataGaps).toEqual([
      gap1('renal', 'renal dosing'),
      gap1('egfr-decline', 'decline of eGFR over the years (KDIGO)'),
      gap1('aki', 'acute kidney injury by creatinine rise (KDIGO)'),
    ]);
  });

  it('names several gaps in one card', async () => {
    const body = metforminAtEgfr22();
    body.context.draftOrders.entry.push(ibuprofenDraft());
    body.prefetch.labs = OPERATION_OUTCOME;
    delete body.prefetch.conditions;

    const { cards, invocation } = await sign(body);

    const gaps = gapCards(cards);
    expect(gaps).toHaveLength(1);
    // Three, and two kidney-trend checks for each drug: an NSAID also has a renal rule (eGFR below 30), so without
    // labs its renal dosing is unchecked too; the eGFR decline and AKI checks read the labs for both drugs.
    expect(gaps[0]!.summary).toBe(
      'Not checked, data unavailable: drug–condition check for ibuprofen and 6 more',
    );
    expect(gaps[0]!.detail).toContain('**Renal dosing** for **metformin**');
    expect(gaps[0]!.detail).toContain('**Renal dosing** for **ibuprofen**');
    expect(gaps[0]!.detail).toContain('**Drug–condition check** for **ibuprofen**');
    expect(gaps[0]!.detail).toContain('the problem list');
    expect(gaps[0]!.extension[PROVENANCE_EXTENSION].evidence.sort()).toEqual([
      'MedicationRequest/dr-met',
      'MedicationRequest/draft-ibuprofen',
    ]);
    expect(invocation.missingData.map((m) => m.key).sort()).toEqual(['conditions', 'labs']);
    expect(invocation.dataGaps.map((g) => `${g.check}:${g.drug}`).sort()).toEqual([
      'aki:ibuprofen',
      'aki:metformin',
      'conditions:ibuprofen',
      'egfr-decline:ibuprofen',
      'egfr-decline:metformin',
      'renal:ibuprofen',
      'renal:metformin',
    ]);
  });
});

describe('nothing is said', () => {
  it('when the EHR says there are no labs (null)', async () => {
    const body = metforminAtEgfr22();
    body.prefetch.labs = null;

    const { cards, invocation } = await sign(body);

    expect(gapCards(cards)).toEqual([]);
    expect(invocation.missingData).toEqual([]);
    expect(invocation.dataGaps).toEqual([]);
  });

  it('about the lab history when the EHR says there are no labs at all', async () => {
    const body = metforminAtEgfr22();
    body.prefetch.labs = null;
    delete body.prefetch.labHistory;

    const { cards, invocation } = await sign(body);

    expect(gapCards(cards)).toEqual([]);
    expect(invocation.missingData.map((m) => m.key)).toEqual(['labHistory']);
    expect(invocation.dataGaps).toEqual([]);
  });

  it('when the labs are missing but no drug under review has a lab-dependent check', async () => {
    const body = metforminAtEgfr22();
    body.context.draftOrders.entry = [propranololDraft()];
    body.prefetch.labs = OPERATION_OUTCOME;

    const { cards, invocation } = await sign(body);

    expect(gapCards(cards)).toEqual([]);
    expect(invocation.missingData).toEqual([{ key: 'labs', reason: 'no fhirServer was given' }]);
    expect(invocation.dataGaps).toEqual([]);
  });

  it('when the labs are there: the renal card is shown instead', async () => {
    const { cards, invocation } = await sign(metforminAtEgfr22());

    expect(gapCards(cards)).toEqual([]);
    expect(cards.find((c) => ruleOf(c) === 'renal/renal-metformin')?.indicator).toBe('critical');
    expect(invocation.dataGaps).toEqual([]);
  });
});
