/**
 * The normalized, typed view of a patient that every advisor reads. Built from FHIR R4 by `normalize.ts`;
 * advisors never see raw FHIR. Every item keeps `ref` (`ResourceType/id`) so findings can cite their evidence.
 */
import type { HookName, PrefetchKey } from '../cds/types.js';
import type { Analyte } from './units.js';
import type { ObservationInterpretation, UnitOfTime } from './valueSets.js';

export interface Code {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

/** A coded concept: its codings plus the best human text (CodeableConcept.text, else a display). */
export interface Concept {
  readonly text: string;
  readonly codings: readonly Code[];
}

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';

export interface PatientSummary {
  readonly ref: string;
  /** Whole years at the time of the hook; undefined when no birth date was given. */
  readonly ageYears?: number;
  readonly sex?: 'female' | 'male' | 'other' | 'unknown';
  /** As sent (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`). */
  readonly birthDate?: string;
}

export type MedicationOrigin = 'active' | 'draft';

/** A number with its unit as sent (the UCUM code when the system is UCUM, else the unit text). */
export interface Quantity {
  readonly value: number;
  readonly unit?: string;
}

/**
 * The structured parts of a medication's first dosage instruction (FHIR `Dosage`): what a sig says, without the
 * sig's free text. Absent when the instruction gives none of them.
 */
export interface Dosage {
  /** `doseAndRate[0].doseQuantity`. */
  readonly dose?: Quantity;
  /** `timing.repeat.frequency` times per `period` `periodUnit` (2 per 1 d = twice a day). */
  readonly frequency?: number;
  readonly period?: number;
  readonly periodUnit?: UnitOfTime;
  /** `route`, a coded concept (SNOMED CT route codes, or v3 RouteOfAdministration). */
  readonly route?: Concept;
  /** `asNeededBoolean`. */
  readonly asNeeded?: boolean;
}

export interface Medication {
  readonly ref: string;
  readonly origin: MedicationOrigin;
  /** FHIR status as sent (active, on-hold, draft, …). */
  readonly status: string;
  readonly concept: Concept;
  /** Ingredient concepts when the Medication resource lists them (combination products). */
  readonly ingredients: readonly Concept[];
  /** The first dosage instruction's free text (sig), as sent. */
  readonly dosageText?: string;
  readonly dosage?: Dosage;
  /** ISO date-time the order was authored, when given. */
  readonly authoredOn?: string;
  /** order-select: whether this draft is one of `context.selections`. Always false for active medications. */
  readonly selected: boolean;
  /** FHIR intent (order, plan, proposal…), when given. */
  readonly intent?: string;
  /** The Medication resource the order points at (`Medication/id` or `#contained`), when it used a reference. */
  readonly medicationRef?: string;
  /**
   * The MedicationRequest or MedicationStatement as sent, unmodified: an `update` suggestion (hold, stop) must carry
   * the whole resource, not just the fields the advisors read.
   */
  readonly resource?: Readonly<Record<string, unknown>>;
}

export interface Problem {
  readonly ref: string;
  readonly concept: Concept;
  /** active, recurrence, relapse, inactive, remission, resolved — or undefined when not stated. */
  readonly clinicalStatus?: string;
  /** unconfirmed, provisional, differential, confirmed, refuted, entered-in-error — or undefined. */
  readonly verificationStatus?: string;
  readonly onset?: string;
}

export interface Allergy {
  readonly ref: string;
  readonly concept: Concept;
  readonly clinicalStatus?: string;
  readonly verificationStatus?: string;
  readonly criticality?: string;
  readonly category: readonly string[];
  /** allergy | intolerance, when given. */
  readonly type?: string;
  /** `reaction[].substance`: the specific substances that caused reactions, often more precise than `concept`. */
  readonly reactionSubstances?: readonly Concept[];
  /** `reaction[].manifestation` texts (hives, anaphylaxis…), for the card detail. */
  readonly manifestations?: readonly string[];
  /** Each `reaction[]` with its coded manifestations and stated severity (mild, moderate, severe). */
  readonly reactions?: readonly AllergyReaction[];
  readonly recordedDate?: string;
}

export interface AllergyReaction {
  readonly manifestations: readonly Concept[];
  readonly severity?: string;
}

export interface LabResult {
  readonly ref: string;
  readonly concept: Concept;
  /** The LOINC code when one is present. */
  readonly loinc?: string;
  readonly value?: number;
  /** A coded result (`valueCodeableConcept`): its first code, e.g. SNOMED 10828004 Positive. */
  readonly valueCode?: string;
  /** A result given as text (`valueString`, or the text of `valueCodeableConcept`), e.g. "Positive". */
  readonly valueText?: string;
  /** UCUM unit after normalization (e.g. `mmol/L`, `mL/min/{1.73_m2}`). */
  readonly unit?: string;
  readonly comparator?: string;
  /** ISO date-time of the observation (effective or issued). */
  readonly effective?: string;
  readonly status?: string;
  /** The first interpretation coded in v3 ObservationInterpretation (H, L, HH…); its free text is not read. */
  readonly interpretation?: ObservationInterpretation;
  /** The analyte when the result is one the advisors reason about (by LOINC, or by name when uncoded). */
  readonly analyte?: Analyte;
  /** Value and unit exactly as the lab sent them (before normalization). */
  readonly originalValue?: number;
  readonly originalUnit?: string;
  /** Reference range from the lab, in the original unit. */
  readonly referenceLow?: number;
  readonly referenceHigh?: number;
}

/** What the service could not obtain: advisors must not treat absent data as "normal". */
export type MissingData = readonly PrefetchKey[];

export interface PatientContext {
  readonly hook: HookName;
  readonly now: Date;
  readonly patient: PatientSummary;
  readonly activeMedications: readonly Medication[];
  readonly draftOrders: readonly Medication[];
  /** Non-medication draft orders (ServiceRequest etc.) kept by reference for completeness. */
  readonly otherDraftRefs: readonly string[];
  readonly problems: readonly Problem[];
  readonly allergies: readonly Allergy[];
  readonly labs: readonly LabResult[];
  /** Vital-sign Observations (weight, height, blood pressure) when the EHR sent them; absent when it did not. */
  readonly vitals?: readonly LabResult[];
  readonly missing: MissingData;
}
