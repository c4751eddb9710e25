/**
 * The ground-truth charts and what a clinician reviewing each expects (and expects NOT) to be told, with the
 * source each expectation rests on. Written from the guidelines and labels named, not from the rules' output.
 * `npm run eval:scenarios` writes them to `eval/scenarios/` as FHIR requests and expectation files.
 */
import type { Chart, ChartLab, Drug } from './chart.js';
import type { Expectations } from './groundTruth.js';

export const NOW = '2026-12-01T09:00:00Z';
export const REVIEWED_BY =
  'written from the cited guideline or label (2026-12); awaiting sign-off by the clinical safety committee';

// RxNorm ingredients (display = ingredient, text = the product a clinician sees).
const D = {
  warfarin: ['warfarin', '11289', 'Warfarin Sodium 5 MG Oral Tablet'],
  ibuprofen: ['ibuprofen', '5640', 'Ibuprofen 400 MG Oral Tablet'],
  lisinopril: ['lisinopril', '29046', 'Lisinopril 20 MG Oral Tablet'],
  spironolactone: ['spironolactone', '9997', 'Spironolactone 25 MG Oral Tablet'],
  metformin: ['metformin', '6809', 'Metformin hydrochloride 1000 MG Oral Tablet'],
  amoxicillin: ['amoxicillin', '723', 'Amoxicillin 500 MG Oral Capsule'],
  simvastatin: ['simvastatin', '36567', 'Simvastatin 40 MG Oral Tablet'],
  clarithromycin: ['clarithromycin', '21212', 'Clarithromycin 500 MG Oral Tablet'],
  sertraline: ['sertraline', '36437', 'Sertraline 50 MG Oral Tablet'],
  citalopram: ['citalopram', '2556', 'Citalopram 20 MG Oral Tablet'],
  amlodipine: ['amlodipine', '17767', 'Amlodipine 5 MG Oral Tablet'],
  atorvastatin: ['atorvastatin', '83367', 'Atorvastatin 20 MG Oral Tablet'],
  acetaminophen: ['acetaminophen', '161', 'Acetaminophen 500 MG Oral Tablet'],
  apixaban: ['apixaban', '1364430', 'Apixaban 5 MG Oral Tablet'],
  lithium: ['lithium carbonate', '42351', 'Lithium Carbonate 300 MG Oral Capsule'],
  methotrexate: ['methotrexate', '6851', 'Methotrexate 2.5 MG Oral Tablet'],
  empagliflozin: ['empagliflozin', '1545653', 'Empagliflozin 10 MG Oral Tablet'],
  hydrochlorothiazide: ['hydrochlorothiazide', '5487', 'Hydrochlorothiazide 25 MG Oral Tablet'],
  tramadol: ['tramadol', '10689', 'Tramadol Hydrochloride 50 MG Oral Tablet'],
  gabapentin: ['gabapentin', '25480', 'Gabapentin 300 MG Oral Capsule'],
  nitrofurantoin: ['nitrofurantoin', '7454', 'Nitrofurantoin 100 MG Oral Capsule'],
  cephalexin: ['cephalexin', '2231', 'Cephalexin 500 MG Oral Capsule'],
  cefazolin: ['cefazolin', '2180', 'Cefazolin 1 GM Injection'],
  clopidogrel: ['clopidogrel', '32968', 'Clopidogrel 75 MG Oral Tablet'],
  omeprazole: ['omeprazole', '7646', 'Omeprazole 20 MG Delayed Release Oral Capsule'],
  pantoprazole: ['pantoprazole', '40790', 'Pantoprazole 40 MG Delayed Release Oral Tablet'],
  cotrimoxazole: [
    'Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet',
    '198335',
    'Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet',
  ],
  digoxin: ['digoxin', '3407', 'Digoxin 0.125 MG Oral Tablet'],
  amiodarone: ['amiodarone', '703', 'Amiodarone 200 MG Oral Tablet'],
  diphenhydramine: ['diphenhydramine', '3498', 'Diphenhydramine Hydrochloride 25 MG Oral Tablet'],
  clonazepam: ['clonazepam', '2598', 'Clonazepam 0.5 MG Oral Tablet'],
  oxycodone: ['oxycodone', '7804', 'Oxycodone Hydrochloride 5 MG Oral Tablet'],
  levothyroxine: ['levothyroxine', '10582', 'Levothyroxine Sodium 0.1 MG Oral Tablet'],
  aspirin: ['aspirin', '1191', 'Aspirin 81 MG Oral Tablet'],
  azithromycin: ['azithromycin', '18631', 'Azithromycin 250 MG Oral Tablet'],
} satisfies Record<string, Drug>;

const C = {
  t2dm: ['Type 2 diabetes mellitus', 'E11.9'],
  ckd3: ['Chronic kidney disease stage 3', 'N18.30'],
  ckd4: ['Chronic kidney disease stage 4', 'N18.4'],
  htn: ['Essential hypertension', 'I10'],
  af: ['Atrial fibrillation', 'I48.91'],
  ra: ['Rheumatoid arthritis', 'M06.9'],
  bipolar: ['Bipolar disorder', 'F31.9'],
  pregnancy: ['Normal pregnancy', 'Z34.90'],
  hypothyroid: ['Hypothyroidism', 'E03.9'],
  hf: ['Heart failure', 'I50.9'],
  oa: ['Osteoarthritis of knee', 'M17.9'],
  uti: ['Urinary tract infection', 'N39.0'],
  depression: ['Major depression, single episode', 'F32.9'],
  pain: ['Chronic pain', 'G89.29'],
  otitis: ['Acute otitis media', 'H66.90'],
  cad: ['Coronary arteriosclerosis', 'I25.10'],
  hyperlipidemia: ['Hyperlipidemia', 'E78.5'],
  pneumonia: ['Community acquired pneumonia', 'J18.9'],
  insomnia: ['Insomnia', 'G47.00'],
} satisfies Record<string, readonly [string, string]>;

const lab =
  (loinc: string, display: string, unit: string) =>
  (...values: (readonly [number, number])[]): ChartLab => ({ loinc, display, unit, values });
const L = {
  egfr: lab(
    '98979-8',
    'Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI 2021)',
    'mL/min/{1.73_m2}',
  ),
  creatinine: lab('14682-9', 'Creatinine [Moles/volume] in Serum or Plasma', 'umol/L'),
  potassium: lab('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L'),
  hba1c: lab('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%'),
  hemoglobin: lab('718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL'),
  sodium: lab('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L'),
  alt: lab('1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L'),
  lithium: lab('14334-7', 'Lithium [Moles/volume] in Serum or Plasma', 'mmol/L'),
  uacr: lab('9318-7', 'Albumin/Creatinine [Mass Ratio] in Urine', 'mg/g'),
  tsh: lab('3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma', 'm[IU]/L'),
  inr: lab('6301-6', 'INR in Platelet poor plasma by Coagulation assay', '{INR}'),
};

const SRC = {
  warfarinLabel:
    'Warfarin (Coumadin) prescribing information §7 Drug interactions (NSAIDs: bleeding risk); CHEST 2012 antithrombotic guideline',
  spiroLabel:
    'Spironolactone (Aldactone) prescribing information §5.1 Hyperkalemia (with ACE inhibitors); 2022 AHA/ACC/HFSA heart failure guideline §7.3.4',
  metforminFda:
    'FDA Drug Safety Communication 2016: metformin contraindicated below eGFR 30 mL/min/1.73 m²; metformin prescribing information §4',
  allergyPractice:
    'AAAAI/ACAAI Drug allergy: a 2022 practice parameter update (Khan et al., J Allergy Clin Immunol 2022), penicillin and cephalosporin sections',
  simvaLabel:
    'Simvastatin (Zocor) prescribing information §4, §7: strong CYP3A4 inhibitors (clarithromycin) contraindicated',
  ssriDup:
    'NICE CG90 Depression in adults; sertraline and citalopram prescribing information (serotonin syndrome with other serotonergic drugs)',
  atorvaLabel:
    'Atorvastatin (Lipitor) prescribing information §7: no dose limit with amlodipine (unlike simvastatin)',
  apapLabel: 'Acetaminophen OTC monograph: 4 g/day maximum in adults without liver disease',
  kdigoCkd:
    'KDIGO 2012 CKD guideline rec 2.1.3 (drop in GFR category with ≥25 % fall = certain drift; >5 mL/min/1.73 m²/year = rapid progression); KDIGO 2024 CKD guideline',
  kdigoAki:
    'KDIGO 2012 AKI guideline §2.1: creatinine rise ≥26.5 µmol/L in 48 h or ≥1.5× baseline within 7 days',
  raasK:
    'KDIGO 2024 CKD guideline rec 3.6 (monitor potassium on RAS inhibitors); lisinopril prescribing information §5.5 Hyperkalemia',
  apixabanBleed:
    'Apixaban (Eliquis) prescribing information §5.2 Bleeding risk; EHRA 2021 practical guide on NOACs (haemoglobin monitoring)',
  adaDx: 'ADA Standards of Care in Diabetes 2025 §2 Diagnosis: HbA1c ≥ 6.5 % (confirmed) diagnoses diabetes',
  niceLithium:
    'NICE CG185 Bipolar disorder §1.10: lithium levels every 3 months in year one, then every 6 months',
  acrMtx:
    'ACR 2021 RA guideline / BSR 2017 DMARD monitoring: FBC, LFT and creatinine every 12 weeks on stable methotrexate',
  kdigoDmCkd:
    'KDIGO 2022 Diabetes in CKD guideline rec 1.3.1: SGLT2 inhibitor for T2D with CKD and eGFR ≥ 20; ADA Standards 2025 §11',
  beersHypoNa:
    'AGS Beers Criteria 2023: SSRIs and diuretics — use with caution, may cause or exacerbate SIADH/hyponatremia; check sodium',
  statinLiver:
    'Atorvastatin prescribing information §5.2 Hepatic dysfunction: ALT > 3× ULN warrants evaluation',
  aapAom: 'AAP 2013 Acute otitis media guideline: amoxicillin 80–90 mg/kg/day first line',
  fdaTramadol:
    'FDA Drug Safety Communication 2017: tramadol and codeine contraindicated in children under 12',
  aceiPregnancy:
    'Lisinopril prescribing information boxed warning: fetal toxicity; ACOG Practice Bulletin 203 (2019)',
  acogAmox: 'ACOG / CDC: amoxicillin is compatible with pregnancy (first-line for UTI and otitis)',
  gabaRenal:
    'Gabapentin (Neurontin) prescribing information §2.4: dose by creatinine clearance (15–29 mL/min: 200–700 mg/day)',
  beersNitro: 'AGS Beers Criteria 2023: avoid nitrofurantoin with CrCl < 30 mL/min',
  clopiLabel:
    'Clopidogrel (Plavix) prescribing information §5.1, §7: avoid omeprazole/esomeprazole (CYP2C19); pantoprazole acceptable',
  mtxTmp:
    'Methotrexate prescribing information §7: trimethoprim-sulfamethoxazole increases bone-marrow toxicity',
  amioDig: 'Amiodarone (Pacerone) prescribing information §7: digoxin levels rise; halve the digoxin dose',
  beersAntichol:
    'AGS Beers Criteria 2023: avoid first-generation antihistamines (diphenhydramine) in older adults',
  fdaOpioidBenzo:
    'FDA boxed warning 2016: opioids with benzodiazepines (profound sedation, respiratory depression); AGS Beers Criteria 2023',
  lithiumNsaid: 'Lithium prescribing information §7: NSAIDs raise lithium levels; monitor levels',
  ataThyroid: 'ATA 2014 hypothyroidism guideline: stable on levothyroxine with TSH in range needs no change',
  idsaCap:
    'ATS/IDSA 2019 CAP guideline: macrolide monotherapy acceptable in healthy outpatients with low local resistance',
  spiroRenal:
    'Spironolactone prescribing information §2.2 (heart failure: eGFR 30–50, start 25 mg every other day) and §8.6 renal impairment',
  beersNsaid:
    'AGS Beers Criteria 2023: avoid chronic NSAID use in older adults (GI bleeding, kidney injury), especially with ACE inhibitors or reduced kidney function',
  hyperK:
    'Spironolactone prescribing information §5.1: hyperkalemia, potassium > 5.0 on therapy calls for dose review; KDIGO 2024 CKD rec 3.6',
  beersEgfrDoac:
    'Apixaban prescribing information §2.2 (2.5 mg twice daily with two of: age ≥ 80, weight ≤ 60 kg, creatinine ≥ 1.5 mg/dL)',
};

export interface ScenarioSpec {
  readonly chart: Omit<Chart, 'now'>;
  readonly expect: Omit<Expectations, 'now' | 'reviewedBy'>;
}

const quiet = (why: string, source: string) => ({ about: [], why, source });

export const SCENARIO_SPECS: readonly ScenarioSpec[] = [
  // ---- Order checks: drug-drug, drug-allergy, drug-condition, renal dosing
  {
    chart: {
      name: 'warfarin-ibuprofen',
      hook: 'order-sign',
      sex: 'female',
      age: 72,
      race: 'White',
      meds: [D.warfarin],
      drafts: [D.ibuprofen],
      conditions: [C.af, C.oa],
      labs: [L.egfr([30, 68]), L.inr([14, 2.6])],
    },
    expect: {
      description: 'Warfarin for AF; ibuprofen ordered for knee pain.',
      expected: [
        {
          kind: 'interaction',
          severity: 'critical',
          about: ['warfarin', 'ibuprofen'],
          source: SRC.warfarinLabel,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'lisinopril-spironolactone-k54',
      hook: 'order-sign',
      sex: 'male',
      age: 68,
      race: 'Black or African American',
      meds: [D.lisinopril],
      drafts: [D.spironolactone],
      conditions: [C.hf, C.ckd3],
      labs: [L.egfr([20, 48]), L.potassium([20, 5.4])],
    },
    expect: {
      description: 'Heart failure on lisinopril, potassium 5.4; spironolactone ordered.',
      expected: [
        {
          kind: ['interaction', 'contraindication', 'monitoring'],
          severity: 'warning',
          about: ['spironolactone', ['potassium', 'lisinopril', 'hyperkal']],
          source: SRC.spiroLabel,
        },
      ],
      acceptable: [{ kind: 'dose', severity: 'info', about: ['spironolactone'], source: SRC.spiroRenal }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'metformin-egfr24',
      hook: 'order-select',
      sex: 'female',
      age: 81,
      meds: [D.amlodipine],
      drafts: [D.metformin],
      conditions: [C.t2dm, C.ckd4, C.htn],
      labs: [L.egfr([12, 24])],
    },
    expect: {
      description: 'New metformin with eGFR 24.',
      expected: [
        {
          kind: ['dose', 'contraindication'],
          severity: 'critical',
          about: ['metformin'],
          source: SRC.metforminFda,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'child-amoxicillin-allergy',
      hook: 'order-sign',
      sex: 'male',
      age: 9,
      drafts: [D.amoxicillin],
      conditions: [C.otitis],
      allergies: [['amoxicillin', '723']],
      weightKg: 30,
    },
    expect: {
      description: 'Child with a confirmed amoxicillin allergy; amoxicillin ordered for otitis.',
      expected: [
        { kind: 'allergy', severity: 'critical', about: ['amoxicillin'], source: SRC.allergyPractice },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'simvastatin-clarithromycin',
      hook: 'order-select',
      sex: 'male',
      age: 58,
      ethnicity: 'Hispanic or Latino',
      meds: [D.simvastatin],
      drafts: [D.clarithromycin],
      conditions: [C.hyperlipidemia, C.pneumonia],
      labs: [L.egfr([40, 85])],
    },
    expect: {
      description: 'On simvastatin 40 mg; clarithromycin ordered for pneumonia.',
      expected: [
        {
          kind: 'interaction',
          severity: 'critical',
          about: ['simvastatin', 'clarithromycin'],
          source: SRC.simvaLabel,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'sertraline-citalopram',
      hook: 'order-sign',
      sex: 'female',
      age: 34,
      meds: [D.sertraline],
      drafts: [D.citalopram],
      conditions: [C.depression],
    },
    expect: {
      description: 'On sertraline; citalopram ordered (switch not documented).',
      expected: [
        {
          kind: ['duplication', 'interaction'],
          severity: 'warning',
          about: ['sertraline', 'citalopram'],
          source: SRC.ssriDup,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'amlodipine-atorvastatin-quiet',
      hook: 'order-sign',
      sex: 'female',
      age: 50,
      race: 'Asian',
      meds: [D.amlodipine],
      drafts: [D.atorvastatin],
      conditions: [C.htn, C.hyperlipidemia],
      labs: [L.egfr([60, 92])],
    },
    expect: {
      description: 'Atorvastatin 20 mg added to amlodipine: no dose limit applies.',
      expected: [],
      silences: [
        {
          kind: 'interaction',
          about: ['amlodipine', 'atorvastatin'],
          why: 'no clinically significant interaction at this dose',
          source: SRC.atorvaLabel,
        },
      ],
    },
  },
  {
    chart: {
      name: 'acetaminophen-healthy-quiet',
      hook: 'order-sign',
      sex: 'male',
      age: 30,
      drafts: [D.acetaminophen],
    },
    expect: {
      description: 'Healthy adult, acetaminophen 500 mg as needed.',
      expected: [],
      silences: [quiet('nothing to warn about', SRC.apapLabel)],
    },
  },
  {
    chart: {
      name: 'child-tramadol',
      hook: 'order-sign',
      sex: 'male',
      age: 10,
      drafts: [D.tramadol],
      weightKg: 32,
    },
    expect: {
      description: 'Ten-year-old after a fracture; tramadol ordered.',
      expected: [
        {
          kind: ['contraindication', 'dose'],
          severity: 'critical',
          about: ['tramadol'],
          source: SRC.fdaTramadol,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'child-amoxicillin-quiet',
      hook: 'order-sign',
      sex: 'female',
      age: 6,
      drafts: [D.amoxicillin],
      conditions: [C.otitis],
      weightKg: 21,
    },
    expect: {
      description: 'Six-year-old with otitis media, no allergies; amoxicillin ordered.',
      expected: [],
      silences: [quiet('first-line therapy, nothing to warn about', SRC.aapAom)],
    },
  },
  {
    chart: {
      name: 'adolescent-azithromycin-quiet',
      hook: 'order-sign',
      sex: 'female',
      age: 16,
      drafts: [D.azithromycin],
      conditions: [C.pneumonia],
    },
    expect: {
      description: 'Healthy sixteen-year-old with CAP; azithromycin ordered.',
      expected: [],
      silences: [quiet('appropriate therapy, no interactions', SRC.idsaCap)],
    },
  },
  {
    chart: {
      name: 'pregnancy-lisinopril',
      hook: 'order-sign',
      sex: 'female',
      age: 29,
      race: 'Black or African American',
      drafts: [D.lisinopril],
      conditions: [C.pregnancy, C.htn],
    },
    expect: {
      description: 'Pregnant, hypertensive; lisinopril ordered.',
      expected: [
        { kind: 'contraindication', severity: 'critical', about: ['lisinopril'], source: SRC.aceiPregnancy },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'pregnancy-amoxicillin-quiet',
      hook: 'order-sign',
      sex: 'female',
      age: 31,
      drafts: [D.amoxicillin],
      conditions: [C.pregnancy, C.uti],
    },
    expect: {
      description: 'Pregnant with a UTI; amoxicillin ordered.',
      expected: [],
      silences: [quiet('compatible with pregnancy, nothing to warn about', SRC.acogAmox)],
    },
  },
  {
    chart: {
      name: 'gabapentin-egfr22',
      hook: 'order-select',
      sex: 'male',
      age: 77,
      meds: [D.amlodipine],
      drafts: [D.gabapentin],
      conditions: [C.ckd4, C.pain],
      labs: [L.egfr([15, 22])],
      weightKg: 70,
    },
    expect: {
      description: 'Gabapentin 300 mg three times daily with eGFR 22.',
      expected: [{ kind: 'dose', severity: 'warning', about: ['gabapentin'], source: SRC.gabaRenal }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'nitrofurantoin-egfr25',
      hook: 'order-sign',
      sex: 'female',
      age: 84,
      drafts: [D.nitrofurantoin],
      conditions: [C.uti, C.ckd4],
      labs: [L.egfr([10, 25])],
      weightKg: 55,
    },
    expect: {
      description: 'Eighty-four-year-old with a UTI and eGFR 25; nitrofurantoin ordered.',
      expected: [
        {
          kind: ['dose', 'contraindication'],
          severity: 'warning',
          about: ['nitrofurantoin'],
          source: SRC.beersNitro,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'amoxicillin-allergy-cephalexin',
      hook: 'order-sign',
      sex: 'female',
      age: 45,
      drafts: [D.cephalexin],
      conditions: [C.uti],
      allergies: [['amoxicillin', '723']],
    },
    expect: {
      description: 'Amoxicillin allergy; cephalexin (shared R1 side chain) ordered.',
      expected: [
        { kind: 'allergy', severity: 'warning', about: ['cephalexin'], source: SRC.allergyPractice },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'amoxicillin-allergy-cefazolin-quiet',
      hook: 'order-sign',
      sex: 'male',
      age: 60,
      drafts: [D.cefazolin],
      allergies: [['amoxicillin', '723']],
    },
    expect: {
      description: 'Amoxicillin allergy; cefazolin for surgical prophylaxis (dissimilar side chain).',
      expected: [],
      acceptable: [{ kind: 'allergy', severity: 'info', about: ['cefazolin'], source: SRC.allergyPractice }],
      silences: [
        {
          kind: 'allergy',
          about: ['cefazolin'],
          severities: ['warning', 'critical'],
          why: 'the practice parameter says give cefazolin without testing: more than an info note is over-alerting',
          source: SRC.allergyPractice,
        },
      ],
    },
  },
  {
    chart: {
      name: 'clopidogrel-omeprazole',
      hook: 'order-sign',
      sex: 'male',
      age: 64,
      race: 'Asian',
      meds: [D.clopidogrel, D.aspirin],
      drafts: [D.omeprazole],
      conditions: [C.cad],
    },
    expect: {
      description: 'On clopidogrel after a stent; omeprazole ordered.',
      expected: [
        {
          kind: 'interaction',
          severity: 'warning',
          about: ['clopidogrel', 'omeprazole'],
          source: SRC.clopiLabel,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'clopidogrel-pantoprazole-quiet',
      hook: 'order-sign',
      sex: 'female',
      age: 70,
      meds: [D.clopidogrel],
      drafts: [D.pantoprazole],
      conditions: [C.cad],
    },
    expect: {
      description: 'On clopidogrel; pantoprazole ordered.',
      expected: [],
      silences: [
        {
          kind: 'interaction',
          about: ['clopidogrel', 'pantoprazole'],
          why: 'pantoprazole is the PPI the label accepts',
          source: SRC.clopiLabel,
        },
      ],
    },
  },
  {
    chart: {
      name: 'methotrexate-cotrimoxazole',
      hook: 'order-sign',
      sex: 'female',
      age: 56,
      ethnicity: 'Hispanic or Latino',
      meds: [D.methotrexate],
      drafts: [D.cotrimoxazole],
      conditions: [C.ra, C.uti],
      labs: [L.egfr([30, 75])],
    },
    expect: {
      description: 'RA on methotrexate; co-trimoxazole ordered for a UTI.',
      expected: [
        {
          kind: 'interaction',
          severity: 'critical',
          about: ['methotrexate', ['trimethoprim', 'sulfamethoxazole']],
          source: SRC.mtxTmp,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'digoxin-amiodarone',
      hook: 'order-sign',
      sex: 'male',
      age: 81,
      meds: [D.digoxin],
      drafts: [D.amiodarone],
      conditions: [C.af, C.hf],
      labs: [L.egfr([20, 41])],
    },
    expect: {
      description: 'On digoxin for AF; amiodarone started.',
      expected: [
        { kind: 'interaction', severity: 'warning', about: ['digoxin', 'amiodarone'], source: SRC.amioDig },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'elderly-diphenhydramine',
      hook: 'order-sign',
      sex: 'male',
      age: 85,
      drafts: [D.diphenhydramine],
      conditions: [C.insomnia],
    },
    expect: {
      description: 'Eighty-five-year-old; diphenhydramine for sleep.',
      expected: [
        {
          kind: ['dose', 'contraindication'],
          severity: 'warning',
          about: ['diphenhydramine'],
          source: SRC.beersAntichol,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'elderly-oxycodone-clonazepam',
      hook: 'order-sign',
      sex: 'female',
      age: 82,
      race: 'White',
      meds: [D.clonazepam],
      drafts: [D.oxycodone],
      conditions: [C.pain],
    },
    expect: {
      description: 'On clonazepam; oxycodone ordered after a fall.',
      expected: [
        {
          kind: 'interaction',
          severity: 'critical',
          about: ['oxycodone', 'clonazepam'],
          source: SRC.fdaOpioidBenzo,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'lithium-ibuprofen',
      hook: 'order-select',
      sex: 'male',
      age: 40,
      meds: [D.lithium],
      drafts: [D.ibuprofen],
      conditions: [C.bipolar],
      labs: [L.lithium([40, 0.7]), L.egfr([40, 95])],
    },
    expect: {
      description: 'Stable on lithium; ibuprofen ordered for back pain.',
      expected: [
        {
          kind: 'interaction',
          severity: 'warning',
          about: ['lithium', 'ibuprofen'],
          source: SRC.lithiumNsaid,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'young-man-azithromycin-quiet',
      hook: 'order-sign',
      sex: 'male',
      age: 25,
      race: 'White',
      drafts: [D.azithromycin],
      conditions: [C.pneumonia],
    },
    expect: {
      description: 'Healthy 25-year-old with CAP; azithromycin.',
      expected: [],
      silences: [quiet('appropriate therapy, no interactions', SRC.idsaCap)],
    },
  },
  // ---- Chart review (patient-view): trends, care gaps, treatment considerations, differentials, and quiet charts
  {
    chart: {
      name: 'egfr-decline-years',
      hook: 'patient-view',
      sex: 'male',
      age: 67,
      race: 'Black or African American',
      meds: [D.lisinopril, D.metformin],
      conditions: [C.t2dm, C.htn],
      labs: [L.egfr([1400, 78], [1040, 72], [700, 66], [330, 60], [20, 52])],
    },
    expect: {
      description: 'eGFR 78 → 52 over four years on lisinopril and metformin.',
      expected: [
        {
          kind: 'trend',
          severity: 'info',
          about: [['egfr', 'kidney', 'renal', 'gfr']],
          source: SRC.kdigoCkd,
        },
      ],
      acceptable: [
        {
          kind: 'treatment',
          severity: 'info',
          about: [['sglt2', 'empagliflozin', 'dapagliflozin', 'canagliflozin']],
          source: SRC.kdigoDmCkd,
        },
        { kind: 'monitoring', severity: 'info', about: [['albumin', 'uacr']], source: SRC.kdigoCkd },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'aki-creatinine-rise',
      hook: 'patient-view',
      sex: 'female',
      age: 76,
      meds: [D.lisinopril, D.ibuprofen],
      conditions: [C.htn, C.oa],
      labs: [L.creatinine([200, 82], [3, 88], [1, 142])],
    },
    expect: {
      description: 'Creatinine 88 → 142 µmol/L in two days on lisinopril and ibuprofen.',
      expected: [
        {
          kind: 'trend',
          severity: 'warning',
          about: [['creatinine', 'kidney injury', 'aki']],
          source: SRC.kdigoAki,
        },
      ],
      acceptable: [
        {
          kind: 'interaction',
          severity: 'warning',
          about: ['lisinopril', 'ibuprofen'],
          source: SRC.kdigoAki,
        },
        {
          kind: ['dose', 'contraindication'],
          severity: 'warning',
          about: ['ibuprofen'],
          source: SRC.beersNsaid,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'potassium-rise-lisinopril',
      hook: 'patient-view',
      sex: 'male',
      age: 70,
      meds: [D.lisinopril],
      conditions: [C.htn, C.ckd3],
      labs: [L.potassium([280, 4.2], [190, 4.5], [100, 4.8], [10, 5.3]), L.egfr([10, 55])],
    },
    expect: {
      description: 'Potassium 4.2 → 5.3 over nine months on lisinopril.',
      expected: [
        { kind: ['trend', 'monitoring'], severity: 'info', about: ['potassium'], source: SRC.raasK },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'hemoglobin-drop-apixaban',
      hook: 'patient-view',
      sex: 'female',
      age: 79,
      race: 'White',
      meds: [D.apixaban],
      conditions: [C.af],
      labs: [L.hemoglobin([180, 13.5], [90, 12.0], [7, 10.4]), L.egfr([7, 58])],
    },
    expect: {
      description: 'Haemoglobin 13.5 → 10.4 g/dL over six months on apixaban.',
      expected: [
        {
          kind: 'trend',
          severity: 'warning',
          about: [['hemoglobin', 'haemoglobin', 'anaemia', 'anemia', 'bleed']],
          source: SRC.apixabanBleed,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'hba1c-undiagnosed',
      hook: 'patient-view',
      sex: 'male',
      age: 52,
      ethnicity: 'Hispanic or Latino',
      meds: [D.atorvastatin],
      conditions: [C.hyperlipidemia],
      labs: [L.hba1c([400, 6.3], [20, 6.9])],
    },
    expect: {
      description: 'HbA1c 6.9 % with no diabetes on the problem list.',
      expected: [
        { kind: 'care-gap', severity: 'info', about: [['hba1c', 'diabetes', 'a1c']], source: SRC.adaDx },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'hba1c-diagnosed-quiet',
      hook: 'patient-view',
      sex: 'female',
      age: 60,
      meds: [D.metformin],
      conditions: [C.t2dm],
      labs: [L.hba1c([200, 7.0], [20, 6.8]), L.egfr([20, 88])],
    },
    expect: {
      description: 'Known type 2 diabetes, HbA1c 6.8 % on metformin.',
      expected: [],
      silences: [
        {
          kind: 'care-gap',
          about: [['diabetes', 'hba1c']],
          why: 'diabetes is on the problem list',
          source: SRC.adaDx,
        },
      ],
    },
  },
  {
    chart: {
      name: 'lithium-level-overdue',
      hook: 'patient-view',
      sex: 'female',
      age: 45,
      meds: [D.lithium],
      conditions: [C.bipolar],
      labs: [L.lithium([430, 0.8]), L.egfr([430, 90])],
    },
    expect: {
      description: 'On lithium; last level 14 months ago.',
      expected: [{ kind: 'monitoring', severity: 'warning', about: ['lithium'], source: SRC.niceLithium }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'methotrexate-monitoring-overdue',
      hook: 'patient-view',
      sex: 'male',
      age: 63,
      meds: [D.methotrexate],
      conditions: [C.ra],
      labs: [L.alt([300, 22]), L.hemoglobin([300, 14.1]), L.egfr([300, 80])],
    },
    expect: {
      description: 'On methotrexate; blood monitoring last done ten months ago.',
      expected: [{ kind: 'monitoring', severity: 'warning', about: ['methotrexate'], source: SRC.acrMtx }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'sglt2-ckd-t2dm',
      hook: 'patient-view',
      sex: 'male',
      age: 66,
      race: 'Asian',
      meds: [D.metformin, D.lisinopril],
      conditions: [C.t2dm, C.ckd3, C.htn],
      labs: [L.egfr([400, 47], [30, 45]), L.uacr([30, 120]), L.hba1c([30, 7.4])],
    },
    expect: {
      description: 'T2D with CKD G3a A2 on metformin and lisinopril, no SGLT2 inhibitor.',
      expected: [
        {
          kind: 'treatment',
          severity: 'info',
          about: [['sglt2', 'empagliflozin', 'dapagliflozin', 'canagliflozin']],
          source: SRC.kdigoDmCkd,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'sglt2-already-quiet',
      hook: 'patient-view',
      sex: 'female',
      age: 71,
      meds: [D.metformin, D.empagliflozin, D.lisinopril],
      conditions: [C.t2dm, C.ckd3],
      labs: [L.egfr([380, 50], [25, 49]), L.uacr([25, 90])],
    },
    expect: {
      description: 'T2D with CKD already on empagliflozin.',
      expected: [],
      silences: [
        {
          kind: 'treatment',
          about: [['sglt2', 'empagliflozin', 'dapagliflozin']],
          why: 'already on an SGLT2 inhibitor',
          source: SRC.kdigoDmCkd,
        },
      ],
    },
  },
  {
    chart: {
      name: 'hyponatremia-ssri-thiazide',
      hook: 'patient-view',
      sex: 'female',
      age: 82,
      meds: [D.hydrochlorothiazide, D.sertraline],
      conditions: [C.htn, C.depression],
      labs: [L.sodium([200, 138], [5, 126])],
    },
    expect: {
      description: 'Sodium 126 on hydrochlorothiazide and sertraline.',
      expected: [
        {
          kind: ['differential', 'trend', 'monitoring'],
          severity: 'warning',
          about: [['sodium', 'hyponat']],
          source: SRC.beersHypoNa,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'alt-rise-atorvastatin',
      hook: 'patient-view',
      sex: 'male',
      age: 48,
      meds: [D.atorvastatin],
      conditions: [C.hyperlipidemia],
      labs: [L.alt([360, 28], [6, 190])],
    },
    expect: {
      description: 'ALT 28 → 190 U/L on atorvastatin.',
      expected: [
        {
          kind: ['differential', 'trend', 'monitoring'],
          severity: 'warning',
          about: [['alt', 'alanine', 'liver', 'hepat']],
          source: SRC.statinLiver,
        },
      ],
      silences: [],
    },
  },
  {
    chart: {
      name: 'hyperkalemia-spironolactone',
      hook: 'patient-view',
      sex: 'male',
      age: 73,
      meds: [D.spironolactone, D.lisinopril],
      conditions: [C.hf, C.ckd3],
      labs: [L.potassium([60, 4.9], [3, 6.1]), L.egfr([3, 35])],
    },
    expect: {
      description: 'Potassium 6.1 on spironolactone and lisinopril, eGFR 35.',
      expected: [
        {
          kind: ['monitoring', 'trend', 'dose', 'interaction', 'contraindication'],
          severity: 'critical',
          about: [['potassium', 'hyperkal']],
          source: SRC.hyperK,
        },
      ],
      acceptable: [{ kind: 'dose', severity: 'info', about: ['spironolactone'], source: SRC.spiroRenal }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'metformin-egfr28-active',
      hook: 'patient-view',
      sex: 'female',
      age: 78,
      meds: [D.metformin],
      conditions: [C.t2dm, C.ckd4],
      labs: [L.egfr([400, 34], [15, 28])],
    },
    expect: {
      description: 'Still on metformin with eGFR 28.',
      expected: [
        {
          kind: ['dose', 'contraindication'],
          severity: 'critical',
          about: ['metformin'],
          source: SRC.metforminFda,
        },
      ],
      acceptable: [{ kind: 'trend', severity: 'info', about: [['egfr', 'kidney']], source: SRC.kdigoCkd }],
      silences: [],
    },
  },
  {
    chart: {
      name: 'potassium-steady-quiet',
      hook: 'patient-view',
      sex: 'male',
      age: 55,
      meds: [D.lisinopril],
      conditions: [C.htn],
      labs: [L.potassium([300, 4.3], [200, 4.8], [100, 4.4], [10, 4.6]), L.egfr([10, 82])],
    },
    expect: {
      description: 'Potassium 4.3–4.8 on lisinopril, no trend.',
      expected: [],
      silences: [
        {
          kind: ['trend', 'monitoring'],
          about: ['potassium'],
          why: 'fluctuation within the normal range is no trend',
          source: SRC.raasK,
        },
      ],
    },
  },
  {
    chart: {
      name: 'egfr-single-dip-quiet',
      hook: 'patient-view',
      sex: 'female',
      age: 63,
      meds: [D.amlodipine],
      conditions: [C.htn],
      labs: [L.egfr([1000, 66], [700, 65], [360, 52], [20, 64])],
    },
    expect: {
      description: 'eGFR 66, 65, 52, 64: one dip, recovered.',
      expected: [],
      silences: [
        {
          kind: 'trend',
          about: [['egfr', 'kidney', 'renal']],
          why: 'a single dip that recovered is not a sustained decline',
          source: SRC.kdigoCkd,
        },
      ],
    },
  },
  {
    chart: {
      name: 'hemoglobin-stable-apixaban-quiet',
      hook: 'patient-view',
      sex: 'male',
      age: 74,
      meds: [D.apixaban],
      conditions: [C.af],
      labs: [L.hemoglobin([200, 14.2], [100, 13.9], [10, 14.0]), L.egfr([10, 70])],
    },
    expect: {
      description: 'Stable haemoglobin on apixaban.',
      expected: [],
      silences: [
        {
          kind: 'trend',
          about: [['hemoglobin', 'haemoglobin', 'bleed', 'anemia', 'anaemia']],
          why: 'stable haemoglobin',
          source: SRC.apixabanBleed,
        },
      ],
    },
  },
  {
    chart: {
      name: 'levothyroxine-stable-quiet',
      hook: 'patient-view',
      sex: 'female',
      age: 22,
      meds: [D.levothyroxine],
      conditions: [C.hypothyroid],
      labs: [L.tsh([40, 2.1])],
    },
    expect: {
      description: 'Young woman stable on levothyroxine, TSH 2.1.',
      expected: [],
      silences: [quiet('stable and in range', SRC.ataThyroid)],
    },
  },
  {
    chart: {
      name: 'healthy-adult-quiet',
      hook: 'patient-view',
      sex: 'male',
      age: 38,
      ethnicity: 'Not Hispanic or Latino',
      labs: [L.egfr([100, 104]), L.hba1c([100, 5.2])],
    },
    expect: {
      description: 'Healthy adult with normal labs and no medication.',
      expected: [],
      silences: [quiet('nothing to remark on', SRC.adaDx)],
    },
  },
  {
    chart: {
      name: 'teen-hba1c-normal-quiet',
      hook: 'patient-view',
      sex: 'male',
      age: 15,
      labs: [L.hba1c([30, 5.4])],
    },
    expect: {
      description: 'Fifteen-year-old with a normal HbA1c.',
      expected: [],
      silences: [quiet('nothing to remark on', SRC.adaDx)],
    },
  },
];
