/**
 * Rules advisor micro-benchmark: one typical patient (8 active medications, 6 problems, 2 allergies, 30 labs,
 * 2 drafts on order-sign), timed per request with performance.now() after a warm-up. The target is "well under a
 * millisecond per request". Standalone: `npx tsx bench/rules.bench.ts` (BENCH_RULES_ITERATIONS, default 5000);
 * `bench/run.ts` may import `benchRules()`.
 */
import { pathToFileURL } from 'node:url';
import type { Bundle, FhirResource, MedicationRequest, Observation } from 'fhir/r4.js';
import { SERVICES } from '../hooks/index.js';
import { createRulesAdvisor } from '../src/advisors/rules/index.js';
import type { Review } from '../src/advisors/types.js';
import { normalizePatientContext } from '../src/clinical/normalize.js';
import { reviewFor } from '../src/pipeline/review.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const order = (
  id: string,
  text: string,
  status: MedicationRequest['status'],
  rxcui?: string,
): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent: 'order',
  subject: { reference: 'Patient/bench' },
  medicationCodeableConcept: {
    text,
    ...(rxcui && { coding: [{ system: RXNORM, code: rxcui, display: text }] }),
  },
});

const bundle = (resources: FhirResource[], type: Bundle['type'] = 'searchset'): Bundle => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ resource })),
});

const LAB_KINDS: [string, string, number, string][] = [
  ['2823-3', 'Potassium', 4.6, 'mmol/L'],
  ['98979-8', 'eGFR', 48, 'mL/min/{1.73_m2}'],
  ['2160-0', 'Creatinine', 1.3, 'mg/dL'],
  ['6301-6', 'INR', 2.6, '{INR}'],
  ['718-7', 'Hemoglobin', 12.9, 'g/dL'],
  ['2951-2', 'Sodium', 139, 'mmol/L'],
];

/** The typical patient, as the review order-sign would hand the advisors. */
export function typicalReview(): Review {
  const active = [
    order('a1', 'Warfarin Sodium 5 MG Oral Tablet', 'active', '855332'),
    order('a2', 'Metformin hydrochloride 500 MG Oral Tablet', 'active', '861007'),
    order('a3', 'Lisinopril 10 MG Oral Tablet', 'active', '314076'),
    order('a4', 'Atorvastatin 40 MG Oral Tablet', 'active'),
    order('a5', 'Amlodipine 5 MG Oral Tablet', 'active', '197361'),
    order('a6', 'sertraline 50 mg daily', 'active'),
    order('a7', 'Omeprazole 20 MG Delayed Release Oral Capsule', 'active'),
    order('a8', 'Levothyroxine Sodium 0.1 MG Oral Tablet', 'active'),
  ];
  const drafts = [
    order('d1', 'Ibuprofen 400 MG Oral Tablet', 'draft'),
    order('d2', 'Clarithromycin 500 MG Oral Tablet', 'draft'),
  ];
  const problems = [
    'Atrial fibrillation',
    'Type 2 diabetes mellitus',
    'Essential hypertension',
    'Hyperlipidemia',
    'Depression',
    'Hypothyroidism',
  ].map((text, i): FhirResource => ({
    resourceType: 'Condition',
    id: `c${i}`,
    subject: { reference: 'Patient/bench' },
    code: { text },
    clinicalStatus: { coding: [{ code: 'active' }] },
  }));
  const allergies = ['Penicillin', 'Codeine'].map((text, i): FhirResource => ({
    resourceType: 'AllergyIntolerance',
    id: `al${i}`,
    patient: { reference: 'Patient/bench' },
    code: { text },
    clinicalStatus: { coding: [{ code: 'active' }] },
  }));
  const labs = Array.from({ length: 30 }, (_, i): Observation => {
    const [loinc, text, value, unit] = LAB_KINDS[i % LAB_KINDS.length] as [string, string, number, string];
    return {
      resourceType: 'Observation',
      id: `o${i}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: loinc }], text },
      subject: { reference: 'Patient/bench' },
      effectiveDateTime: new Date(NOW.getTime() - (i + 1) * 3 * 86_400_000).toISOString(),
      valueQuantity: { value, unit, code: unit },
    };
  });
  const patient = normalizePatientContext({
    hook: 'order-sign',
    now: NOW,
    patientId: 'bench',
    patient: { resourceType: 'Patient', id: 'bench', birthDate: '1950-04-01', gender: 'female' },
    medications: bundle(active),
    conditions: bundle(problems),
    allergies: bundle(allergies),
    labs: bundle(labs),
    draftOrders: bundle(drafts, 'collection'),
    missing: [],
  });
  const service = SERVICES.find((s) => s.definition.id === 'order-sign-advice');
  if (!service) throw new Error('order-sign-advice is not registered');
  return reviewFor(service, patient, 'bench');
}

export interface RulesBenchResult {
  readonly meanUs: number;
  readonly p99Us: number;
  /** The median resists noise from other processes on a shared machine better than the mean and p99. */
  readonly p50Us: number;
}

export async function benchRules(
  iterations = Number(process.env.BENCH_RULES_ITERATIONS ?? 5000),
): Promise<RulesBenchResult> {
  const advisor = createRulesAdvisor();
  const review = typicalReview();
  const signal = new AbortController().signal;
  for (let i = 0; i < Math.min(500, iterations); i++) await advisor.advise(review, signal);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await advisor.advise(review, signal);
    samples[i] = (performance.now() - t0) * 1000;
  }
  samples.sort();
  const mean = samples.reduce((sum, v) => sum + v, 0) / iterations;
  const at = (q: number): number => samples[Math.min(iterations - 1, Math.floor(iterations * q))] ?? NaN;
  const round = (v: number): number => Math.round(v * 10) / 10;
  return { meanUs: round(mean), p99Us: round(at(0.99)), p50Us: round(at(0.5)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const iterations = Number(process.env.BENCH_RULES_ITERATIONS ?? 5000);
  const findings = (await createRulesAdvisor().advise(typicalReview(), new AbortController().signal)).findings
    .length;
  const { meanUs, p99Us, p50Us } = await benchRules(iterations);
  console.log('| benchmark | iterations | findings | mean µs | p50 µs | p99 µs |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| rules advisor, typical patient (8 meds, 6 problems, 2 allergies, 30 labs, 2 drafts) | ${iterations} | ${findings} | ${meanUs} | ${p50Us} | ${p99Us} |`,
  );
}
