/**
 * Prefetch templates shared by our three services (contract: same keys everywhere). They stay inside the spec's
 * recommended query subset: instance reads, type searches by reference, token equality (a comma between values is
 * FHIR's "or", not a modifier), `_count`, `_sort`. https://cds-hooks.hl7.org/2.0/#prefetch-query-restrictions
 *
 * The history keys cannot ask for "the last five years": 2.0 tokens carry no date arithmetic (`today() - 5 years`
 * is a 3.0-ballot STU feature), so `labHistory` and `vitals` ask for the newest results of a few LOINC codes,
 * newest first, `_count`-bounded. The resolver reads their first page only (`HISTORY_KEYS`): that page is the
 * answer to "the newest N", whatever lies beyond it.
 */
import type { PrefetchKey } from '../src/cds/types.js';
import { ANALYTES } from '../src/clinical/units.js';
import { TREND_ANALYTES } from '../src/clinical/series.js';

const LOINC = 'http://loinc.org';

/** The analytes the longitudinal rules read (src/advisors/rules/checks/trends.ts), every LOINC code of each. */
export const LAB_HISTORY_LOINC: readonly string[] = [
  ...ANALYTES.egfr.loinc,
  ...ANALYTES.creatinine.loinc,
  ...ANALYTES.potassium.loinc,
  ...TREND_ANALYTES.hemoglobin.loinc,
  ...TREND_ANALYTES.hba1c.loinc,
];

/** Body weight (Cockcroft–Gault, children's mg/kg), height, and blood pressure (panel and its two parts). */
export const VITALS_LOINC: readonly string[] = [
  ...ANALYTES.weight.loinc,
  '8302-2', // body height
  '85354-9', // blood pressure panel
  '8480-6', // systolic
  '8462-4', // diastolic
];

/** Enough for five years of monthly panels of every history analyte, and more. */
export const LAB_HISTORY_COUNT = 500;
export const VITALS_COUNT = 100;

const codes = (loinc: readonly string[]): string => loinc.map((code) => `${LOINC}|${code}`).join(',');

export const PREFETCH_TEMPLATES: Readonly<Record<PrefetchKey, string>> = {
  patient: 'Patient/{{context.patientId}}',
  medications: 'MedicationRequest?patient=Patient/{{context.patientId}}&status=active&_count=100',
  conditions:
    'Condition?patient=Patient/{{context.patientId}}&clinical-status=http://terminology.hl7.org/CodeSystem/condition-clinical|active&_count=100',
  allergies: 'AllergyIntolerance?patient=Patient/{{context.patientId}}&_count=100',
  labs: 'Observation?patient=Patient/{{context.patientId}}&category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory&_sort=-date&_count=100',
  labHistory: `Observation?patient=Patient/{{context.patientId}}&code=${codes(LAB_HISTORY_LOINC)}&_sort=-date&_count=${LAB_HISTORY_COUNT}`,
  vitals: `Observation?patient=Patient/{{context.patientId}}&category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs&code=${codes(VITALS_LOINC)}&_sort=-date&_count=${VITALS_COUNT}`,
};

/** Keys whose template asks for the newest N results: their first page is the whole answer. */
export const HISTORY_KEYS: readonly PrefetchKey[] = ['labHistory', 'vitals'];
