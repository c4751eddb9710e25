/**
 * The demo's patients: five synthetic charts, each written so that a chart-open review (`patient-view`) shows
 * what one part of the service does — a drug interaction and an older adult's Beers findings, kidney function
 * against metformin (with years of eGFR, creatinine and HbA1c for trends), a pregnancy with an ACE inhibitor,
 * a penicillin allergy with amoxicillin, and methotrexate ordered daily. Every chart also has vital signs
 * (weight, height, blood pressure). Dates are relative to `now`, so the labs are as recent on any day.
 * Names and identifiers are invented; no real person is described.
 */
import type {
  AllergyIntolerance,
  Condition,
  FhirResource,
  MedicationRequest,
  Observation,
  Patient,
} from 'fhir/r4.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const DAY_MS = 86_400_000;

export interface DemoPatient {
  readonly id: string;
  readonly name: string;
  /** What a chart-open review of this patient shows, in a line. */
  readonly shows: string;
  /** Rule finding kinds a patient-view call must raise on this chart (the demo test holds the charts to it). */
  readonly expectedKinds: readonly string[];
}

export const DEMO_PATIENTS: readonly DemoPatient[] = [
  {
    id: 'demo-ellis',
    name: 'Margaret Ellis, 84',
    shows: 'warfarin with ibuprofen (interaction), zolpidem and an NSAID at 84 (Beers)',
    expectedKinds: ['interaction', 'geriatric'],
  },
  {
    id: 'demo-okafor',
    name: 'James Okafor, 68',
    shows: 'metformin at an eGFR of 24 (kidney function); six years of eGFR, creatinine and HbA1c',
    expectedKinds: ['renal'],
  },
  {
    id: 'demo-marquez',
    name: 'Sofia Marquez, 31',
    shows: 'lisinopril with a positive pregnancy test (pregnancy)',
    expectedKinds: ['pregnancy'],
  },
  {
    id: 'demo-kim',
    name: 'Daniel Kim, 46',
    shows: 'amoxicillin with a high-criticality penicillin allergy (allergy)',
    expectedKinds: ['allergy'],
  },
  {
    id: 'demo-adler',
    name: 'Ruth Adler, 48',
    shows: 'methotrexate 7.5 mg ordered daily instead of weekly (dose)',
    expectedKinds: ['dose'],
  },
];

/** The chart resources of every demo patient, dated relative to `now`. */
export function demoResources(now: Date = new Date()): FhirResource[] {
  const at = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY_MS).toISOString();
  const born = (years: number, monthDay: string): string =>
    `${now.getUTCFullYear() - years - (monthDay > now.toISOString().slice(5, 10) ? 1 : 0)}-${monthDay}`;

  const patient = (
    id: string,
    given: string,
    family: string,
    gender: Patient['gender'],
    birthDate: string,
  ): Patient => ({
    resourceType: 'Patient',
    id,
    identifier: [
      { system: 'https://dev-ehr.cds-advisor.invalid/mrn', value: `MRN-${id.slice(5).toUpperCase()}` },
    ],
    name: [{ use: 'official', family, given: [given] }],
    gender,
    birthDate,
  });
  const ref = (id: string) => ({ reference: `Patient/${id}` });

  const medication = (
    pid: string,
    id: string,
    rxcui: string,
    display: string,
    dosage: NonNullable<MedicationRequest['dosageInstruction']>[number],
    startedDaysAgo: number,
  ): MedicationRequest => ({
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    subject: ref(pid),
    authoredOn: at(startedDaysAgo),
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display }], text: display },
    requester: { reference: 'Practitioner/demo-clinician', display: 'Dr. Demo Clinician' },
    dosageInstruction: [dosage],
  });
  const daily = (text: string, value: number, unit: string, code: string, perDay = 1) => ({
    text,
    timing: { repeat: { frequency: perDay, period: 1, periodUnit: 'd' as const } },
    route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] },
    doseAndRate: [{ doseQuantity: { value, unit, system: UCUM, code } }],
  });

  const condition = (
    pid: string,
    id: string,
    sct: string,
    display: string,
    onsetDaysAgo: number,
  ): Condition => ({
    resourceType: 'Condition',
    id,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
    },
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' },
        ],
      },
    ],
    code: { coding: [{ system: SNOMED, code: sct, display }], text: display },
    subject: ref(pid),
    onsetDateTime: at(onsetDaysAgo),
  });

  const observation = (
    category: 'laboratory' | 'vital-signs',
    pid: string,
    id: string,
    loinc: string,
    display: string,
    daysAgo: number,
    value: Observation['valueQuantity'] | { codeable: Observation['valueCodeableConcept'] },
  ): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: category }] }],
    code: { coding: [{ system: LOINC, code: loinc, display }], text: display },
    subject: ref(pid),
    effectiveDateTime: at(daysAgo),
    ...(value && 'codeable' in value ? { valueCodeableConcept: value.codeable } : { valueQuantity: value }),
  });
  const quantity = (value: number, unit: string, code = unit) => ({ value, unit, system: UCUM, code });

  /** A lab drawn every `everyDays` for `years`, oldest first, its value moving from `from` to `to`. */
  const series = (
    pid: string,
    key: string,
    loinc: string,
    display: string,
    unit: string,
    code: string,
    from: number,
    to: number,
    years: number,
    everyDays: number,
    decimals: number,
  ): Observation[] => {
    const count = Math.floor((years * 365) / everyDays) + 1;
    return Array.from({ length: count }, (_, i) => {
      const daysAgo = (count - 1 - i) * everyDays + 3;
      const value = Number((from + ((to - from) * i) / (count - 1)).toFixed(decimals));
      return observation(
        'laboratory',
        pid,
        `${pid}-${key}-${i}`,
        loinc,
        display,
        daysAgo,
        quantity(value, unit, code),
      );
    });
  };

  /** Weight, height and blood pressure at three visits. */
  const vitals = (pid: string, weightKg: number, heightCm: number, systolic: number, diastolic: number) =>
    [400, 180, 5].flatMap((daysAgo, visit): Observation[] => [
      observation(
        'vital-signs',
        pid,
        `${pid}-wt-${visit}`,
        '29463-7',
        'Body weight',
        daysAgo,
        quantity(weightKg + visit - 1, 'kg'),
      ),
      observation(
        'vital-signs',
        pid,
        `${pid}-ht-${visit}`,
        '8302-2',
        'Body height',
        daysAgo,
        quantity(heightCm, 'cm'),
      ),
      {
        ...observation(
          'vital-signs',
          pid,
          `${pid}-bp-${visit}`,
          '85354-9',
          'Blood pressure panel',
          daysAgo,
          undefined,
        ),
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] },
            valueQuantity: quantity(systolic - 4 + 2 * visit, 'mm[Hg]'),
          },
          {
            code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
            valueQuantity: quantity(diastolic, 'mm[Hg]'),
          },
        ],
      },
    ]);
  const egfr = (pid: string, from: number, to: number, years: number) =>
    series(
      pid,
      'egfr',
      '98979-8',
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)',
      'mL/min/{1.73_m2}',
      'mL/min/{1.73_m2}',
      from,
      to,
      years,
      120,
      0,
    );
  const creatinine = (pid: string, from: number, to: number, years: number) =>
    series(
      pid,
      'cr',
      '2160-0',
      'Creatinine [Mass/volume] in Serum or Plasma',
      'mg/dL',
      'mg/dL',
      from,
      to,
      years,
      120,
      2,
    );
  const hba1c = (pid: string, from: number, to: number, years: number) =>
    series(
      pid,
      'a1c',
      '4548-4',
      'Hemoglobin A1c/Hemoglobin.total in Blood',
      '%',
      '%',
      from,
      to,
      years,
      180,
      1,
    );

  const ellis = 'demo-ellis';
  const okafor = 'demo-okafor';
  const marquez = 'demo-marquez';
  const kim = 'demo-kim';
  const adler = 'demo-adler';

  return [
    // Margaret Ellis: atrial fibrillation on warfarin, ibuprofen for knee pain, zolpidem for sleep.
    patient(ellis, 'Margaret', 'Ellis', 'female', born(84, '03-17')),
    condition(ellis, `${ellis}-af`, '49436004', 'Atrial fibrillation', 2900),
    condition(ellis, `${ellis}-oa`, '239873007', 'Osteoarthritis of knee', 1800),
    condition(ellis, `${ellis}-insomnia`, '193462001', 'Insomnia', 400),
    medication(
      ellis,
      `${ellis}-warfarin`,
      '855332',
      'Warfarin Sodium 5 MG Oral Tablet',
      daily('5 mg once daily', 1, 'tablet', '{tbl}'),
      900,
    ),
    medication(
      ellis,
      `${ellis}-ibuprofen`,
      '197806',
      'Ibuprofen 400 MG Oral Tablet',
      daily('400 mg three times daily', 1, 'tablet', '{tbl}', 3),
      20,
    ),
    medication(
      ellis,
      `${ellis}-zolpidem`,
      '854873',
      'zolpidem tartrate 5 MG Oral Tablet',
      daily('5 mg at bedtime', 1, 'tablet', '{tbl}'),
      120,
    ),
    observation(
      'laboratory',
      ellis,
      `${ellis}-inr`,
      '6301-6',
      'INR in Platelet poor plasma by Coagulation assay',
      6,
      quantity(2.6, '{INR}'),
    ),
    ...egfr(ellis, 64, 52, 4),
    ...creatinine(ellis, 0.86, 1.02, 4),
    ...vitals(ellis, 61, 158, 138, 78),

    // James Okafor: type 2 diabetes with chronic kidney disease progressing over six years, still on metformin.
    patient(okafor, 'James', 'Okafor', 'male', born(68, '09-02')),
    condition(okafor, `${okafor}-t2dm`, '44054006', 'Diabetes mellitus type 2', 4000),
    condition(okafor, `${okafor}-ckd`, '431857002', 'Chronic kidney disease stage 4', 200),
    condition(okafor, `${okafor}-htn`, '38341003', 'Hypertensive disorder', 3000),
    medication(
      okafor,
      `${okafor}-metformin`,
      '861007',
      'Metformin hydrochloride 500 MG Oral Tablet',
      daily('500 mg twice daily', 1, 'tablet', '{tbl}', 2),
      2400,
    ),
    medication(
      okafor,
      `${okafor}-amlodipine`,
      '197361',
      'Amlodipine 5 MG Oral Tablet',
      daily('5 mg once daily', 1, 'tablet', '{tbl}'),
      1500,
    ),
    ...egfr(okafor, 68, 24, 6),
    ...creatinine(okafor, 1.15, 2.75, 6),
    ...hba1c(okafor, 6.8, 8.4, 6),
    ...vitals(okafor, 96, 178, 148, 88),

    // Sofia Marquez: hypertension on lisinopril; a positive urine pregnancy test two days ago.
    patient(marquez, 'Sofia', 'Marquez', 'female', born(31, '06-21')),
    condition(marquez, `${marquez}-htn`, '38341003', 'Hypertensive disorder', 700),
    medication(
      marquez,
      `${marquez}-lisinopril`,
      '314076',
      'lisinopril 10 MG Oral Tablet',
      daily('10 mg once daily', 1, 'tablet', '{tbl}'),
      600,
    ),
    observation(
      'laboratory',
      marquez,
      `${marquez}-hcg`,
      '2106-3',
      'Choriogonadotropin (pregnancy test) [Presence] in Urine',
      2,
      {
        codeable: { coding: [{ system: SNOMED, code: '10828004', display: 'Positive' }], text: 'Positive' },
      },
    ),
    ...creatinine(marquez, 0.7, 0.72, 2),
    ...vitals(marquez, 68, 165, 132, 84),

    // Daniel Kim: anaphylaxis to penicillin on record; amoxicillin started at urgent care.
    patient(kim, 'Daniel', 'Kim', 'male', born(46, '01-27')),
    {
      resourceType: 'AllergyIntolerance',
      id: `${kim}-penicillin`,
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
      code: { coding: [{ system: RXNORM, code: '7980', display: 'Penicillin G' }], text: 'Penicillin' },
      patient: ref(kim),
      recordedDate: at(3000).slice(0, 10),
      reaction: [
        {
          manifestation: [{ coding: [{ system: SNOMED, code: '39579001', display: 'Anaphylaxis' }] }],
          severity: 'severe',
        },
      ],
    } satisfies AllergyIntolerance,
    condition(kim, `${kim}-sinusitis`, '36971009', 'Sinusitis', 3),
    medication(
      kim,
      `${kim}-amoxicillin`,
      '308182',
      'Amoxicillin 500 MG Oral Capsule',
      daily('500 mg three times daily', 1, 'capsule', '{cap}', 3),
      1,
    ),
    ...creatinine(kim, 0.95, 0.98, 2),
    ...vitals(kim, 82, 176, 124, 80),

    // Ruth Adler: rheumatoid arthritis; methotrexate entered as three tablets daily rather than weekly.
    patient(adler, 'Ruth', 'Adler', 'female', born(48, '03-14')),
    condition(adler, `${adler}-ra`, '69896004', 'Rheumatoid arthritis', 1200),
    medication(
      adler,
      `${adler}-methotrexate`,
      '105585',
      'Methotrexate 2.5 MG Oral Tablet',
      daily('3 tablets daily', 3, 'tablet', '{tbl}'),
      2,
    ),
    ...creatinine(adler, 0.78, 0.8, 2),
    ...vitals(adler, 70, 168, 122, 76),
  ];
}
