/**
 * A compact description of a synthetic chart → the CDS Hooks request an EHR would send for it. Used once to write
 * `eval/scenarios/*.request.json` (`npm run eval:scenarios`), so the committed requests are plain FHIR a reviewer
 * can read. Results with a history go in `labs` (newest first) and again under the optional `labHistory` key, so
 * a chart is read the same whether or not the service declares that key; weights go under `vitals`. The resources
 * come from the scripts' one synthetic-FHIR builder (`../lib/synthFhir.ts`), shaped as the committed requests are:
 * no patient name, no order requester, no problem-list category, the weight's code without text.
 */
import { createHash } from 'node:crypto';
import type { HookName, HookRequest } from '../../src/cds/types.js';
import {
  type MedSpec,
  allergyIntolerance,
  condition,
  medicationRequest,
  observation,
  patientResource,
  searchset,
} from '../lib/synthFhir.js';

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

const EVAL_REVIEWER = 'Practitioner/eval-reviewer';

/** The hookInstance: a stable UUID from the chart's name (SHA-256; the committed requests carry these). */
const uuidOf = (text: string): string => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** A drug as the resource builders take it: coded with the RxNorm display, sent with the chart's own text. */
const medSpec = ([display, rxcui, text]: Drug, id: string): MedSpec => ({ id, text, display, rxcui });

export function requestOfChart(c: Chart): HookRequest {
  const pid = `pt-${c.name}`;
  // Born mid-June: `age` whole years at any `now` in the second half of the year.
  const birthYear = new Date(c.now).getUTCFullYear() - c.age;
  const patient = patientResource({
    id: pid,
    gender: c.sex,
    birthDate: `${birthYear}-06-15`,
    anonymous: true,
    ...(c.race && { race: c.race }),
    ...(c.ethnicity && { ethnicity: c.ethnicity }),
  });
  // The evaluation's charts are sent without a requester on their orders.
  const medRequest = (d: Drug, i: number, status: 'active' | 'draft') =>
    medicationRequest(
      medSpec(d, `${status === 'active' ? 'mr' : 'dr'}-${i}`),
      pid,
      c.now,
      status === 'draft',
      null,
    );
  const observations = (c.labs ?? []).flatMap((lab, li) =>
    [...lab.values]
      .sort(([a], [b]) => a - b)
      .map(([days, value], vi) =>
        observation(
          {
            id: `obs-${li}-${vi}`,
            loinc: lab.loinc,
            text: lab.display,
            daysAgo: days,
            value,
            unit: lab.unit,
          },
          pid,
          c.now,
        ),
      ),
  );
  const vitals = c.weightKg
    ? [
        observation(
          {
            id: 'vs-weight',
            loinc: '29463-7',
            text: 'Body weight',
            codedOnly: true,
            category: 'vital-signs',
            daysAgo: 10,
            value: c.weightKg,
            unit: 'kg',
          },
          pid,
          c.now,
        ),
      ]
    : [];
  const conditions = (c.conditions ?? []).map(([text, icd10], i) =>
    condition({ id: `cond-${i}`, text, icd10, problemListItem: false }, pid, c.now),
  );
  const allergies = (c.allergies ?? []).map(([text, rxcui], i) =>
    allergyIntolerance({ id: `alg-${i}`, text, rxcui, criticality: 'high' }, pid, c.now),
  );
  const drafts = (c.drafts ?? []).map((d, i) => medRequest(d, i, 'draft'));
  const newestFirst = [...observations].sort((a, b) =>
    b.effectiveDateTime.localeCompare(a.effectiveDateTime),
  );
  const context: Record<string, unknown> = {
    userId: EVAL_REVIEWER,
    patientId: pid,
    ...(c.hook !== 'patient-view' && {
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: drafts.map((resource) => ({ resource })),
      },
    }),
    ...(c.hook === 'order-select' && { selections: drafts.map((d) => `MedicationRequest/${d.id}`) }),
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
