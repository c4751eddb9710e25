/**
 * Lab analytes the advisors reason about, and their values in one UCUM unit each, whatever unit the lab sent:
 * creatinine in mg/dL or µmol/L, potassium in mEq/L or mmol/L (equal for a monovalent ion), eGFR written
 * `mL/min/1.73m2` or `mL/min/{1.73_m2}`. A value whose unit we cannot convert is kept as sent but not given a
 * normalized value: a rule must never compare a number it does not understand.
 */
import { normalizeName } from './text.js';

export type Analyte = 'potassium' | 'creatinine' | 'egfr' | 'crcl' | 'inr' | 'weight';

export interface AnalyteSpec {
  readonly loinc: readonly string[];
  /** The UCUM unit values are normalized to. */
  readonly unit: string;
  /** Factor to multiply by, keyed by a unit string after `unitKey`. */
  readonly factors: Readonly<Record<string, number>>;
  /** Recognizes text-only results (no LOINC); must not catch urine or ratio tests. */
  readonly text: (name: string) => boolean;
}

const notUrineOrRatio = (name: string): boolean => !/\b(urine|ur|ratio|clearance)\b/.test(name);

export const ANALYTES: Readonly<Record<Analyte, AnalyteSpec>> = {
  potassium: {
    loinc: ['2823-3', '6298-4'],
    unit: 'mmol/L',
    factors: { 'mmol/l': 1, 'meq/l': 1 },
    text: (n) => /\bpotassium\b/.test(n) && notUrineOrRatio(n),
  },
  creatinine: {
    loinc: ['2160-0', '38483-4', '14682-9'],
    unit: 'umol/L',
    // 1 mg/dL creatinine = 88.42 µmol/L (molar mass 113.12 g/mol).
    factors: { 'umol/l': 1, 'mg/dl': 88.42, 'mg/l': 8.842, 'mmol/l': 1000 },
    text: (n) => /\bcreatinine\b/.test(n) && notUrineOrRatio(n),
  },
  egfr: {
    loinc: [
      '33914-3',
      '48642-3',
      '48643-1',
      '50044-7',
      '62238-1',
      '69405-9',
      '88293-6',
      '88294-4',
      '98979-8',
    ],
    unit: 'mL/min/{1.73_m2}',
    factors: { 'ml/min/1.73m2': 1, 'ml/min/1.73sqm': 1, 'ml/min/1.73': 1, 'ml/min': 1 },
    text: (n) => /\b(egfr|gfr|glomerular filtration)\b/.test(n),
  },
  crcl: {
    loinc: ['2164-2'],
    unit: 'mL/min',
    factors: { 'ml/min': 1, 'ml/s': 60 },
    text: () => false,
  },
  inr: {
    loinc: ['6301-6', '34714-6', '46418-0'],
    unit: '{INR}',
    factors: { '': 1, inr: 1, ratio: 1, '1': 1 },
    text: (n) => /\binr\b|international normali[sz]ed ratio/.test(n),
  },
  weight: {
    loinc: ['29463-7', '3141-9'],
    unit: 'kg',
    factors: { kg: 1, g: 0.001, lb: 0.45359237, lbs: 0.45359237, lbav: 0.45359237 },
    text: (n) => /\bbody weight\b/.test(n),
  },
};

const BY_LOINC = new Map<string, Analyte>(
  (Object.keys(ANALYTES) as Analyte[]).flatMap((a) => ANALYTES[a].loinc.map((code) => [code, a] as const)),
);

/** Which analyte a result measures: by LOINC first, by its name only when it carries no LOINC at all. */
export function analyteOf(loinc: string | undefined, texts: readonly string[]): Analyte | undefined {
  if (loinc) return BY_LOINC.get(loinc);
  for (const text of texts) {
    const name = normalizeName(text);
    for (const analyte of Object.keys(ANALYTES) as Analyte[])
      if (ANALYTES[analyte].text(name)) return analyte;
  }
  return undefined;
}

/** `mL/min/{1.73_m2}`, `ml/min/1.73 m^2`, `[lb_av]`, `µmol/L` → comparable lower-case keys. */
export function unitKey(unit: string | undefined): string {
  return (unit ?? '')
    .toLowerCase()
    .replace(/[µμ]/g, 'u')
    .replace(/[\s{}[\]_^]/g, '')
    .replace(/(\d)sq\.?m/, '$1sqm');
}

export interface NormalizedQuantity {
  readonly value?: number;
  readonly unit?: string;
}

/** Converts a value to the analyte's UCUM unit; `value` is undefined when the unit is not one we know. */
export function normalizeQuantity(
  analyte: Analyte,
  value: number,
  unit: string | undefined,
): NormalizedQuantity {
  const spec = ANALYTES[analyte];
  const factor = spec.factors[unitKey(unit)];
  if (factor === undefined) return { unit };
  // Round away floating-point noise from the conversion without losing clinical precision.
  const converted = Math.round(value * factor * 1000) / 1000;
  // An absurd value (1e308 mg/dL) overflows: no number is better than Infinity in a comparison.
  return Number.isFinite(converted) ? { value: converted, unit: spec.unit } : { unit };
}

/** A unit as a clinician reads it: `mL/min/{1.73_m2}` → `mL/min/1.73 m²`; annotation-only units (`{INR}`) vanish. */
export function displayUnit(unit: string | undefined): string {
  if (!unit) return '';
  if (unit === 'mL/min/{1.73_m2}') return 'mL/min/1.73 m²';
  if (/^\{[^}]*\}$/.test(unit)) return '';
  return unit;
}

/**
 * The UCUM units we recognise (http://unitsofmeasure.org, case-sensitive codes): the analytes' units above, and
 * common lab, vital-sign and dose units. Looked up by `unitKey`, so `mg/dl`, `µmol/L` and `mmHg` are found.
 */
export const UCUM_UNITS = [
  '%',
  '1',
  'g/dL',
  'g/L',
  'mg/dL',
  'mg/L',
  'ug/dL',
  'ug/L',
  'ug/mL',
  'ng/mL',
  'ng/dL',
  'ng/L',
  'pg/mL',
  'mol/L',
  'mmol/L',
  'umol/L',
  'nmol/L',
  'pmol/L',
  'meq/L',
  'mosm/kg',
  'mmol/mol',
  'mg/g',
  'mg/mmol',
  'U/L',
  'mU/L',
  '[IU]/L',
  '[IU]/mL',
  'm[IU]/L',
  'u[IU]/mL',
  '10*3/uL',
  '10*6/uL',
  '10*9/L',
  '10*12/L',
  'fL',
  'pg',
  'mL/min',
  'mL/min/{1.73_m2}',
  'mL/s',
  'mm/h',
  'mm[Hg]',
  '/min',
  's',
  'min',
  'h',
  'd',
  'Cel',
  '[degF]',
  'kg',
  'g',
  'mg',
  'ug',
  'ng',
  'L',
  'mL',
  'cm',
  'm',
  '[in_i]',
  '[lb_av]',
  'kg/m2',
  '{INR}',
  '{ratio}',
  '[pH]',
  'U',
  '[IU]',
  'meq',
  'mmol',
  'mg/kg',
  'ug/kg',
  'U/kg',
  'mg/h',
  'mL/h',
  '{tbl}',
  '{capsule}',
  '{puff}',
  '{drop}',
  '{patch}',
  '{spray}',
  '{actuat}',
] as const;

/** Common spellings that are not UCUM, by `unitKey`, and the UCUM unit they mean. */
const UNIT_SPELLINGS: Readonly<Record<string, (typeof UCUM_UNITS)[number]>> = {
  mcg: 'ug',
  'mcg/kg': 'ug/kg',
  'mcg/ml': 'ug/mL',
  'mcg/l': 'ug/L',
  'ml/min/1.73sqm': 'mL/min/{1.73_m2}',
  'ml/min/1.73': 'mL/min/{1.73_m2}',
  lb: '[lb_av]',
  lbs: '[lb_av]',
  unit: 'U',
  units: 'U',
  bpm: '/min',
  tab: '{tbl}',
  tabs: '{tbl}',
  tablet: '{tbl}',
  tablets: '{tbl}',
  cap: '{capsule}',
  caps: '{capsule}',
  capsules: '{capsule}',
  puffs: '{puff}',
  drops: '{drop}',
  patches: '{patch}',
  sprays: '{spray}',
};

const UCUM_BY_KEY: ReadonlyMap<string, string> = new Map<string, string>([
  ...UCUM_UNITS.map((u) => [unitKey(u), u] as const),
  ...Object.entries(UNIT_SPELLINGS),
]);

/** The UCUM unit `unit` is, written our way, when it is one we recognise; undefined for anything else. */
export function ucumUnit(unit: string | undefined): string | undefined {
  return unit === undefined ? undefined : UCUM_BY_KEY.get(unitKey(unit));
}
