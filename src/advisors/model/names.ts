/**
 * Our own names for coded things the model is told about, by code: labs (the analytes the rules reason about and
 * the monitoring labs a suggestion may order), common problems (SNOMED CT concepts and ICD-10 categories) and
 * routes of administration. The model gets these words, never the display or text the chart came with; a code
 * with no entry here goes without a name. Drug, allergy-class and rule-condition names come from the rules'
 * knowledge base (`vocabulary.ts`).
 *
 * Sources: SNOMED CT International Edition (concept ids; names are our short forms of the preferred terms),
 * ICD-10-CM Tabular List (category titles), HL7 v3 RouteOfAdministration, LOINC (`monitoringLabs.ts`).
 * A unit test checks every SNOMED CT id's partition and check digit.
 */
import type { Concept, LabResult } from '../../clinical/types.js';
import { SNOMED } from '../../clinical/types.js';
import type { Analyte } from '../../clinical/units.js';
import { MONITORING_LABS } from './monitoringLabs.js';

const ANALYTE_NAMES: Readonly<Record<Analyte, string>> = {
  potassium: 'potassium',
  creatinine: 'creatinine',
  egfr: 'eGFR',
  crcl: 'creatinine clearance',
  inr: 'INR',
  weight: 'body weight',
};

/** A lab by its LOINC code when we list it, else by the analyte the normalizer recognised (coded or not). */
export function labName(lab: LabResult): string | undefined {
  if (lab.loinc !== undefined && Object.hasOwn(MONITORING_LABS, lab.loinc)) return MONITORING_LABS[lab.loinc];
  return lab.analyte ? ANALYTE_NAMES[lab.analyte] : undefined;
}

/** Vital signs by LOINC (the FHIR vital-signs profiles' codes). */
const VITAL_NAMES: Readonly<Record<string, string>> = {
  '29463-7': 'body weight',
  '3141-9': 'body weight (measured)',
  '8302-2': 'body height',
  '39156-5': 'body mass index',
  '85354-9': 'blood pressure panel',
  '8480-6': 'systolic blood pressure',
  '8462-4': 'diastolic blood pressure',
  '8867-4': 'heart rate',
  '9279-1': 'respiratory rate',
  '8310-5': 'body temperature',
  '59408-5': 'oxygen saturation (pulse oximetry)',
  '2708-6': 'oxygen saturation',
};

/** A vital sign by its LOINC code when we list it, else as a lab is named. */
export function vitalName(result: LabResult): string | undefined {
  if (result.loinc !== undefined && Object.hasOwn(VITAL_NAMES, result.loinc))
    return VITAL_NAMES[result.loinc];
  return labName(result);
}

/** Problems that change prescribing, by SNOMED CT concept id. */
export const SNOMED_CONDITIONS: Readonly<Record<string, string>> = {
  '49436004': 'atrial fibrillation',
  '5370000': 'atrial flutter',
  '38341003': 'hypertension',
  '59621000': 'essential hypertension',
  '1201005': 'benign essential hypertension',
  '73211009': 'diabetes mellitus',
  '46635009': 'type 1 diabetes mellitus',
  '44054006': 'type 2 diabetes mellitus',
  '302866003': 'hypoglycemia',
  '709044004': 'chronic kidney disease',
  '431855005': 'chronic kidney disease stage 1',
  '431856006': 'chronic kidney disease stage 2',
  '433144002': 'chronic kidney disease stage 3',
  '700378005': 'chronic kidney disease stage 3A',
  '700379002': 'chronic kidney disease stage 3B',
  '431857002': 'chronic kidney disease stage 4',
  '433146000': 'chronic kidney disease stage 5',
  '714152005': 'chronic kidney disease stage 5 on dialysis',
  '46177005': 'end-stage renal disease',
  '14669001': 'acute kidney injury',
  '84114007': 'heart failure',
  '42343007': 'congestive heart failure',
  '88805009': 'chronic congestive heart failure',
  '22298006': 'myocardial infarction',
  '414545008': 'ischemic heart disease',
  '53741008': 'coronary artery disease',
  '230690007': 'stroke',
  '128053003': 'deep vein thrombosis',
  '59282003': 'pulmonary embolism',
  '111975006': 'prolonged QT interval',
  '48867003': 'bradycardia',
  '3424008': 'tachycardia',
  '195967001': 'asthma',
  '13645005': 'chronic obstructive pulmonary disease',
  '73430006': 'sleep apnea',
  '233604007': 'pneumonia',
  '68566005': 'urinary tract infection',
  '19943007': 'cirrhosis of liver',
  '235856003': 'liver disease',
  '66071002': 'hepatitis B',
  '50711007': 'hepatitis C',
  '86406008': 'HIV infection',
  '13200003': 'peptic ulcer',
  '235595009': 'gastroesophageal reflux disease',
  '77386006': 'pregnancy',
  '84757009': 'epilepsy',
  '37796009': 'migraine',
  '26929004': "Alzheimer's disease",
  '49049000': "Parkinson's disease",
  '24700007': 'multiple sclerosis',
  '91637004': 'myasthenia gravis',
  '35489007': 'depression',
  '13746004': 'bipolar disorder',
  '58214004': 'schizophrenia',
  '197480006': 'anxiety disorder',
  '40930008': 'hypothyroidism',
  '34486009': 'hyperthyroidism',
  '55822004': 'hyperlipidemia',
  '13644009': 'hypercholesterolemia',
  '414916001': 'obesity',
  '14140009': 'hyperkalemia',
  '43339004': 'hypokalemia',
  '89627008': 'hyponatremia',
  '271737000': 'anemia',
  '69896004': 'rheumatoid arthritis',
  '396275006': 'osteoarthritis',
  '64859006': 'osteoporosis',
  '90560007': 'gout',
  '9014002': 'psoriasis',
  '43116000': 'eczema',
  '363346000': 'cancer',
};

/** The same problems by ICD-10(-CM) category, the code's first three characters. */
export const ICD10_CATEGORIES: Readonly<Record<string, string>> = {
  I48: 'atrial fibrillation and flutter',
  I10: 'essential hypertension',
  I11: 'hypertensive heart disease',
  I12: 'hypertensive chronic kidney disease',
  E10: 'type 1 diabetes mellitus',
  E11: 'type 2 diabetes mellitus',
  N17: 'acute kidney failure',
  N18: 'chronic kidney disease',
  I50: 'heart failure',
  I21: 'acute myocardial infarction',
  I25: 'chronic ischemic heart disease',
  I63: 'cerebral infarction',
  I26: 'pulmonary embolism',
  J45: 'asthma',
  J44: 'chronic obstructive pulmonary disease',
  K70: 'alcoholic liver disease',
  K74: 'fibrosis and cirrhosis of liver',
  K21: 'gastro-esophageal reflux disease',
  K27: 'peptic ulcer',
  B18: 'chronic viral hepatitis',
  B20: 'HIV disease',
  Z33: 'pregnant state',
  G40: 'epilepsy',
  G43: 'migraine',
  G20: "Parkinson's disease",
  G30: "Alzheimer's disease",
  G35: 'multiple sclerosis',
  F31: 'bipolar disorder',
  F32: 'depressive episode',
  F33: 'recurrent depressive disorder',
  F20: 'schizophrenia',
  E03: 'hypothyroidism',
  E05: 'thyrotoxicosis',
  E66: 'overweight and obesity',
  E78: 'disorders of lipoprotein metabolism',
  M05: 'rheumatoid arthritis',
  M06: 'rheumatoid arthritis',
  M10: 'gout',
  M81: 'osteoporosis',
  L40: 'psoriasis',
};

const ICD10_SYSTEMS = new Set(['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10']);

/** Our name for a problem's concept, by its first coding we have a name for. */
export function conditionNameByCode(concept: Concept): string | undefined {
  for (const c of concept.codings) {
    if (c.code === undefined) continue;
    if (c.system === SNOMED && Object.hasOwn(SNOMED_CONDITIONS, c.code)) return SNOMED_CONDITIONS[c.code];
    const category = c.code.slice(0, 3).toUpperCase();
    if (c.system && ICD10_SYSTEMS.has(c.system) && Object.hasOwn(ICD10_CATEGORIES, category))
      return ICD10_CATEGORIES[category];
  }
  return undefined;
}

/** Routes of administration, by SNOMED CT concept id (the R4 example value set `route-codes`). */
const SNOMED_ROUTES: Readonly<Record<string, string>> = {
  '26643006': 'oral',
  '37839007': 'sublingual',
  '47625008': 'intravenous',
  '78421000': 'intramuscular',
  '34206005': 'subcutaneous',
  '6064005': 'topical',
  '45890007': 'transdermal',
  '37161004': 'rectal',
  '16857009': 'vaginal',
  '46713006': 'nasal',
  '447694001': 'inhalation',
  '54485002': 'ophthalmic',
  '10547007': 'otic',
  '127490009': 'gastrostomy tube',
  '127492001': 'nasogastric tube',
};

/** The same routes in HL7 v3 RouteOfAdministration. */
const V3_ROUTES: Readonly<Record<string, string>> = {
  PO: 'oral',
  CHEW: 'oral',
  SL: 'sublingual',
  IV: 'intravenous',
  IVINJ: 'intravenous',
  IM: 'intramuscular',
  SQ: 'subcutaneous',
  TOPICAL: 'topical',
  TRNSDERM: 'transdermal',
  TRNSDERMD: 'transdermal',
  PR: 'rectal',
  RECTAL: 'rectal',
  VAGINSI: 'vaginal',
  NASAL: 'nasal',
  NASINHL: 'inhalation',
  IPINHL: 'inhalation',
  NEB: 'inhalation',
  OPTHALTA: 'ophthalmic',
  OT: 'otic',
  GT: 'gastrostomy tube',
  NGT: 'nasogastric tube',
};

const V3_ROUTE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration';

/** Our name for a route concept, by its first coding we have a name for. */
export function routeName(route: Concept): string | undefined {
  for (const c of route.codings) {
    if (c.code === undefined) continue;
    if (c.system === SNOMED && Object.hasOwn(SNOMED_ROUTES, c.code)) return SNOMED_ROUTES[c.code];
    if (c.system === V3_ROUTE_SYSTEM && Object.hasOwn(V3_ROUTES, c.code)) return V3_ROUTES[c.code];
  }
  return undefined;
}

/** Every SNOMED CT id in these tables (for the check-digit test). */
export const SNOMED_IDS: readonly string[] = [
  ...Object.keys(SNOMED_CONDITIONS),
  ...Object.keys(SNOMED_ROUTES),
];
