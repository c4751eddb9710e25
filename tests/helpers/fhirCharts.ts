/**
 * Generated FHIR R4 charts for property tests: a Patient, active MedicationRequests (inline code or a contained
 * Medication with ingredients), Conditions, AllergyIntolerances, lab Observations in series (the same test on
 * several days), vital-sign Observations and draft MedicationRequests, with
 * every element an EHR commonly fills in: codings from public code systems with their displays, statuses, units,
 * interpretations, structured and free-text dosage, notes, performer and requester displays, narrative. The
 * codes are real; the free text is plausible filler (tests plant their own strings over it).
 */
import fc from 'fast-check';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const UCUM = 'http://unitsofmeasure.org';
const V3_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

export type Resource = Record<string, unknown> & { resourceType: string; id: string };

export interface Chart {
  readonly patient: Resource;
  readonly medications: readonly Resource[];
  readonly conditions: readonly Resource[];
  readonly allergies: readonly Resource[];
  readonly labs: readonly Resource[];
  readonly vitals: readonly Resource[];
  readonly drafts: readonly Resource[];
}

const coding = (system: string, code: string, display: string) => ({ system, code, display });
const concept = (codings: readonly ReturnType<typeof coding>[], text: string) => ({
  coding: [...codings],
  text,
});

/** RxNorm products (SCD) with their ingredient (IN) codes, as a chart carries them. */
const DRUGS = [
  { scd: ['855332', 'Warfarin Sodium 5 MG Oral Tablet'], ingredient: ['11289', 'warfarin'] },
  { scd: ['197805', 'Ibuprofen 400 MG Oral Tablet'], ingredient: ['5640', 'ibuprofen'] },
  { scd: ['314076', 'lisinopril 10 MG Oral Tablet'], ingredient: ['29046', 'lisinopril'] },
  { scd: ['861007', 'metformin hydrochloride 500 MG Oral Tablet'], ingredient: ['6809', 'metformin'] },
  { scd: ['308191', 'amoxicillin 500 MG Oral Capsule'], ingredient: ['723', 'amoxicillin'] },
  { scd: ['243670', 'aspirin 81 MG Oral Tablet'], ingredient: ['1191', 'aspirin'] },
  { scd: ['313782', 'acetaminophen 325 MG Oral Tablet'], ingredient: ['161', 'acetaminophen'] },
] as const;

const CONDITIONS = [
  { snomed: ['49436004', 'Atrial fibrillation'], icd: ['I48.91', 'Unspecified atrial fibrillation'] },
  {
    snomed: ['433144002', 'Chronic kidney disease stage 3'],
    icd: ['N18.30', 'Chronic kidney disease, stage 3'],
  },
  { snomed: ['38341003', 'Hypertensive disorder'], icd: ['I10', 'Essential (primary) hypertension'] },
  { snomed: ['44054006', 'Diabetes mellitus type 2'], icd: ['E11.9', 'Type 2 diabetes mellitus'] },
  { snomed: ['84114007', 'Heart failure'], icd: ['I50.9', 'Heart failure, unspecified'] },
] as const;

const ALLERGENS = [
  {
    codings: [coding(RXNORM, '7980', 'penicillin G'), coding(SNOMED, '764146007', 'Penicillin')],
    text: 'Penicillin',
  },
  { codings: [coding(RXNORM, '10180', 'sulfamethoxazole')], text: 'Sulfa drugs' },
  { codings: [coding(SNOMED, '256349002', 'Peanut')], text: 'Peanuts' },
] as const;

const LABS = [
  { loinc: ['2823-3', 'Potassium [Moles/volume] in Serum or Plasma'], unit: 'mmol/L', low: 3.5, high: 5.1 },
  { loinc: ['2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'], unit: 'mg/dL', low: 0.6, high: 1.2 },
  {
    loinc: ['33914-3', 'Glomerular filtration rate/1.73 sq M.predicted'],
    unit: 'mL/min/{1.73_m2}',
    low: 60,
    high: 120,
  },
  {
    loinc: ['6301-6', 'INR in Platelet poor plasma by Coagulation assay'],
    unit: '{INR}',
    low: 0.8,
    high: 1.2,
  },
  { loinc: ['718-7', 'Hemoglobin [Mass/volume] in Blood'], unit: 'g/dL', low: 12, high: 16 },
  { loinc: ['2951-2', 'Sodium [Moles/volume] in Serum or Plasma'], unit: 'mmol/L', low: 135, high: 145 },
] as const;

const INTERPRETATIONS = [
  ['H', 'High'],
  ['L', 'Low'],
  ['N', 'Normal'],
  ['HH', 'Critical high'],
] as const;

const filler = fc.constantFrom('as discussed', 'see clinic letter', 'per protocol', 'reviewed', 'stable');
const ids = fc.stringMatching(/^[a-z][a-z0-9-]{2,12}$/);
const day = fc
  .integer({ min: 0, max: 900 })
  .map((n) => new Date(Date.UTC(2026, 10, 24) - n * 86_400_000).toISOString().slice(0, 10));

const patient: fc.Arbitrary<Resource> = fc
  .record({
    id: ids,
    gender: fc.constantFrom('female', 'male'),
    birthYear: fc.integer({ min: 1930, max: 2005 }),
  })
  .map(({ id, gender, birthYear }) => ({
    resourceType: 'Patient',
    id,
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Patient summary</div>' },
    identifier: [
      { system: 'urn:oid:1.2.36.146.595.217.0.1', value: 'A0001', type: { text: 'Medical record number' } },
    ],
    name: [{ use: 'official', family: 'Example', given: ['Pat'], text: 'Pat Example' }],
    telecom: [{ system: 'phone', value: '0000', use: 'home' }],
    gender,
    birthDate: `${birthYear}-06-01`,
    address: [{ line: ['1 Main Street'], city: 'Town', state: 'ST', postalCode: '00000', country: 'US' }],
    maritalStatus: concept(
      [coding('http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', 'M', 'Married')],
      'married',
    ),
    contact: [{ name: { text: 'Next of kin' }, telecom: [{ system: 'phone', value: '0001' }] }],
    generalPractitioner: [{ reference: 'Practitioner/gp', display: 'Dr General' }],
  }));

function dosage(frequency: number, dose: number) {
  return [
    {
      text: `${dose} tablet by mouth ${frequency} times daily`,
      patientInstruction: 'take with water',
      additionalInstruction: [concept([coding(SNOMED, '311504000', 'With or after food')], 'with food')],
      timing: { repeat: { frequency, period: 1, periodUnit: 'd', when: ['MORN'] }, code: { text: 'daily' } },
      asNeededBoolean: false,
      route: concept([coding(SNOMED, '26643006', 'Oral route')], 'by mouth'),
      doseAndRate: [
        {
          type: concept(
            [coding('http://terminology.hl7.org/CodeSystem/dose-rate-type', 'ordered', 'Ordered')],
            'ordered',
          ),
          doseQuantity: { value: dose, unit: 'tablet', system: UCUM, code: '{tbl}' },
        },
      ],
    },
  ];
}

function medicationRequest(status: 'active' | 'draft'): fc.Arbitrary<Resource> {
  return fc
    .record({
      id: ids,
      drug: fc.constantFrom(...DRUGS),
      contained: fc.boolean(),
      frequency: fc.integer({ min: 1, max: 4 }),
      dose: fc.integer({ min: 1, max: 2 }),
      authoredOn: day,
      note: filler,
    })
    .map(({ id, drug, contained, frequency, dose, authoredOn, note }) => {
      const product = concept([coding(RXNORM, drug.scd[0], drug.scd[1])], drug.scd[1]);
      const drugPart = contained
        ? {
            contained: [
              {
                resourceType: 'Medication',
                id: 'med',
                code: product,
                form: concept([coding(SNOMED, '385055001', 'Tablet')], 'tablet'),
                ingredient: [
                  {
                    itemCodeableConcept: concept(
                      [coding(RXNORM, drug.ingredient[0], drug.ingredient[1])],
                      drug.ingredient[1],
                    ),
                    strength: {
                      numerator: { value: 5, unit: 'mg', system: UCUM, code: 'mg' },
                      denominator: { value: 1, unit: 'tablet', system: UCUM, code: '{tbl}' },
                    },
                  },
                ],
              },
            ],
            medicationReference: { reference: '#med', display: drug.scd[1] },
          }
        : { medicationCodeableConcept: product };
      return {
        resourceType: 'MedicationRequest',
        id,
        identifier: [{ system: 'urn:oid:1.2.3.4', value: 'RX-1' }],
        status,
        intent: 'order',
        category: [
          concept(
            [
              coding(
                'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
                'outpatient',
                'Outpatient',
              ),
            ],
            'outpatient',
          ),
        ],
        ...drugPart,
        subject: { reference: 'Patient/p', display: 'Pat Example' },
        authoredOn,
        requester: { reference: 'Practitioner/dr', display: 'Dr Prescriber' },
        reasonCode: [concept([coding(SNOMED, '22253000', 'Pain')], 'pain')],
        note: [{ text: note, authorString: 'Nurse' }],
        dosageInstruction: dosage(frequency, dose),
      };
    });
}

const condition: fc.Arbitrary<Resource> = fc
  .record({ id: ids, which: fc.constantFrom(...CONDITIONS), onset: day, note: filler })
  .map(({ id, which, onset, note }) => ({
    resourceType: 'Condition',
    id,
    clinicalStatus: concept([coding(CONDITION_CLINICAL, 'active', 'Active')], 'Active'),
    verificationStatus: concept([coding(CONDITION_VERIFICATION, 'confirmed', 'Confirmed')], 'Confirmed'),
    category: [
      concept(
        [
          coding(
            'http://terminology.hl7.org/CodeSystem/condition-category',
            'problem-list-item',
            'Problem List Item',
          ),
        ],
        'problem',
      ),
    ],
    severity: concept([coding(SNOMED, '6736007', 'Moderate')], 'moderate'),
    code: concept(
      [coding(SNOMED, which.snomed[0], which.snomed[1]), coding(ICD10CM, which.icd[0], which.icd[1])],
      which.snomed[1],
    ),
    subject: { reference: 'Patient/p', display: 'Pat Example' },
    onsetDateTime: onset,
    recordedDate: onset,
    recorder: { reference: 'Practitioner/dr', display: 'Dr Recorder' },
    note: [{ text: note }],
  }));

const allergy: fc.Arbitrary<Resource> = fc
  .record({ id: ids, which: fc.constantFrom(...ALLERGENS), recorded: day, note: filler })
  .map(({ id, which, recorded, note }) => ({
    resourceType: 'AllergyIntolerance',
    id,
    clinicalStatus: concept([coding(ALLERGY_CLINICAL, 'active', 'Active')], 'Active'),
    verificationStatus: concept([coding(ALLERGY_VERIFICATION, 'confirmed', 'Confirmed')], 'Confirmed'),
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: concept(which.codings, which.text),
    patient: { reference: 'Patient/p', display: 'Pat Example' },
    recordedDate: recorded,
    recorder: { reference: 'Practitioner/dr', display: 'Dr Recorder' },
    note: [{ text: note }],
    reaction: [
      {
        substance: concept(which.codings, which.text),
        manifestation: [concept([coding(SNOMED, '247472004', 'Hives')], 'hives')],
        description: 'rash after first dose',
        severity: 'moderate',
        note: [{ text: note }],
      },
    ],
  }));

const observation: fc.Arbitrary<Resource> = fc
  .record({
    id: ids,
    which: fc.constantFrom(...LABS),
    value: fc.double({ min: 0.1, max: 200, noNaN: true }).map((v) => Math.round(v * 10) / 10),
    interpretation: fc.constantFrom(...INTERPRETATIONS),
    taken: day,
    note: filler,
  })
  .map(({ id, which, value, interpretation, taken, note }) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      concept(
        [coding('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory', 'Laboratory')],
        'lab',
      ),
    ],
    code: concept([coding(LOINC, which.loinc[0], which.loinc[1])], which.loinc[1]),
    subject: { reference: 'Patient/p', display: 'Pat Example' },
    effectiveDateTime: `${taken}T08:00:00Z`,
    issued: `${taken}T09:00:00Z`,
    performer: [{ reference: 'Organization/lab', display: 'Central Lab' }],
    valueQuantity: { value, unit: which.unit, system: UCUM, code: which.unit },
    interpretation: [
      concept([coding(V3_INTERPRETATION, interpretation[0], interpretation[1])], interpretation[1]),
    ],
    referenceRange: [
      {
        low: { value: which.low, unit: which.unit, system: UCUM, code: which.unit },
        high: { value: which.high, unit: which.unit, system: UCUM, code: which.unit },
        text: `${which.low}-${which.high}`,
      },
    ],
    note: [{ text: note }],
  }));

/** A lab and the same test again on up to three other days: a series, as a chart with history carries it. */
const labSeries: fc.Arbitrary<Resource[]> = fc
  .tuple(
    observation,
    fc.array(
      fc.record({
        taken: day,
        value: fc.double({ min: 0.1, max: 200, noNaN: true }).map((v) => Math.round(v * 10) / 10),
      }),
      { maxLength: 3 },
    ),
  )
  .map(([first, more]) => [
    first,
    ...more.map(({ taken, value }, i) => ({
      ...structuredClone(first),
      id: `${first.id}-${i}`,
      effectiveDateTime: `${taken}T08:00:00Z`,
      issued: `${taken}T09:00:00Z`,
      valueQuantity: { ...(first.valueQuantity as object), value },
    })),
  ]);

const VITALS = [
  { loinc: ['29463-7', 'Body weight'], unit: 'kg', min: 30, max: 150 },
  { loinc: ['8302-2', 'Body height'], unit: 'cm', min: 120, max: 200 },
  { loinc: ['8480-6', 'Systolic blood pressure'], unit: 'mm[Hg]', min: 90, max: 190 },
] as const;

const vital: fc.Arbitrary<Resource> = fc
  .record({ id: ids, which: fc.constantFrom(...VITALS), taken: day, share: fc.double({ min: 0, max: 1 }) })
  .map(({ id, which, taken, share }) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      concept(
        [coding('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs', 'Vital Signs')],
        'vitals',
      ),
    ],
    code: concept([coding(LOINC, which.loinc[0], which.loinc[1])], which.loinc[1]),
    subject: { reference: 'Patient/p', display: 'Pat Example' },
    effectiveDateTime: `${taken}T08:00:00Z`,
    performer: [{ reference: 'Practitioner/nurse', display: 'Nurse Example' }],
    valueQuantity: {
      value: Math.round(which.min + share * (which.max - which.min)),
      unit: which.unit,
      system: UCUM,
      code: which.unit,
    },
    note: [{ text: 'taken at clinic' }],
  }));

/** Ids unique within the chart, so references and aliases stay distinct. */
function uniqueIds(resources: readonly Resource[], prefix: string): Resource[] {
  return resources.map((r, i) => ({ ...r, id: `${prefix}${i}-${r.id}` }));
}

export const charts: fc.Arbitrary<Chart> = fc
  .record({
    patient,
    medications: fc.array(medicationRequest('active'), { minLength: 1, maxLength: 3 }),
    conditions: fc.array(condition, { minLength: 1, maxLength: 2 }),
    allergies: fc.array(allergy, { minLength: 1, maxLength: 2 }),
    labs: fc.array(labSeries, { minLength: 1, maxLength: 2 }).map((series) => series.flat()),
    vitals: fc.array(vital, { minLength: 1, maxLength: 3 }),
    drafts: fc.array(medicationRequest('draft'), { minLength: 1, maxLength: 2 }),
  })
  .map((c) => ({
    patient: c.patient,
    medications: uniqueIds(c.medications, 'm'),
    conditions: uniqueIds(c.conditions, 'c'),
    allergies: uniqueIds(c.allergies, 'a'),
    labs: uniqueIds(c.labs, 'l'),
    vitals: uniqueIds(c.vitals, 'v'),
    drafts: uniqueIds(c.drafts, 'd'),
  }));

const searchset = (resources: readonly Resource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});

export type ChartHook = 'patient-view' | 'order-select' | 'order-sign';

/**
 * A request of `hook` carrying the chart: on the order hooks its drafts in the context (order-select selects the
 * first), the rest as prefetch, vital signs under the optional `vitals` key.
 */
export function hookRequest(chart: Chart, hook: ChartHook): Record<string, unknown> {
  const drafts = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: chart.drafts.map((resource) => ({ resource })),
  };
  const first = chart.drafts[0];
  return {
    hook,
    hookInstance: '0b8c6a52-2a0d-4c7e-9a55-3c3b7a1f2d11',
    context: {
      userId: 'Practitioner/dr-1',
      patientId: 'p1',
      ...(hook !== 'patient-view' && { draftOrders: drafts }),
      ...(hook === 'order-select' && first && { selections: [`${first.resourceType}/${first.id}`] }),
    },
    prefetch: {
      patient: chart.patient,
      medications: searchset(chart.medications),
      conditions: searchset(chart.conditions),
      allergies: searchset(chart.allergies),
      labs: searchset(chart.labs),
      vitals: searchset(chart.vitals),
    },
  };
}

/** An order-sign request carrying the chart. */
export function orderSignRequest(chart: Chart): Record<string, unknown> {
  return hookRequest(chart, 'order-sign');
}
