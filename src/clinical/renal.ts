/**
 * Kidney function for dosing decisions. Prefers a measured value from the lab; otherwise estimates from the
 * latest serum creatinine:
 * - eGFR by the race-free CKD-EPI 2021 creatinine equation (Inker et al., NEJM 2021, doi:10.1056/NEJMoa2102953),
 *   needs age and sex;
 * - creatinine clearance by Cockcroft–Gault (Nephron 1976, doi:10.1159/000180580), needs age, sex and weight —
 *   drug labels state renal limits in CrCl, so it is computed when the chart allows.
 * Every estimate names the results it rests on, so a card can cite them.
 */
import { latestLab } from './observations.js';
import type { LabResult, PatientContext } from './types.js';

/** How far back a kidney result still describes the patient well enough for a dosing alert. */
export const RENAL_MAX_AGE_DAYS = 180;

export const CREATININE_UMOL_PER_MGDL = 88.42;

export interface RenalValue {
  readonly value: number;
  /** `<` or `<=` when the lab reported a bound ("<15"): the true value is below `value`. */
  readonly comparator?: string;
  readonly unit: string;
  /** `measured`: reported by the lab; `calculated`: computed here from creatinine. */
  readonly basis: 'measured' | 'calculated';
  readonly method: string;
  readonly evidence: readonly LabResult[];
}

export interface RenalFunction {
  readonly egfr?: RenalValue;
  readonly crcl?: RenalValue;
}

/** CKD-EPI 2021 (race-free). `sex` must be known: the equation differs by sex. */
export function ckdEpi2021(creatinineMgDl: number, ageYears: number, sex: 'female' | 'male'): number {
  const female = sex === 'female';
  const kappa = female ? 0.7 : 0.9;
  const alpha = female ? -0.241 : -0.302;
  const ratio = creatinineMgDl / kappa;
  const egfr =
    142 *
    Math.min(ratio, 1) ** alpha *
    Math.max(ratio, 1) ** -1.2 *
    0.9938 ** ageYears *
    (female ? 1.012 : 1);
  return Math.round(egfr);
}

/** Cockcroft–Gault creatinine clearance in mL/min, with actual body weight. */
export function cockcroftGault(
  creatinineMgDl: number,
  ageYears: number,
  weightKg: number,
  sex: 'female' | 'male',
): number {
  const crcl = ((140 - ageYears) * weightKg) / (72 * creatinineMgDl);
  return Math.round(sex === 'female' ? crcl * 0.85 : crcl);
}

function knownSex(sex: string | undefined): 'female' | 'male' | undefined {
  return sex === 'female' || sex === 'male' ? sex : undefined;
}

/** A result the equations can use: a creatinine or weight of zero or less is an error, and gives Infinity or NaN. */
function hasPositiveValue(lab: LabResult | undefined): lab is LabResult & { readonly value: number } {
  return lab?.value !== undefined && lab.value > 0;
}

/** How far back a body weight still describes an adult well enough for a dose or clearance estimate. */
export const WEIGHT_MAX_AGE_DAYS = 365;

/** The latest body weight, from the vital signs when sent, else from the labs. */
export function latestWeight(patient: PatientContext): LabResult | undefined {
  return (
    latestLab(patient.vitals ?? [], 'weight', patient.now, WEIGHT_MAX_AGE_DAYS) ??
    latestLab(patient.labs, 'weight', patient.now, WEIGHT_MAX_AGE_DAYS)
  );
}

export function assessRenalFunction(patient: PatientContext): RenalFunction {
  const { now, labs } = patient;
  const age = patient.patient.ageYears;
  const sex = knownSex(patient.patient.sex);
  const measuredEgfr = latestLab(labs, 'egfr', now, RENAL_MAX_AGE_DAYS);
  const measuredCrcl = latestLab(labs, 'crcl', now, RENAL_MAX_AGE_DAYS);
  const creatinine = latestLab(labs, 'creatinine', now, RENAL_MAX_AGE_DAYS);
  // Weight may be older than a creatinine; a year-old weight is still a fair estimate for an adult. Vital signs
  // are where a weight belongs; one filed with the labs is used when no vital sign gives it.
  const weight = latestWeight(patient);
  const adult = age !== undefined && age >= 18;

  let egfr: RenalValue | undefined;
  if (measuredEgfr?.value !== undefined) {
    egfr = {
      value: measuredEgfr.value,
      comparator: measuredEgfr.comparator,
      unit: 'mL/min/{1.73_m2}',
      basis: 'measured',
      method: 'reported by the lab',
      evidence: [measuredEgfr],
    };
  } else if (hasPositiveValue(creatinine) && adult && sex) {
    egfr = {
      value: ckdEpi2021(creatinine.value / CREATININE_UMOL_PER_MGDL, age, sex),
      unit: 'mL/min/{1.73_m2}',
      basis: 'calculated',
      method: `CKD-EPI 2021 from serum creatinine, age ${age}, ${sex}`,
      evidence: [creatinine],
    };
  }

  let crcl: RenalValue | undefined;
  if (measuredCrcl?.value !== undefined) {
    crcl = {
      value: measuredCrcl.value,
      comparator: measuredCrcl.comparator,
      unit: 'mL/min',
      basis: 'measured',
      method: 'reported by the lab',
      evidence: [measuredCrcl],
    };
  } else if (hasPositiveValue(creatinine) && hasPositiveValue(weight) && adult && sex) {
    crcl = {
      value: cockcroftGault(creatinine.value / CREATININE_UMOL_PER_MGDL, age, weight.value, sex),
      unit: 'mL/min',
      basis: 'calculated',
      method: `Cockcroft–Gault from serum creatinine and body weight, age ${age}, ${sex}`,
      evidence: [creatinine, weight],
    };
  }
  return { egfr, crcl };
}
