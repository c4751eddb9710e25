/**
 * FHIR R4 → the normalized patient view (`types.ts`). Pure: no I/O, no clock (the caller passes `now`).
 * Accepts what EHRs really send: searchset Bundles with extra entries (OperationOutcome, included Medications),
 * medications by code or by reference, partially coded and text-only entries.
 * Total: the resources were only shape-checked (a string `resourceType`), so every field is read through
 * `guards.ts` and one of the wrong JSON type counts as absent. Whatever JSON arrives, a context comes back and the
 * well-formed parts of the chart are still reviewed.
 */
import type { HookName, PrefetchKey } from '../cds/types.js';
import { asArray, asRecord, asString, asStrings, type JsonRecord } from './guards.js';
import {
  isActiveOrder,
  isCurrentStatement,
  isLiveDraft,
  medicationFromRequest,
  medicationFromStatement,
  relativeReference,
  ResourceIndex,
} from './medications.js';
import { labFromObservation } from './observations.js';
import { allergyFromResource, patientSummary, problemFromCondition } from './records.js';
import type { LabResult, PatientContext } from './types.js';

/**
 * The FHIR parts are typed `unknown`: they are JSON as the EHR or its FHIR server sent it, checked for a
 * `resourceType` at most. The comment on each says what it should be.
 */
export interface NormalizeInput {
  readonly hook: HookName;
  readonly now: Date;
  readonly patientId: string;
  /** A Patient. */
  readonly patient?: unknown;
  /** Bundles (searchsets) of MedicationRequest/MedicationStatement, Condition, AllergyIntolerance, Observation. */
  readonly medications?: unknown;
  readonly conditions?: unknown;
  readonly allergies?: unknown;
  readonly labs?: unknown;
  /**
   * A Bundle of earlier results of the analytes trends need (the optional `labHistory` key): merged into `labs`,
   * one entry per resource, so every reader sees the whole series.
   */
  readonly labHistory?: unknown;
  /** A Bundle of vital-sign Observations (weight, height, blood pressure), when the EHR sent one. */
  readonly vitals?: unknown;
  /** A Bundle of draft orders (order-select, order-sign). */
  readonly draftOrders?: unknown;
  /** order-select `context.selections` (`Type/id`). */
  readonly selections?: readonly string[];
  readonly missing: readonly PrefetchKey[];
  /** Extra Bundles where referenced Medication resources may be found (e.g. a separate `_include` fetch). */
  readonly medicationSources?: readonly unknown[];
}

/**
 * The resources in a Bundle as sent (of one type, when given), skipping entries or resources that are not objects;
 * their fields are still to be read through the guards.
 */
export function resourcesOf(bundle: unknown, type?: string): JsonRecord[] {
  // A loop, not flatMap and filter: it runs over every entry of every Bundle of every hook call.
  const resources: JsonRecord[] = [];
  for (const entry of asArray(asRecord(bundle)?.entry)) {
    const resource = asRecord(asRecord(entry)?.resource);
    if (resource && (type === undefined || resource.resourceType === type)) resources.push(resource);
  }
  return resources;
}

/**
 * The recent labs, then the history's results that are not already among them (by `Observation/id`; a result
 * without an id cannot be matched, so it is kept).
 */
function labsWithHistory(labs: unknown, history: unknown): LabResult[] {
  const out = resourcesOf(labs, 'Observation').map(labFromObservation);
  if (history === undefined) return out;
  const refs = new Set(out.map((lab) => lab.ref));
  for (const lab of resourcesOf(history, 'Observation').map(labFromObservation)) {
    if (lab.ref !== 'Observation/unknown' && refs.has(lab.ref)) continue;
    refs.add(lab.ref);
    out.push(lab);
  }
  return out;
}

export function normalizePatientContext(input: NormalizeInput): PatientContext {
  // `context.selections` may be relative (`MedicationRequest/1`) or absolute: compare on `Type/id`.
  const selections = new Set(asStrings(input.selections).map(relativeReference));
  const index = new ResourceIndex([
    input.medications,
    input.draftOrders,
    ...asArray(input.medicationSources),
  ]);
  const activeRequests = resourcesOf(input.medications, 'MedicationRequest')
    .filter(isActiveOrder)
    .map((mr) => medicationFromRequest(mr, 'active', selections, index));
  const activeStatements = resourcesOf(input.medications, 'MedicationStatement')
    .filter((ms) => isCurrentStatement(ms, input.now))
    .map((ms) => medicationFromStatement(ms, index));
  return {
    hook: input.hook,
    now: input.now,
    patient: patientSummary(input.patientId, input.patient, input.now),
    activeMedications: [...activeRequests, ...activeStatements],
    draftOrders: resourcesOf(input.draftOrders, 'MedicationRequest')
      .filter(isLiveDraft)
      .map((mr) => medicationFromRequest(mr, 'draft', selections, index)),
    otherDraftRefs: resourcesOf(input.draftOrders).flatMap((r) => {
      const type = asString(r.resourceType);
      if (!type || type === 'MedicationRequest' || type === 'Medication') return [];
      return [`${type}/${asString(r.id) ?? 'unknown'}`];
    }),
    problems: resourcesOf(input.conditions, 'Condition').map(problemFromCondition),
    allergies: resourcesOf(input.allergies, 'AllergyIntolerance').map(allergyFromResource),
    labs: labsWithHistory(input.labs, input.labHistory),
    ...(input.vitals !== undefined && {
      vitals: resourcesOf(input.vitals, 'Observation').map(labFromObservation),
    }),
    missing: input.missing,
  };
}
