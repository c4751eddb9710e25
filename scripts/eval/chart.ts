/**
 * A compact description of a synthetic chart → the CDS Hooks request an EHR would send for it. Used once to write
 * `eval/scenarios/*.request.json` (`npm run eval:scenarios`), so the committed requests are plain FHIR a reviewer
 * can read. Results with a history go in `labs` (newest first) and again under the optional `labHistory` key, so
 * a chart is read the same whether or not the service declares that key; weights go under `vitals`.
 */
import { createHash } from 'node:crypto';
import type { HookName, HookRequest } from '../../src/cds/types.js';

export interface ChartLab {
  readonly loinc: string;
  readonly display: string;
  readonly unit: string;
  /** `[days before now, value]`, any order. */
  readonly values: readonly (readonly [number, number])[];
}

export type Drug = readonly [name: string, rxnorm: string, text: string];

export interface Chart {
  readonly name: string;
  readonly hook: HookName;
  readonly now: string;
  readonly sex: 'female' | 'male';
  readonly age: number;
  /** US Core race / ethnicity text, sent as the US Core extensions when present. */
  readonly race?: string;
  readonly ethnicity?: string;
  readonly meds?: readonly Drug[];
  readonly drafts?: readonly Drug[];
  /** `[display, ICD-10-CM code]`. */
  readonly conditions?: readonly (readonly [string, string])[];
  /** `[substance, RxNorm code]`. */
  readonly allergies?: readonly (readonly [string, string])[];
  readonly labs?: readonly ChartLab[];
  readonly weightKg?: number;
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';

const uuidOf = (text: string): string => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const daysBefore = (now: string, days: number): string =>
  new Date(Date.parse(now) - days * 86_400_000).toISOString().replace('.000Z', 'Z');

const searchset = (resources: readonly Record<string, unknown>[]): Record<string, unknown> => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: resources.length,
  entry: resources.map((resource) => ({
    fullUrl: `https://ehr.example.org/fhir/r4/${String(resource.resourceType)}/${String(resource.id)}`,
    resource,
    search: { mode: 'match' },
  })),
});

export function requestOfChart(c: Chart): HookRequest {
  const pid = `pt-${c.name}`;
  const subject = { reference: `Patient/${pid}` };
  // Born mid-June: `age` whole years at any `now` in the second half of the year.
  const birthYear = new Date(c.now).getUTCFullYear() - c.age;
  const extension = [
    ...(c.race
      ? [{ url: `${US_CORE}/us-core-race`, extension: [{ url: 'text', valueString: c.race }] }]
      : []),
    ...(c.ethnicity
      ? [{ url: `${US_CORE}/us-core-ethnicity`, extension: [{ url: 'text', valueString: c.ethnicity }] }]
      : []),
  ];
  const patient = {
    resourceType: 'Patient',
    id: pid,
    ...(extension.length > 0 && { extension }),
    gender: c.sex,
    birthDate: `${birthYear}-06-15`,
  };
  const medRequest = (d: Drug, i: number, status: 'active' | 'draft'): Record<string, unknown> => ({
    resourceType: 'MedicationRequest',
    id: `${status === 'active' ? 'mr' : 'dr'}-${i}`,
    status,
    intent: 'order',
    subject,
    authoredOn: daysBefore(c.now, status === 'active' ? 120 : 0),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: d[1], display: d[0] }], text: d[2] },
  });
  const observations = (c.labs ?? []).flatMap((lab, li) =>
    [...lab.values]
      .sort(([a], [b]) => a - b)
      .map(([days, value], vi) => ({
        resourceType: 'Observation',
        id: `obs-${li}-${vi}`,
        status: 'final',
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'laboratory',
              },
            ],
          },
        ],
        code: {
          coding: [{ system: 'http://loinc.org', code: lab.loinc, display: lab.display }],
          text: lab.display,
        },
        subject,
        effectiveDateTime: daysBefore(c.now, days),
        valueQuantity: { value, unit: lab.unit, system: 'http://unitsofmeasure.org', code: lab.unit },
      })),
  );
  const vitals = c.weightKg
    ? [
        {
          resourceType: 'Observation',
          id: 'vs-weight',
          status: 'final',
          category: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                  code: 'vital-signs',
                },
              ],
            },
          ],
          code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
          subject,
          effectiveDateTime: daysBefore(c.now, 10),
          valueQuantity: { value: c.weightKg, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
        },
      ]
    : [];
  const conditions = (c.conditions ?? []).map(([display, code], i) => ({
    resourceType: 'Condition',
    id: `cond-${i}`,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
    },
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code, display }], text: display },
    subject,
  }));
  const allergies = (c.allergies ?? []).map(([substance, code], i) => ({
    resourceType: 'AllergyIntolerance',
    id: `alg-${i}`,
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
      ],
    },
    verificationStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
          code: 'confirmed',
        },
      ],
    },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: { coding: [{ system: RXNORM, code, display: substance }], text: substance },
    patient: subject,
  }));
  const drafts = (c.drafts ?? []).map((d, i) => medRequest(d, i, 'draft'));
  const newestFirst = [...observations].sort((a, b) =>
    b.effectiveDateTime.localeCompare(a.effectiveDateTime),
  );
  const context: Record<string, unknown> = {
    userId: 'Practitioner/eval-reviewer',
    patientId: pid,
    ...(c.hook !== 'patient-view' && {
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: drafts.map((resource) => ({ resource })),
      },
    }),
    ...(c.hook === 'order-select' && { selections: drafts.map((d) => `MedicationRequest/${String(d.id)}`) }),
  };
  return {
    hook: c.hook,
    hookInstance: uuidOf(`eval:${c.name}`),
    context,
    prefetch: {
      patient,
      medications: searchset((c.meds ?? []).map((d, i) => medRequest(d, i, 'active'))),
      conditions: searchset(conditions),
      allergies: searchset(allergies),
      labs: searchset(newestFirst),
      labHistory: searchset(newestFirst),
      vitals: searchset(vitals),
    },
  } as unknown as HookRequest;
}
