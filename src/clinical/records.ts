/**
 * Conditions, allergies and the patient → normalized records, and what "active" means for each. Status
 * semantics live here, once, so every advisor excludes the same things: an entered-in-error or refuted record is
 * not a fact, a resolved or inactive one is history.
 */
import { conceptOf, statusCode } from './concept.js';
import { asMember, asRecord, asRecords, asString, asStrings, type JsonRecord } from './guards.js';
import type { Allergy, PatientSummary, Problem } from './types.js';

/** `c`: a Condition as sent. */
export function problemFromCondition(c: unknown): Problem {
  const condition: JsonRecord = asRecord(c) ?? {};
  return {
    ref: `Condition/${asString(condition.id) ?? 'unknown'}`,
    concept: conceptOf(condition.code),
    clinicalStatus: statusCode(condition.clinicalStatus),
    verificationStatus: statusCode(condition.verificationStatus),
    onset:
      asString(condition.onsetDateTime) ??
      asString(asRecord(condition.onsetPeriod)?.start) ??
      asString(condition.recordedDate),
  };
}

/** `a`: an AllergyIntolerance as sent. */
export function allergyFromResource(a: unknown): Allergy {
  const allergy: JsonRecord = asRecord(a) ?? {};
  const reactions = asRecords(allergy.reaction);
  return {
    ref: `AllergyIntolerance/${asString(allergy.id) ?? 'unknown'}`,
    concept: conceptOf(allergy.code),
    clinicalStatus: statusCode(allergy.clinicalStatus),
    verificationStatus: statusCode(allergy.verificationStatus),
    criticality: asString(allergy.criticality),
    category: asStrings(allergy.category),
    type: asString(allergy.type),
    reactionSubstances: reactions.flatMap((r) => (asRecord(r.substance) ? [conceptOf(r.substance)] : [])),
    manifestations: reactions.flatMap((r) => asRecords(r.manifestation).map((m) => conceptOf(m).text)),
    reactions: reactions.map((r) => ({
      manifestations: asRecords(r.manifestation).map((m) => conceptOf(m)),
      severity: asString(r.severity),
    })),
    recordedDate: asString(allergy.recordedDate),
  };
}

const NOT_A_FACT = new Set(['entered-in-error', 'refuted']);

/** A record whose verificationStatus says it is not a fact (refuted, entered in error): no advice rests on it. */
export function isNotAFact(record: { readonly verificationStatus?: string | undefined }): boolean {
  return record.verificationStatus !== undefined && NOT_A_FACT.has(record.verificationStatus);
}
const ACTIVE_PROBLEM = new Set(['active', 'recurrence', 'relapse']);

/** A problem the patient has now. No clinicalStatus counts as active: the `conditions` prefetch asks for active ones. */
export function isActiveProblem(p: Problem): boolean {
  if (isNotAFact(p)) return false;
  return p.clinicalStatus === undefined || ACTIVE_PROBLEM.has(p.clinicalStatus);
}

/** An allergy to check orders against: not resolved, not inactive, not refuted, not entered in error. */
export function isActiveAllergy(a: Allergy): boolean {
  if (isNotAFact(a)) return false;
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

const GENDERS = ['female', 'male', 'other', 'unknown'] as const;

/** `patient`: a Patient as sent, if any. */
export function patientSummary(patientId: string, patient: unknown, now: Date): PatientSummary {
  const resource = asRecord(patient);
  const birthDate = asString(resource?.birthDate);
  return {
    ref: `Patient/${patientId}`,
    ageYears: ageInYears(birthDate, now),
    sex: asMember(resource?.gender, GENDERS),
    birthDate,
  };
}
