/**
 * The codes that may go to the model: public terminologies the rules and the model both know, and only in each
 * one's exact syntax, check digit verified where the terminology has one (LOINC's mod 10, SNOMED CT's Verhoeff).
 * A code is the one string from the chart the model is sent, so its syntax is all it is allowed: a name, a date,
 * a phone number or an identifier written into a code field does not fit it and stays behind. (A bare run of
 * digits in an RxNorm field is indistinguishable from an RxNorm code; it leaves as a code.)
 */
import type { Code } from '../../clinical/types.js';
import { LOINC, RXNORM, SNOMED } from '../../clinical/types.js';

export type CodeSystemName = 'RxNorm' | 'LOINC' | 'SNOMED CT' | 'ICD-10-CM' | 'ICD-10';

export interface ModelCode {
  readonly system: CodeSystemName;
  readonly code: string;
}

/** The Luhn ("mod 10") check digit LOINC appends after the dash (LOINC Users' Guide, "Check digit"). */
function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLoincCode(code: string): boolean {
  const m = /^([0-9]{1,6})-([0-9])$/.exec(code);
  return m !== null && luhnCheckDigit(m[1]!) === Number(m[2]);
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![Number(digits[digits.length - 1 - i])]!]!;
  }
  return c === 0;
}

/**
 * A SNOMED CT concept id: 6–18 digits, no leading zero, the partition identifier of a concept (`00` core, `10`
 * extension) before the Verhoeff check digit (SNOMED CT Technical Implementation Guide, "SCTID").
 */
export function isSnomedConceptId(code: string): boolean {
  if (!/^[1-9][0-9]{5,17}$/.test(code)) return false;
  const partition = code.slice(-3, -1);
  return (partition === '00' || partition === '10') && verhoeffValid(code);
}

/** An RxNorm concept id (RXCUI): digits, no leading zero; the highest assigned are seven digits long. */
export function isRxcui(code: string): boolean {
  return /^[1-9][0-9]{0,6}$/.test(code);
}

/** ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and up to four more (I48.91, C4A.0). */
const ICD10CM_CODE = /^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$/;
/** WHO ICD-10: a letter, two digits, optionally a dot and one or two digits (I48.0). */
const ICD10_CODE = /^[A-Z][0-9]{2}(?:\.[0-9]{1,2})?$/;

const SYSTEMS: Readonly<Record<string, { name: CodeSystemName; valid: (code: string) => boolean }>> = {
  [RXNORM]: { name: 'RxNorm', valid: isRxcui },
  [LOINC]: { name: 'LOINC', valid: isLoincCode },
  [SNOMED]: { name: 'SNOMED CT', valid: isSnomedConceptId },
  'http://hl7.org/fhir/sid/icd-10-cm': { name: 'ICD-10-CM', valid: (c) => ICD10CM_CODE.test(c) },
  'http://hl7.org/fhir/sid/icd-10': { name: 'ICD-10', valid: (c) => ICD10_CODE.test(c) },
};

/** The coding as a code the model may see, or undefined: a system we do not send, or a code out of syntax. */
export function publicCode(coding: Code): ModelCode | undefined {
  const system =
    coding.system !== undefined && Object.hasOwn(SYSTEMS, coding.system) ? SYSTEMS[coding.system] : undefined;
  if (!system || coding.code === undefined || !system.valid(coding.code)) return undefined;
  return { system: system.name, code: coding.code };
}

/** The public codes of some codings, each once. */
export function publicCodes(codings: readonly Code[]): ModelCode[] {
  const out: ModelCode[] = [];
  for (const coding of codings) {
    const code = publicCode(coding);
    if (code && !out.some((c) => c.system === code.system && c.code === code.code)) out.push(code);
  }
  return out;
}
