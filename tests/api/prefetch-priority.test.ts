/**
 * Optional prefetch keys never starve required ones. The keys the EHR did not send are read from its FHIR server
 * through one bounded gate per server (FHIR_MAX_CONCURRENCY) shared by every hook call; here a real FHIR server
 * on 127.0.0.1 (Medplum's router) answers the optional keys' searches (`labHistory`, `vitals`: Observations) far
 * later than the budget and the required reads at once, the gate has two slots, and the real app is called
 * through HTTP. Required reads go first, optional reads give up at their share of the budget (or are preempted
 * when a required read would otherwise miss its deadline), and what could not be read is said, never skipped.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { FhirResource } from 'fhir/r4.js';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import type { StoredInvocation } from '../../src/store/types.js';
import { type FakeFhirServer, startFakeFhirServer } from '../fakes/fhir-server.js';
import { fixture, withFhirServer } from '../helpers/fixtures.js';
import { type TestApp, testApp } from '../helpers/testApp.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const PATIENT = 'pt-prio';
const AUDIT_TOKEN = 'prefetch-priority-audit-token-0123456789ab';
const FHIR_TOKEN = 'prefetch-priority-fhir-token';
const BUDGET_MS = 2000;
/** Far longer than any budget here: an optional read that waited for it would hold its slot to the end. */
const SLOW_MS = 8000;
/** Slack over the budget for a loaded machine. */
const SLACK_MS = 1500;

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;

/** The chart on the FHIR server: an 80-year-old on warfarin, no allergies, a body weight (never read in time). */
function chart(): FhirResource[] {
  return [
    { resourceType: 'Patient', id: PATIENT, gender: 'female', birthDate: '1946-02-11' },
    {
      resourceType: 'MedicationRequest',
      id: 'mr-warf',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${PATIENT}` },
      medicationCodeableConcept: {
        coding: [
          {
            system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
            code: '855332',
            display: 'Warfarin Sodium 5 MG Oral Tablet',
          },
        ],
        text: 'Warfarin Sodium 5 MG Oral Tablet',
      },
    },
    {
      resourceType: 'Observation',
      id: 'wt-1',
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
          ],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }], text: 'Body weight' },
      subject: { reference: `Patient/${PATIENT}` },
      effectiveDateTime: '2026-11-14T12:00:00Z',
      valueQuantity: { value: 60, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    },
  ];
}

type Body = Record<string, unknown> & {
  context: Record<string, unknown> & { draftOrders: { entry: { resource: Record<string, unknown> }[] } };
  prefetch: Record<string, unknown>;
};

/**
 * order-sign of gabapentin (renal dosing by Cockcroft–Gault needs a body weight: `vitals`) and ibuprofen (with
 * the active warfarin, an interaction only the fetched `medications` can show). The EHR sends the problem list
 * and the labs; patient, medications and allergies (required) and labHistory and vitals (optional) are read.
 */
function orderSign(fhirServer: string): Body {
  const gabapentin = fixture<Body>('scenarios/dose-gabapentin-renal-ceiling.json');
  const warfarinIbuprofen = fixture<Body>('scenarios/warfarin-ibuprofen.json');
  const ibuprofen = warfarinIbuprofen.context.draftOrders.entry.find((e) => e.resource.id === 'dr-ibu')!;
  const drafts = [...gabapentin.context.draftOrders.entry, ibuprofen].map((e) => ({
    resource: { ...e.resource, subject: { reference: `Patient/${PATIENT}` } },
  }));
  const labs = gabapentin.prefetch.labs as { entry: { resource: Record<string, unknown> }[] };
  for (const e of labs.entry) e.resource.subject = { reference: `Patient/${PATIENT}` };
  return withFhirServer(
    {
      hook: 'order-sign',
      hookInstance: randomUUID(),
      context: {
        userId: 'Practitioner/dr-lee',
        patientId: PATIENT,
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts },
      },
      prefetch: { conditions: gabapentin.prefetch.conditions, labs },
    },
    fhirServer,
    FHIR_TOKEN,
  );
}

/** patient-view with the problem list, allergies and labs sent: patient and medications (required) are read. */
function patientView(fhirServer: string, sent: Body): Record<string, unknown> {
  const { conditions, labs } = sent.prefetch;
  return withFhirServer(
    {
      hook: 'patient-view',
      hookInstance: randomUUID(),
      context: { userId: 'Practitioner/dr-lee', patientId: PATIENT },
      prefetch: { conditions, labs, allergies: { resourceType: 'Bundle', type: 'searchset', entry: [] } },
    },
    fhirServer,
    FHIR_TOKEN,
  );
}

let fhir: FakeFhirServer;
const apps: TestApp[] = [];

beforeAll(async () => {
  fhir = await startFakeFhirServer();
  await fhir.load(chart());
  // Only the optional keys search Observations here (the labs are sent): those answer late, the rest at once.
  fhir.delayFor = (url) => (url.startsWith('/Observation') ? SLOW_MS : 0);
});

afterEach(async () => {
  for (const { deps } of apps.splice(0)) await deps.store.close();
});

afterAll(async () => {
  await fhir.close();
});

async function app(config: Parameters<typeof testApp>[0]): Promise<TestApp> {
  const t = await testApp(
    { fhirMaxConcurrency: 2, rateLimitPerMinute: 0, auditTokens: [AUDIT_TOKEN], ...config },
    { now: () => NOW },
  );
  apps.push(t);
  return t;
}

async function invocations(t: TestApp): Promise<StoredInvocation[]> {
  await t.deps.store.audit.flush();
  const res = await request(t.app)
    .get('/audit/api/invocations')
    .set('Authorization', `Bearer ${AUDIT_TOKEN}`)
    .expect(200);
  return res.body.items as StoredInvocation[];
}

describe('optional prefetch reads never starve required ones', () => {
  it('answers every one of several simultaneous calls through a gate of two with the required data, and names the optional data it could not read', async () => {
    const t = await app({ adviceBudgetMs: BUDGET_MS });
    const started = performance.now();

    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() =>
        request(t.app)
          .post('/cds-services/order-sign-advice')
          .send(orderSign(fhir.baseUrl))
          .timeout(BUDGET_MS + 10_000),
      ),
    );
    const elapsedMs = performance.now() - started;

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const answer of answers) {
      const cards = answer.body.cards as Card[];
      // Required data used: the warfarin came from the FHIR server's medication list.
      const interaction = cards.find((c) => ruleOf(c) === 'interactions/anticoagulant-nsaid');
      expect(interaction?.extension[PROVENANCE_EXTENSION].evidence).toContain('MedicationRequest/mr-warf');
      // The optional data that was not read in time is said out loud, with the check it stopped.
      const gap = cards.find((c) => ruleOf(c) === 'data-gap');
      expect(gap?.detail).toMatch(/Cockcroft–Gault needs a body weight/);
      expect(gap?.detail).toMatch(/vital signs/);
    }
    expect(elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);

    const audited = await invocations(t);
    expect(audited).toHaveLength(6);
    for (const invocation of audited) {
      expect(invocation.outcome).toBe('ok');
      expect(invocation.missingData.map((m) => m.key).sort()).toEqual(['labHistory', 'vitals']);
      for (const missing of invocation.missingData) expect(missing.reason).toMatch(/optional/);
    }
  });

  it('takes a slot from an optional read in flight when a required read would otherwise miss its deadline', async () => {
    // order-sign may take 6 s, so its optional reads may hold both slots for 3 s; patient-view has 1.5 s in all.
    const t = await app({ adviceBudgetMs: 1500, adviceBudgetMsByService: { 'order-sign-advice': 6000 } });
    fhir.received.length = 0;
    const sign = orderSign(fhir.baseUrl);
    const long = request(t.app).post('/cds-services/order-sign-advice').send(sign).timeout(20_000);
    const pending = long.then((res) => res);
    const holding = (): number => fhir.received.filter((r) => r.url.startsWith('/fhir/Observation')).length;
    const until = Date.now() + 5000;
    while (holding() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(holding()).toBe(2);

    const view = await request(t.app)
      .post('/cds-services/patient-view-advice')
      .send(patientView(fhir.baseUrl, sign))
      .timeout(10_000);

    expect(view.status).toBe(200);
    expect((await pending).status).toBe(200);
    const audited = await invocations(t);
    const signed = audited.find((i) => i.serviceId === 'order-sign-advice')!;
    expect(signed.missingData.map((m) => m.reason)).toContainEqual(
      expect.stringMatching(/given up .*required data/),
    );
  });
});
