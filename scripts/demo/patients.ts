/**
 * The demo's patients: five synthetic charts, each written so that a chart-open review (`patient-view`) shows
 * what one part of the service does — a drug interaction and an older adult's Beers findings, kidney function
 * against metformin (with years of eGFR, creatinine and HbA1c for trends), a pregnancy with an ACE inhibitor,
 * a penicillin allergy with amoxicillin, and methotrexate ordered daily. Every chart also has vital signs
 * (weight, height, blood pressure). Dates are relative to `now`, so the labs are as recent on any day. The
 * resources come from the scripts' synthetic-FHIR builder (`../lib/synthFhir.ts`).
 * Names and identifiers are invented; no real person is described.
 */
import { DEMO_CLINICIAN_ID } from './chartOpen.js';
import type { FhirResource } from 'fhir/r4.js';
import {
  type DoseSpec,
  type ObsSpec,
  type Requester,
  allergyIntolerance,
  condition as conditionResource,
  medicationRequest,
  observation as observationResource,
  patientResource,
} from '../lib/synthFhir.js';

const DEMO_CLINICIAN: Requester = { reference: DEMO_CLINICIAN_ID, display: 'Dr. Demo Clinician' };

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
  const nowIso = now.toISOString();
  const born = (years: number, monthDay: string): string =>
    `${now.getUTCFullYear() - years - (monthDay > nowIso.slice(5, 10) ? 1 : 0)}-${monthDay}`;
  // The builders return plain FHIR JSON; the demo server loads it as R4 resources.
  const fhir = (resource: object): FhirResource => resource as FhirResource;

  const patient = (
    id: string,
    given: string,
    family: string,
    gender: 'female' | 'male',
    birthDate: string,
  ): FhirResource =>
    fhir(
      patientResource({
        id,
        given,
        family,
        nameUse: 'official',
        gender,
        birthDate,
        identifier: {
          system: 'https://dev-ehr.cds-advisor.invalid/mrn',
          value: `MRN-${id.slice(5).toUpperCase()}`,
        },
      }),
    );

  const medication = (
    pid: string,
    id: string,
    rxcui: string,
    display: string,
    dosage: { sig: string; dose: DoseSpec },
    startedDaysAgo: number,
  ): FhirResource =>
    fhir(
      medicationRequest(
        { id, rxcui, text: display, ...dosage, authoredDaysAgo: startedDaysAgo },
        pid,
        nowIso,
        false,
        DEMO_CLINICIAN,
      ),
    );
  const daily = (sig: string, value: number, unit: DoseSpec['unit'], perDay = 1) => ({
    sig,
    dose: { value, unit, frequency: perDay, untyped: true },
  });

  const condition = (
    pid: string,
    id: string,
    snomed: string,
    text: string,
    onsetDaysAgo: number,
  ): FhirResource => fhir(conditionResource({ id, text, snomed, onsetDaysAgo }, pid, nowIso));

  const observation = (
    category: 'laboratory' | 'vital-signs',
    pid: string,
    id: string,
    loinc: string,
    text: string,
    daysAgo: number,
    value: Pick<ObsSpec, 'value' | 'unit' | 'answer' | 'components'>,
  ): FhirResource => fhir(observationResource({ category, id, loinc, text, daysAgo, ...value }, pid, nowIso));
  const quantity = (value: number, unit: string) => ({ value, unit });

  /** A lab drawn every `everyDays` for `years`, oldest first, its value moving from `from` to `to`. */
  const series = (
    pid: string,
    key: string,
    loinc: string,
    display: string,
    unit: string,
    from: number,
    to: number,
    years: number,
    everyDays: number,
    decimals: number,
  ): FhirResource[] => {
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
        quantity(value, unit),
      );
    });
  };

  /** Weight, height and blood pressure at three visits. */
  const vitals = (pid: string, weightKg: number, heightCm: number, systolic: number, diastolic: number) =>
    [400, 180, 5].flatMap((daysAgo, visit): FhirResource[] => [
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
      observation('vital-signs', pid, `${pid}-bp-${visit}`, '85354-9', 'Blood pressure panel', daysAgo, {
        components: [
          {
            loinc: '8480-6',
            text: 'Systolic blood pressure',
            ...quantity(systolic - 4 + 2 * visit, 'mm[Hg]'),
          },
          { loinc: '8462-4', text: 'Diastolic blood pressure', ...quantity(diastolic, 'mm[Hg]') },
        ],
      }),
    ]);
  const egfr = (pid: string, from: number, to: number, years: number) =>
    series(
      pid,
      'egfr',
      '98979-8',
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)',
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
      from,
      to,
      years,
      120,
      2,
    );
  const hba1c = (pid: string, from: number, to: number, years: number) =>
    series(pid, 'a1c', '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', from, to, years, 180, 1);

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
      daily('5 mg once daily', 1, '{tbl}'),
      900,
    ),
    medication(
      ellis,
      `${ellis}-ibuprofen`,
      '197806',
      'Ibuprofen 400 MG Oral Tablet',
      daily('400 mg three times daily', 1, '{tbl}', 3),
      20,
    ),
    medication(
      ellis,
      `${ellis}-zolpidem`,
      '854873',
      'zolpidem tartrate 5 MG Oral Tablet',
      daily('5 mg at bedtime', 1, '{tbl}'),
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
      daily('500 mg twice daily', 1, '{tbl}', 2),
      2400,
    ),
    medication(
      okafor,
      `${okafor}-amlodipine`,
      '197361',
      'Amlodipine 5 MG Oral Tablet',
      daily('5 mg once daily', 1, '{tbl}'),
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
      daily('10 mg once daily', 1, '{tbl}'),
      600,
    ),
    observation(
      'laboratory',
      marquez,
      `${marquez}-hcg`,
      '2106-3',
      'Choriogonadotropin (pregnancy test) [Presence] in Urine',
      2,
      { answer: ['10828004', 'Positive'] },
    ),
    ...creatinine(marquez, 0.7, 0.72, 2),
    ...vitals(marquez, 68, 165, 132, 84),

    // Daniel Kim: anaphylaxis to penicillin on record; amoxicillin started at urgent care.
    patient(kim, 'Daniel', 'Kim', 'male', born(46, '01-27')),
    fhir(
      allergyIntolerance(
        {
          id: `${kim}-penicillin`,
          text: 'Penicillin',
          rxcui: '7980',
          display: 'Penicillin G',
          criticality: 'high',
          reactions: [['Anaphylaxis', '39579001']],
          codedReactions: true,
          reactionSeverity: 'severe',
          recordedDaysAgo: 3000,
        },
        kim,
        nowIso,
      ),
    ),
    condition(kim, `${kim}-sinusitis`, '36971009', 'Sinusitis', 3),
    medication(
      kim,
      `${kim}-amoxicillin`,
      '308182',
      'Amoxicillin 500 MG Oral Capsule',
      daily('500 mg three times daily', 1, '{cap}', 3),
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
      daily('3 tablets daily', 3, '{tbl}'),
      2,
    ),
    ...creatinine(adler, 0.78, 0.8, 2),
    ...vitals(adler, 70, 168, 122, 76),
  ];
}
