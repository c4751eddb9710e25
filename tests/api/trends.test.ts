/**
 * The long view through HTTP: the optional `labHistory` and `vitals` keys, sent by the EHR or fetched by the
 * service from a real local FHIR server (Medplum's router) when it did not send them; the longitudinal rules on
 * their scenarios; and what is said when the history cannot be had.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Resource } from 'fhir/r4.js';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import { fixture, withFhirServer } from '../helpers/fixtures.js';
import { responseSchemaErrors } from '../helpers/schemas.js';
import { testApp } from '../helpers/testApp.js';
import { type FakeFhirServer, startFakeFhirServer } from '../fakes/fhir-server.js';
import { listScenarios, loadScenario, requestFor } from '../../scripts/lib/scenarios.js';

const NOW = new Date('2026-11-24T12:00:00Z');
jest.setTimeout(120_000);
const DAY_MS = 86_400_000;
const FHIR_TOKEN = 'trends-access-token-5c1e';
const LONGITUDINAL = /^(trend|aki|care-gap|monitoring-overdue):/;

type Body = Record<string, unknown> & { prefetch: Record<string, unknown> };

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;
const keyed = (cards: readonly Card[]) =>
  cards
    .filter((c) => ruleOf(c) !== 'data-gap')
    .map((c) => ({ ruleId: ruleOf(c), severity: c.indicator }))
    .sort((a, b) => String(a.ruleId).localeCompare(String(b.ruleId)));

/**
 * One app for every call (the scenarios share one clock). A generous budget: these tests are about what the
 * service reads and says, not its speed, and the in-memory FHIR server searches five years of panels slowly on a
 * busy machine.
 */
let shared: Promise<Awaited<ReturnType<typeof testApp>>> | undefined;
async function post(serviceId: string, body: object): Promise<Card[]> {
  shared ??= testApp({ adviceBudgetMs: 60_000 }, { now: () => NOW });
  const { app } = await shared;
  const res = await request(app).post(`/cds-services/${serviceId}`).send(body);
  expect(res.status).toBe(200);
  expect(responseSchemaErrors(res.body)).toEqual([]);
  return res.body.cards as Card[];
}

describe('discovery declares the optional keys', () => {
  it('lists labHistory and vitals on every service, inside the recommended query subset', async () => {
    const { app } = await testApp();
    const res = await request(app).get('/cds-services').expect(200);
    for (const service of res.body.services as { prefetch: Record<string, string> }[]) {
      const { labHistory, vitals } = service.prefetch;
      expect(labHistory).toMatch(
        /^Observation\?patient=Patient\/\{\{context\.patientId\}\}&code=http:\/\/loinc\.org\|/,
      );
      expect(labHistory).toMatch(/&_sort=-date&_count=\d+$/);
      // 2.0 tokens carry no date arithmetic: no date bound, only code, _sort and _count.
      expect(labHistory).not.toMatch(/date=|today|:\w+=/);
      for (const loinc of ['98979-8', '2160-0', '2823-3', '718-7', '4548-4'])
        expect(labHistory).toContain(`http://loinc.org|${loinc}`);
      expect(vitals).toContain(
        'category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
      );
      for (const loinc of ['29463-7', '8302-2', '85354-9'])
        expect(vitals).toContain(`http://loinc.org|${loinc}`);
    }
  });
});

describe('the longitudinal rules through HTTP, on their scenarios', () => {
  const scenarios = listScenarios()
    .map(loadScenario)
    .filter((s) =>
      Object.values(s.services).some(
        (expected) =>
          expected.some((f) => LONGITUDINAL.test(f.key)) ||
          (expected.length === 0 && s.request.prefetch?.labHistory !== undefined),
      ),
    );

  it('covers positives and negatives of every rule', () => {
    const fired = new Set(
      scenarios.flatMap((s) => Object.values(s.services).flatMap((e) => e.map((f) => f.ruleId))),
    );
    for (const rule of [
      'trends/egfr-decline',
      'trends/aki-creatinine-rise',
      'trends/potassium-rise',
      'trends/hemoglobin-drop',
      'trends/undiagnosed-diabetes',
      'trends/metformin-egfr',
      'trends/diabetes-hba1c',
    ])
      expect(fired).toContain(rule);
    const negatives = scenarios.filter((s) => Object.values(s.services).every((e) => e.length === 0));
    expect(negatives.length).toBeGreaterThanOrEqual(10);
  });

  it('fires on the positives and stays quiet on the negatives', async () => {
    // Each scenario's audit goes to the shared app's store; the store is closed with the process.
    for (const s of scenarios) {
      for (const [serviceId, expected] of Object.entries(s.services)) {
        const hook = serviceId.replace(/-advice$/, '') as 'patient-view' | 'order-select' | 'order-sign';
        expect(s.now).toEqual(NOW);
        const cards = await post(serviceId, requestFor(s.request, hook));
        expect({ scenario: s.name, serviceId, cards: keyed(cards) }).toEqual({
          scenario: s.name,
          serviceId,
          cards: expected
            .map((f) => ({ ruleId: f.ruleId, severity: f.severity }))
            .sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
        });
      }
    }
  });
});

describe('body weight from the vitals key feeds Cockcroft–Gault', () => {
  const body = () => fixture<Body>('scenarios/dose-gabapentin-renal-ceiling.json');

  it('labels the renal card with creatinine clearance by Cockcroft–Gault when the weight is sent', async () => {
    const cards = await post('order-sign-advice', body());
    const renal = cards.find((c) => ruleOf(c) === 'renal/renal-gabapentin');
    expect(renal?.detail).toMatch(/CrCl 33 mL.*Cockcroft–Gault from serum creatinine and body weight/s);
    expect(renal?.detail).not.toMatch(/with no body weight/);
    // The weight the vitals key carried is cited.
    expect(renal?.extension[PROVENANCE_EXTENSION].evidence).toContain('Observation/o-523');
  });

  it('without the vitals key and no FHIR server, falls back to eGFR and says CrCl could not be estimated', async () => {
    const sent = body();
    delete sent.prefetch.vitals;
    const cards = await post('order-sign-advice', sent);
    const renal = cards.find((c) => ruleOf(c) === 'renal/renal-gabapentin');
    expect(renal?.detail).toMatch(/with no body weight for Cockcroft–Gault/);
    expect(renal?.extension[PROVENANCE_EXTENSION].evidence).not.toContain('Observation/o-523');
    const gap = cards.find((c) => ruleOf(c) === 'data-gap');
    expect(gap?.detail).toMatch(/Cockcroft–Gault needs a body weight/);
    expect(gap?.detail).toMatch(/vital signs/);
  });
});

/** `daysAgo` days before NOW, as FHIR dateTime. */
const at = (daysAgo: number): string => new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString();

function observation(
  id: string,
  loinc: string,
  value: number,
  unit: string,
  daysAgo: number,
  category = 'laboratory',
): Resource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: loinc }], text: loinc },
    subject: { reference: 'Patient/pt-long' },
    effectiveDateTime: at(daysAgo),
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  } as Resource;
}

/** Five years of quarterly panels (eGFR falling 86 → 50, creatinine, potassium, haemoglobin, HbA1c) and a weight. */
function longChart(): Resource[] {
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id: 'pt-long',
      gender: 'male',
      birthDate: '1950-04-02',
    } as Resource,
    {
      resourceType: 'MedicationRequest',
      id: 'mr-gaba',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/pt-long' },
      medicationCodeableConcept: { text: 'gabapentin 600 MG Oral Tablet' },
    } as Resource,
  ];
  // Quarterly rather than monthly: Medplum's in-memory search is slow on a busy machine, and 20 points make the trend.
  for (let quarter = 20; quarter >= 1; quarter -= 1) {
    const daysAgo = quarter * 91;
    const egfr = Math.round(50 + (36 * (quarter - 1)) / 19);
    const creatinine = Math.round((1.0 + (20 - quarter) / 30) * 100) / 100;
    resources.push(
      observation(`egfr-${quarter}`, '98979-8', egfr, 'mL/min/{1.73_m2}', daysAgo),
      observation(`cr-${quarter}`, '2160-0', creatinine, 'mg/dL', daysAgo),
      observation(`k-${quarter}`, '2823-3', 4.3, 'mmol/L', daysAgo),
      observation(`hb-${quarter}`, '718-7', 13.8, 'g/dL', daysAgo),
      observation(`a1c-${quarter}`, '4548-4', 5.6, '%', daysAgo),
    );
  }
  resources.push(observation('wt-1', '29463-7', 58, 'kg', 40, 'vital-signs'));
  return resources;
}

describe('labHistory and vitals fetched from the FHIR server when the EHR did not send them', () => {
  let fhir: FakeFhirServer;

  beforeAll(async () => {
    fhir = await startFakeFhirServer();
    await fhir.load(longChart());
  });

  afterAll(async () => {
    await fhir.close();
    if (shared) await (await shared).deps.store.close();
  });

  const patientView = (prefetch: Record<string, unknown>): Record<string, unknown> =>
    withFhirServer(
      {
        hook: 'patient-view',
        hookInstance: 'b8f0b1d6-2f5b-4a53-9b0e-0c1c5d7c4a21',
        context: { userId: 'Practitioner/dr-1', patientId: 'pt-long' },
        prefetch,
      },
      fhir.baseUrl,
      FHIR_TOKEN,
    );

  it('reads the history and the weight, and shows the eGFR decline and a Cockcroft–Gault renal card', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const cards = await post('patient-view-advice', patientView({}));
    const observationReads = fhir.received
      .filter((r) => r.url.startsWith('/fhir/Observation'))
      .map((r) => decodeURIComponent(r.url));
    expect(observationReads).toHaveLength(3);
    expect(
      observationReads.some((u) => u.includes('http://loinc.org|98979-8') && u.includes('_sort=-date')),
    ).toBe(true);
    expect(observationReads.some((u) => u.includes('vital-signs'))).toBe(true);
    expect(fhir.received.every((r) => r.authorization === `Bearer ${FHIR_TOKEN}`)).toBe(true);

    const decline = cards.find((c) => ruleOf(c) === 'trends/egfr-decline');
    expect(decline?.summary).toMatch(/eGFR fell from 86 to 50/);
    expect(decline?.indicator).toBe('info');
    const renal = cards.find((c) => ruleOf(c) === 'renal/renal-gabapentin');
    expect(renal?.detail).toMatch(/Cockcroft–Gault/);
    expect(renal?.extension[PROVENANCE_EXTENSION].evidence).toContain('Observation/wt-1');
    expect(cards.some((c) => ruleOf(c) === 'data-gap')).toBe(false);
  });

  it('uses the history the EHR sent without asking the server for it', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const history = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: longChart()
        .filter((r) => r.resourceType === 'Observation' && r.id?.startsWith('egfr-'))
        .map((resource) => ({ resource })),
    };
    const cards = await post('patient-view-advice', patientView({ labHistory: history }));
    expect(fhir.received.some((r) => decodeURIComponent(r.url).includes('http://loinc.org|98979-8'))).toBe(
      false,
    );
    expect(cards.some((c) => ruleOf(c) === 'trends/egfr-decline')).toBe(true);
  });

  it('keeps the first page of a history the EHR sent paginated: the newest results are the answer', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const egfr = longChart().filter((r) => r.resourceType === 'Observation' && r.id?.startsWith('egfr-'));
    const history = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${fhir.baseUrl}/Observation?patient=Patient/pt-long&_page=2` }],
      entry: egfr.map((resource) => ({ resource })),
    };
    const cards = await post('patient-view-advice', patientView({ labHistory: history }));
    expect(fhir.received.some((r) => r.url.includes('_page=2'))).toBe(false);
    expect(cards.some((c) => ruleOf(c) === 'trends/egfr-decline')).toBe(true);
  });

  it('when the history cannot be fetched, still answers and names what could not be checked', async () => {
    // The five keys are sent; only the optional ones are asked of the server, which fails.
    fhir.behaviour = 'error';
    const sent = fixture<Body>('scenarios/trend-potassium-rise-lisinopril.json');
    const body = withFhirServer(
      { ...sent, prefetch: { ...sent.prefetch, labHistory: undefined } },
      fhir.baseUrl,
      FHIR_TOKEN,
    );
    const cards = await post('patient-view-advice', body);
    fhir.behaviour = 'normal';
    expect(cards.some((c) => ruleOf(c) === 'trends/potassium-rise')).toBe(false);
    const gap = cards.find((c) => ruleOf(c) === 'data-gap');
    expect(gap?.detail).toMatch(/Potassium trend\*\* for \*\*lisinopril/);
    expect(gap?.detail).toMatch(/the history of earlier lab results/);
  });
});
