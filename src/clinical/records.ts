/**
 * Conditions, allergies and the patient → normalized records, and what "active" means for each. Status
 * semantics live here, once, so every advisor excludes the same things: an entered-in-error or refuted record is
 * not a fact, a resolved or inactive one is history.
 */
import type { AllergyIntolerance, Condition, Patient } from 'fhir/r4.js';
import { conceptOf, statusCode } from './concept.js';
import type { Allergy, PatientSummary, Problem } from './types.js';

export function problemFromCondition(c: Condition): Problem {
  return {
    ref: `Condition/${c.id ?? 'unknown'}`,
    concept: conceptOf(c.code),
    clinicalStatus: statusCode(c.clinicalStatus),
    verificationStatus: statusCode(c.verificationStatus),
    onset: c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate,
  };
}

export function allergyFromResource(a: AllergyIntolerance): Allergy {
  return {
    ref: `AllergyIntolerance/${a.id ?? 'unknown'}`,
    concept: conceptOf(a.code),
    clinicalStatus: statusCode(a.clinicalStatus),
    verificationStatus: statusCode(a.verificationStatus),
    criticality: a.criticality,
    category: a.category ?? [],
    type: a.type,
    reactionSubstances: (a.reaction ?? []).flatMap((r) => (r.substance ? [conceptOf(r.substance)] : [])),
    manifestations: (a.reaction ?? []).flatMap((r) => r.manifestation.map((m) => conceptOf(m).text)),
    recordedDate: a.recordedDate,
  };
}

const NOT_A_FACT = new Set(['entered-in-error', 'refuted']);
const ACTIVE_PROBLEM = new Set(['active', 'recurrence', 'relapse']);

/** A problem the patient has now. No clinicalStatus counts as active: the `conditions` prefetch asks for active ones. */
export function isActiveProblem(p: Problem): boolean {
  if (p.verificationStatus && NOT_A_FACT.has(p.verificationStatus)) return false;
  return p.clinicalStatus === undefined || ACTIVE_PROBLEM.has(p.clinicalStatus);
}

/** An allergy to check orders against: not resolved, not inactive, not refuted, not entered in error. */
export function isActiveAllergy(a: Allergy): boolean {
  if (a.verificationStatus && NOT_A_FACT.has(a.verificationStatus)) return false;
  return a.clinicalStatus === undefined || a.clinicalStatus === 'active';
}

/** Whole years between a FHIR date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and `now`; partial dates assume the 1st. */
export function ageInYears(birthDate: string | undefined, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(birthDate ?? '');
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2] ?? '1');
  const day = Number(m[3] ?? '1');
  let age = now.getUTCFullYear() - year;
  const beforeBirthday =
    now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 ? age : undefined;
}

export function patientSummary(patientId: string, patient: Patient | undefined, now: Date): PatientSummary {
  return {
    ref: `Patient/${patientId}`,
    ageYears: ageInYears(patient?.birthDate, now),
    sex: patient?.gender,
    birthDate: patient?.birthDate,
  };
}
