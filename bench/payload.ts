/**
 * Realistic hook requests for the benchmarks: one elderly patient on 8 active medications, with 6 active problems,
 * 2 allergies, 30 recent lab results (10 analytes × 3 dates, LOINC-coded, with reference ranges) and, for the
 * order hooks, 2 draft medication orders, sent compact as an EHR would.
 *
 * The chart is chosen so rules have something to say (warfarin + a draft NSAID, potassium-raising drugs with a high
 * potassium, a sulfa allergy against a draft sulfonamide, reduced eGFR with metformin): the benchmark measures the
 * service doing its work, not the empty path. Sizes come to 20–21 KB; `npx tsx bench/payload.ts` prints them.
 */
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  Condition,
  MedicationRequest,
  Observation,
  Patient,
  Resource,
} from 'fhir/r4.js';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export type BenchHook = 'patient-view' | 'order-select' | 'order-sign';

export const SERVICE_OF: Readonly<Record<BenchHook, string>> = {
  'patient-view': 'patient-view-advice',
  'order-select': 'order-select-advice',
  'order-sign': 'order-sign-advice',
};

export const HOOKS: readonly BenchHook[] = ['patient-view', 'order-select', 'order-sign'];

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const LOINC = 'http://loinc.org';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const EHR = 'https://ehr.example/fhir';

export const PATIENT_ID = 'pt-8842';
const PATIENT_REF = `Patient/${PATIENT_ID}`;
const PRACTITIONER = 'Practitioner/bench-dr-1';
const ENCOUNTER = 'enc-bench-1';

/** A fixed clock for the chart's dates, relative to "now" so labs stay recent whenever the bench runs. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString();
}

const patient: Patient = {
  resourceType: 'Patient',
  id: PATIENT_ID,
  meta: { versionId: '7', lastUpdated: daysAgo(3) },
  identifier: [{ system: 'urn:oid:2.16.840.1.113883.4.1', value: '999-55-1234' }],
  active: true,
  name: [{ use: 'official', family: 'Benchmark', given: ['Margaret', 'Ann'] }],
  gender: 'female',
  birthDate: '1944-06-02',
  address: [{ line: ['42 Load Test Road'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
};

interface MedSpec {
  readonly id: string;
  readonly rxcui: string;
  readonly display: string;
  readonly dose: number;
  readonly unit: string;
  readonly perDay: number;
  readonly since: number;
}

// RxNorm clinical drug (SCD) codes; the rules also match the ingredient by name.
const ACTIVE_MEDS: readonly MedSpec[] = [
  {
    id: 'med-warfarin',
    rxcui: '855332',
    display: 'Warfarin Sodium 5 MG Oral Tablet',
    dose: 5,
    unit: 'mg',
    perDay: 1,
    since: 400,
  },
  {
    id: 'med-lisinopril',
    rxcui: '314076',
    display: 'lisinopril 10 MG Oral Tablet',
    dose: 10,
    unit: 'mg',
    perDay: 1,
    since: 900,
  },
  {
    id: 'med-spironolactone',
    rxcui: '313096',
    display: 'spironolactone 25 MG Oral Tablet',
    dose: 25,
    unit: 'mg',
    perDay: 1,
    since: 200,
  },
  {
    id: 'med-metformin',
    rxcui: '861007',
    display: 'metformin hydrochloride 500 MG Oral Tablet',
    dose: 500,
    unit: 'mg',
    perDay: 2,
    since: 1500,
  },
  {
    id: 'med-atorvastatin',
    rxcui: '617312',
    display: 'atorvastatin 40 MG Oral Tablet',
    dose: 40,
    unit: 'mg',
    perDay: 1,
    since: 1200,
  },
  {
    id: 'med-amlodipine',
    rxcui: '197361',
    display: 'amlodipine 5 MG Oral Tablet',
    dose: 5,
    unit: 'mg',
    perDay: 1,
    since: 700,
  },
  {
    id: 'med-metoprolol',
    rxcui: '866427',
    display: 'metoprolol succinate 25 MG Extended Release Oral Tablet',
    dose: 25,
    unit: 'mg',
    perDay: 1,
    since: 650,
  },
  {
    id: 'med-omeprazole',
    rxcui: '402014',
    display: 'omeprazole 20 MG Delayed Release Oral Capsule',
    dose: 20,
    unit: 'mg',
    perDay: 1,
    since: 300,
  },
];

const DRAFT_MEDS: readonly MedSpec[] = [
  {
    id: 'draft-ibuprofen',
    rxcui: '197805',
    display: 'Ibuprofen 400 MG Oral Tablet',
    dose: 400,
    unit: 'mg',
    perDay: 3,
    since: 0,
  },
  {
    id: 'draft-smx-tmp',
    rxcui: '198335',
    display: 'sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet',
    dose: 1,
    unit: 'tablet',
    perDay: 2,
    since: 0,
  },
];

function medicationRequest(spec: MedSpec, status: 'active' | 'draft'): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id: spec.id,
    status,
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: spec.rxcui, display: spec.display }] },
    subject: { reference: PATIENT_REF },
    authoredOn: daysAgo(spec.since).slice(0, 10),
    dosageInstruction: [
      {
        text: `${spec.dose} ${spec.unit} by mouth ${spec.perDay === 1 ? 'once' : `${spec.perDay} times`} daily`,
        doseAndRate: [{ doseQuantity: { value: spec.dose, unit: spec.unit } }],
      },
    ],
  };
}

const PROBLEMS: readonly (readonly [string, string, string])[] = [
  ['cond-afib', '49436004', 'Atrial fibrillation'],
  ['cond-htn', '38341003', 'Essential hypertension'],
  ['cond-t2dm', '44054006', 'Type 2 diabetes mellitus'],
  ['cond-ckd3', '433144002', 'Chronic kidney disease stage 3'],
  ['cond-hf', '84114007', 'Heart failure'],
  ['cond-gerd', '235595009', 'Gastroesophageal reflux disease'],
];

function condition([id, snomed, display]: readonly [string, string, string], index: number): Condition {
  return {
    resourceType: 'Condition',
    id,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: {
      coding: [{ system: SNOMED, code: snomed }],
      text: display,
    },
    subject: { reference: PATIENT_REF },
    onsetDateTime: daysAgo(400 + index * 200).slice(0, 10),
  };
}

const ALLERGIES: readonly AllergyIntolerance[] = [
  ['allergy-penicillin', '7980', 'Penicillin G', 'Hives'],
  ['allergy-sulfa', '10180', 'Sulfamethoxazole', 'Rash'],
].map(([id, rxcui, display, reaction]) => ({
  resourceType: 'AllergyIntolerance',
  id,
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
  },
  verificationStatus: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' },
    ],
  },
  type: 'allergy',
  category: ['medication'],
  criticality: 'high',
  code: { coding: [{ system: RXNORM, code: rxcui, display }], text: display },
  patient: { reference: PATIENT_REF },
  reaction: [{ manifestation: [{ text: reaction }], severity: 'moderate' }],
}));

interface LabSpec {
  readonly loinc: string;
  readonly display: string;
  readonly unit: string;
  /** Values at 2, 30 and 90 days ago. */
  readonly values: readonly [number, number, number];
}

const LABS: readonly LabSpec[] = [
  { loinc: '2823-3', display: 'Potassium SerPl-sCnc', unit: 'mmol/L', values: [5.8, 5.2, 4.9] },
  { loinc: '2160-0', display: 'Creat SerPl-mCnc', unit: 'mg/dL', values: [1.6, 1.5, 1.3] },
  {
    loinc: '62238-1',
    display: 'GFR/BSA.pred SerPlBld CKD-EPI-ArVRat',
    unit: 'mL/min/{1.73_m2}',
    values: [28, 33, 41],
  },
  { loinc: '6301-6', display: 'INR PPP', unit: '{INR}', values: [3.4, 2.6, 2.4] },
  { loinc: '2951-2', display: 'Sodium SerPl-sCnc', unit: 'mmol/L', values: [134, 137, 139] },
  { loinc: '718-7', display: 'Hgb Bld-mCnc', unit: 'g/dL', values: [11.2, 11.8, 12.4] },
  { loinc: '777-3', display: 'Platelet # Bld Auto', unit: '10*3/uL', values: [182, 201, 215] },
  { loinc: '2345-7', display: 'Glucose SerPl-mCnc', unit: 'mg/dL', values: [142, 156, 131] },
  { loinc: '4548-4', display: 'Hgb A1c MFr Bld', unit: '%', values: [7.4, 7.6, 7.9] },
  { loinc: '1742-6', display: 'ALT SerPl-cCnc', unit: 'U/L', values: [28, 31, 25] },
];
const LAB_DAYS = [2, 30, 90] as const;

/** `variant` shifts the latest ALT a little: a different chart for caches keyed on the clinical content. */
function labObservations(variant = 0): Observation[] {
  return LABS.flatMap((lab, i) =>
    LAB_DAYS.map((days, j): Observation => {
      const base = lab.values[j] ?? lab.values[0];
      const value = variant && lab.loinc === '1742-6' && j === 0 ? base + variant / 100 : base;
      return {
        resourceType: 'Observation',
        id: `lab${i}-${days}`,
        status: 'final',
        code: { coding: [{ system: LOINC, code: lab.loinc }], text: lab.display },
        subject: { reference: PATIENT_REF },
        effectiveDateTime: daysAgo(days).slice(0, 10),
        valueQuantity: { value, system: UCUM, code: lab.unit },
      };
    }),
  );
}

function searchset(type: string, resources: readonly Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource): BundleEntry => ({
      fullUrl: `${EHR}/${type}/${resource.id ?? ''}`,
      resource,
    })),
  };
}

/** The chart as FHIR resources, e.g. to load into a FHIR server for the prefetch-missing benchmark. */
export function chartResources(): Resource[] {
  return [
    patient,
    ...ACTIVE_MEDS.map((m) => medicationRequest(m, 'active')),
    ...PROBLEMS.map(condition),
    ...ALLERGIES,
    ...labObservations(),
  ];
}

export function prefetchFor(variant = 0): Record<string, Resource> {
  return {
    patient,
    medications: searchset(
      'MedicationRequest',
      ACTIVE_MEDS.map((m) => medicationRequest(m, 'active')),
    ),
    conditions: searchset('Condition', PROBLEMS.map(condition)),
    allergies: searchset('AllergyIntolerance', ALLERGIES),
    labs: searchset('Observation', labObservations(variant)),
  };
}

function draftOrders(): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: DRAFT_MEDS.map((m) => ({ resource: medicationRequest(m, 'draft') })),
  };
}

/** Monthly panels over five years, oldest first: the trend analytes with a slow eGFR fall and steady others. */
const HISTORY_MONTHS = 60;
const HISTORY_ANALYTES = [
  {
    id: 'egfr',
    loinc: '98979-8',
    unit: 'mL/min/{1.73_m2}',
    value: (m: number) => Math.round(50 + (36 * m) / 59),
  },
  { id: 'cr', loinc: '2160-0', unit: 'mg/dL', value: (m: number) => Math.round((1.6 - m / 100) * 100) / 100 },
  { id: 'k', loinc: '2823-3', unit: 'mmol/L', value: (m: number) => 4.2 + (m % 3) / 10 },
  { id: 'hb', loinc: '718-7', unit: 'g/dL', value: (m: number) => 13.5 + (m % 2) / 10 },
  { id: 'a1c', loinc: '4548-4', unit: '%', value: (m: number) => 5.6 + (m % 4) / 10 },
] as const;

/** `labHistory`: 60 monthly panels of five analytes (300 Observations), newest first as the template asks. */
function labHistory(): Observation[] {
  const out: Observation[] = [];
  for (let month = 1; month <= HISTORY_MONTHS; month += 1) {
    for (const a of HISTORY_ANALYTES) {
      out.push({
        resourceType: 'Observation',
        id: `hist-${a.id}-${month}`,
        status: 'final',
        category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory' }] }],
        code: { coding: [{ system: LOINC, code: a.loinc }] },
        subject: { reference: PATIENT_REF },
        effectiveDateTime: daysAgo(month * 30 + 15).slice(0, 10),
        valueQuantity: { value: a.value(month - 1), system: UCUM, code: a.unit },
      });
    }
  }
  return out;
}

/** `vitals`: a weight and a blood pressure every month for five years (120 Observations), newest first. */
function vitalSigns(): Observation[] {
  const out: Observation[] = [];
  const vital = (id: string, code: string, value: number, unit: string, month: number): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs' }] }],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: PATIENT_REF },
    effectiveDateTime: daysAgo(month * 30 + 10).slice(0, 10),
    valueQuantity: { value, system: UCUM, code: unit },
  });
  for (let month = 1; month <= HISTORY_MONTHS; month += 1) {
    out.push(vital(`wt-${month}`, '29463-7', 82 - month / 10, 'kg', month));
    out.push(vital(`sbp-${month}`, '8480-6', 130 + (month % 5), 'mm[Hg]', month));
  }
  return out;
}

export interface RequestOptions {
  /** Also send the optional `labHistory` (five years of monthly panels) and `vitals` keys. */
  readonly longView?: boolean;
  /** Leave `prefetch` out and send `fhirServer` instead, so the service fetches everything. */
  readonly fhirServer?: string;
  /** A slightly different chart (see `labObservations`); 0 is the base chart. */
  readonly variant?: number;
}

/** One hook request body (an object: JSON.stringify it). */
export function hookRequest(hook: BenchHook, options: RequestOptions = {}): Record<string, unknown> {
  const context: Record<string, unknown> = {
    userId: PRACTITIONER,
    patientId: PATIENT_ID,
    encounterId: ENCOUNTER,
  };
  if (hook === 'order-select') {
    context.selections = [`MedicationRequest/${DRAFT_MEDS[0]?.id ?? ''}`];
    context.draftOrders = draftOrders();
  }
  if (hook === 'order-sign') context.draftOrders = draftOrders();
  const body: Record<string, unknown> = { hookInstance: randomUUID(), hook, context };
  if (options.fhirServer) body.fhirServer = options.fhirServer;
  else
    body.prefetch = {
      ...prefetchFor(options.variant),
      ...(options.longView && {
        labHistory: searchset('Observation', labHistory()),
        vitals: searchset('Observation', vitalSigns()),
      }),
    };
  return body;
}

/** The compact JSON body autocannon sends. */
export function hookPayload(hook: BenchHook, options: RequestOptions = {}): string {
  return JSON.stringify(hookRequest(hook, options));
}

/**
 * A feedback body for one card (https://cds-hooks.hl7.org/2.0/#feedback): accepted with the given suggestion,
 * or overridden with a coded reason when there is none.
 */
export function feedbackPayload(cardUuid: string, suggestionUuid?: string): string {
  const outcomeTimestamp = new Date().toISOString();
  const item = suggestionUuid
    ? { card: cardUuid, outcome: 'accepted', acceptedSuggestions: [{ id: suggestionUuid }], outcomeTimestamp }
    : {
        card: cardUuid,
        outcome: 'overridden',
        overrideReason: { reason: { system: 'https://ehr.example/override-reason', code: 'patient-aware' } },
        outcomeTimestamp,
      };
  return JSON.stringify({ feedback: [item] });
}

export function payloadSizes(): Record<BenchHook, number> {
  const sizes = {} as Record<BenchHook, number>;
  for (const hook of HOOKS) sizes[hook] = Buffer.byteLength(hookPayload(hook));
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [hook, bytes] of Object.entries(payloadSizes())) {
    process.stdout.write(`${hook.padEnd(13)} ${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)\n`);
  }
}
