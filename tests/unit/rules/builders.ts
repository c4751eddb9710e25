/**
 * Small FHIR builders for rule tests: each test states only what matters to it (a drug, an allergy, a lab),
 * and goes through normalization and the hook module's review like the service does.
 */
import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  Dosage,
  FhirResource,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
} from 'fhir/r4.js';
import { SERVICES } from '../../../hooks/index.js';
import {
  createRulesAdvisor,
  evaluate,
  KnowledgeError,
  loadKnowledge,
  type KnowledgeBase,
  type RulesAdvisor,
} from '../../../src/advisors/rules/index.js';
import type { Review } from '../../../src/advisors/types.js';
import type { Finding } from '../../../src/findings/types.js';
import type { HookName, PrefetchKey } from '../../../src/cds/types.js';
import { normalizePatientContext } from '../../../src/clinical/normalize.js';
import { reviewFor } from '../../../src/pipeline/review.js';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const PATIENT_ID = 'p1';

export function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * 86_400_000).toISOString();
}

let seq = 0;
const nextId = (prefix: string): string => `${prefix}${++seq}`;

export interface MedOptions {
  readonly id?: string;
  readonly rxcui?: string;
  readonly status?: MedicationRequest['status'];
  readonly selected?: boolean;
  /** A structured dosage instruction (`dosing`). */
  readonly dosage?: Dosage;
}

/**
 * A structured FHIR dosage: `value` `unit` per administration, `frequency` times every `period` `periodUnit`; the
 * unit coded in UCUM when it is one (`mg`, `mL`, `{tbl}`), else as text (`tablet`).
 */
export function dosing(
  value: number,
  unit: string,
  frequency: number,
  period = 1,
  periodUnit: 's' | 'min' | 'h' | 'd' | 'wk' | 'mo' | 'a' = 'd',
): Dosage {
  const ucum = /^(mg|g|ug|mL|\{[a-z]+\})$/.test(unit);
  return {
    timing: { repeat: { frequency, period, periodUnit } },
    doseAndRate: [
      {
        doseQuantity: {
          value,
          unit,
          ...(ucum && { system: 'http://unitsofmeasure.org', code: unit }),
        },
      },
    ],
  };
}

export function med(text: string, options: MedOptions = {}): MedicationRequest & { selected?: boolean } {
  return {
    resourceType: 'MedicationRequest',
    id: options.id ?? nextId('m'),
    status: options.status ?? 'active',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: {
      text,
      ...(options.rxcui && { coding: [{ system: RXNORM, code: options.rxcui, display: text }] }),
    },
    ...(options.dosage && { dosageInstruction: [options.dosage] }),
    ...(options.selected !== undefined && { selected: options.selected }),
  };
}

export function draft(text: string, options: MedOptions = {}): MedicationRequest & { selected?: boolean } {
  return med(text, { ...options, status: options.status ?? 'draft', selected: options.selected ?? true });
}

/** A patient-reported medication (MedicationStatement), asserted `assertedDaysAgo` days before NOW. */
export function statement(text: string, assertedDaysAgo = 10, id?: string): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    id: id ?? nextId('s'),
    status: 'active',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { text },
    dateAsserted: daysAgo(assertedDaysAgo),
  };
}

export interface AllergyOptions {
  readonly clinicalStatus?: string;
  readonly verificationStatus?: string;
  readonly rxcui?: string;
  readonly criticality?: AllergyIntolerance['criticality'];
  readonly type?: AllergyIntolerance['type'];
  /** Manifestation texts (and optional SNOMED codes as `text|code`). */
  readonly reactions?: readonly string[];
  readonly reactionSeverity?: 'mild' | 'moderate' | 'severe';
}

export function allergy(text: string, options: AllergyOptions = {}): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    id: nextId('a'),
    patient: { reference: `Patient/${PATIENT_ID}` },
    code: {
      text,
      ...(options.rxcui && { coding: [{ system: RXNORM, code: options.rxcui, display: text }] }),
    },
    clinicalStatus: { coding: [{ code: options.clinicalStatus ?? 'active' }] },
    ...(options.verificationStatus && {
      verificationStatus: { coding: [{ code: options.verificationStatus }] },
    }),
    ...(options.criticality && { criticality: options.criticality }),
    ...(options.type && { type: options.type }),
    ...(options.reactions && {
      reaction: [
        {
          manifestation: options.reactions.map((r) => {
            const [text, code] = r.split('|');
            return {
              text,
              ...(code && { coding: [{ system: 'http://snomed.info/sct', code, display: text }] }),
            };
          }),
          ...(options.reactionSeverity && { severity: options.reactionSeverity }),
        },
      ],
    }),
  };
}

export function condition(
  text: string,
  options: { snomed?: string; icd10?: string; clinicalStatus?: string } = {},
): Condition {
  const coding = [
    ...(options.snomed ? [{ system: 'http://snomed.info/sct', code: options.snomed, display: text }] : []),
    ...(options.icd10
      ? [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: options.icd10, display: text }]
      : []),
  ];
  return {
    resourceType: 'Condition',
    id: nextId('c'),
    subject: { reference: `Patient/${PATIENT_ID}` },
    code: { text, ...(coding.length > 0 && { coding }) },
    clinicalStatus: { coding: [{ code: options.clinicalStatus ?? 'active' }] },
  };
}

export function lab(
  loinc: string,
  value: number,
  unit: string | undefined,
  ageDays: number,
  text = `LOINC ${loinc}`,
): Observation {
  return {
    resourceType: 'Observation',
    id: nextId('o'),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }], text },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: daysAgo(ageDays),
    valueQuantity: { value, ...(unit && { unit, code: unit }) },
  };
}

export const potassium = (value: number, ageDays = 2): Observation =>
  lab('2823-3', value, 'mmol/L', ageDays, 'Potassium');
export const inr = (value: number, ageDays = 2): Observation =>
  lab('6301-6', value, undefined, ageDays, 'INR');
export const egfr = (value: number, ageDays = 5): Observation =>
  lab('98979-8', value, 'mL/min/{1.73_m2}', ageDays, 'eGFR');
export const creatinine = (mgDl: number, ageDays = 5): Observation =>
  lab('2160-0', mgDl, 'mg/dL', ageDays, 'Creatinine');
export const weight = (kg: number, ageDays = 5): Observation => ({
  ...lab('29463-7', kg, 'kg', ageDays, 'Body weight'),
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }],
    },
  ],
});

/** A coded answer (SNOMED CT) to a LOINC question: pregnancy status, a qualitative hCG, breastfeeding status. */
export function answer(loinc: string, snomed: string, display: string, ageDays = 3): Observation {
  return {
    resourceType: 'Observation',
    id: nextId('o'),
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: loinc }], text: `LOINC ${loinc}` },
    subject: { reference: `Patient/${PATIENT_ID}` },
    effectiveDateTime: daysAgo(ageDays),
    valueCodeableConcept: {
      coding: [{ system: 'http://snomed.info/sct', code: snomed, display }],
      text: display,
    },
  };
}

const searchset = (resources: readonly FhirResource[]): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

export interface Chart {
  readonly active?: readonly (MedicationRequest | MedicationStatement)[];
  readonly drafts?: readonly (MedicationRequest & { selected?: boolean })[];
  readonly allergies?: readonly AllergyIntolerance[];
  readonly conditions?: readonly Condition[];
  readonly labs?: readonly Observation[];
  /** Vital signs (the optional `vitals` prefetch): weight. */
  readonly vitals?: readonly Observation[];
  readonly patient?: Partial<Patient>;
  readonly missing?: readonly PrefetchKey[];
}

const SERVICE_BY_HOOK: Record<HookName, string> = {
  'patient-view': 'patient-view-advice',
  'order-select': 'order-select-advice',
  'order-sign': 'order-sign-advice',
};

export function reviewOf(hook: HookName, chart: Chart): Review {
  const drafts = (chart.drafts ?? []).map(({ selected: _selected, ...mr }) => mr);
  const selections = (chart.drafts ?? [])
    .filter((d) => d.selected)
    .map((d) => `MedicationRequest/${d.id ?? ''}`);
  const patient = normalizePatientContext({
    hook,
    now: NOW,
    patientId: PATIENT_ID,
    patient: {
      resourceType: 'Patient',
      id: PATIENT_ID,
      birthDate: '1955-06-01',
      gender: 'female',
      ...chart.patient,
    },
    medications: searchset(chart.active ?? []),
    conditions: searchset(chart.conditions ?? []),
    allergies: searchset(chart.allergies ?? []),
    labs: searchset(chart.labs ?? []),
    ...(chart.vitals && { vitals: searchset(chart.vitals) }),
    draftOrders:
      hook === 'patient-view'
        ? undefined
        : { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) },
    selections: hook === 'order-select' ? selections : undefined,
    missing: chart.missing ?? [],
  });
  const service = SERVICES.find((s) => s.definition.id === SERVICE_BY_HOOK[hook]);
  if (!service) throw new Error(`no service for ${hook}`);
  return reviewFor(service, patient, 'test-hook-instance');
}

let advisor: RulesAdvisor | undefined;

export async function findings(hook: HookName, chart: Chart): Promise<readonly Finding[]> {
  advisor ??= createRulesAdvisor();
  const outcome = await advisor.advise(reviewOf(hook, chart), new AbortController().signal);
  if (outcome.status !== 'ok') throw new Error(`rules advisor: ${outcome.status} ${outcome.reason ?? ''}`);
  return outcome.findings;
}

let kb: KnowledgeBase | undefined;

/** Findings through `evaluate` directly: synchronous, for tests that check many charts. */
export function evaluateChart(hook: HookName, chart: Chart): readonly Finding[] {
  if (!kb) {
    const loaded = loadKnowledge();
    if (loaded instanceof KnowledgeError) throw loaded;
    kb = loaded;
  }
  return evaluate(kb, reviewOf(hook, chart)).findings;
}

export async function keysOf(hook: HookName, chart: Chart): Promise<string[]> {
  return (await findings(hook, chart)).map((f) => f.key).sort();
}
