/**
 * FHIR R4 → the normalized patient view (`types.ts`). Pure: no I/O, no clock (the caller passes `now`).
 * Accepts what EHRs really send: searchset Bundles with extra entries (OperationOutcome, included Medications),
 * medications by code or by reference, partially coded and text-only entries.
 */
import type {
  AllergyIntolerance,
  Bundle,
  Condition,
  FhirResource,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
} from 'fhir/r4.js';
import type { HookName, PrefetchKey } from '../cds/types.js';
import {
  isActiveOrder,
  isLiveDraft,
  medicationFromRequest,
  medicationFromStatement,
  relativeReference,
  ResourceIndex,
} from './medications.js';
import { labFromObservation } from './observations.js';
import { allergyFromResource, patientSummary, problemFromCondition } from './records.js';
import type { PatientContext } from './types.js';

export interface NormalizeInput {
  readonly hook: HookName;
  readonly now: Date;
  readonly patientId: string;
  readonly patient?: Patient;
  readonly medications?: Bundle;
  readonly conditions?: Bundle;
  readonly allergies?: Bundle;
  readonly labs?: Bundle;
  readonly draftOrders?: Bundle;
  /** order-select `context.selections` (`Type/id`). */
  readonly selections?: readonly string[];
  readonly missing: readonly PrefetchKey[];
  /** Extra bundles where referenced Medication resources may be found (e.g. a separate `_include` fetch). */
  readonly medicationSources?: readonly Bundle[];
}

export function resourcesOf<T extends FhirResource>(
  bundle: Bundle | undefined,
  type: T['resourceType'],
): T[] {
  return (bundle?.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is T => r !== undefined && r.resourceType === type);
}

export function normalizePatientContext(input: NormalizeInput): PatientContext {
  // `context.selections` may be relative (`MedicationRequest/1`) or absolute: compare on `Type/id`.
  const selections = new Set((input.selections ?? []).map(relativeReference));
  const index = new ResourceIndex([input.medications, input.draftOrders, ...(input.medicationSources ?? [])]);
  const activeRequests = resourcesOf<MedicationRequest>(input.medications, 'MedicationRequest')
    .filter(isActiveOrder)
    .map((mr) => medicationFromRequest(mr, 'active', selections, index));
  const activeStatements = resourcesOf<MedicationStatement>(input.medications, 'MedicationStatement')
    .filter((ms) => ms.status === 'active')
    .map((ms) => medicationFromStatement(ms, index));
  return {
    hook: input.hook,
    now: input.now,
    patient: patientSummary(input.patientId, input.patient, input.now),
    activeMedications: [...activeRequests, ...activeStatements],
    draftOrders: resourcesOf<MedicationRequest>(input.draftOrders, 'MedicationRequest')
      .filter(isLiveDraft)
      .map((mr) => medicationFromRequest(mr, 'draft', selections, index)),
    otherDraftRefs: (input.draftOrders?.entry ?? [])
      .map((e) => e.resource)
      .filter(
        (r): r is FhirResource =>
          r !== undefined && r.resourceType !== 'MedicationRequest' && r.resourceType !== 'Medication',
      )
      .map((r) => `${r.resourceType}/${r.id ?? 'unknown'}`),
    problems: resourcesOf<Condition>(input.conditions, 'Condition').map(problemFromCondition),
    allergies: resourcesOf<AllergyIntolerance>(input.allergies, 'AllergyIntolerance').map(
      allergyFromResource,
    ),
    labs: resourcesOf<Observation>(input.labs, 'Observation').map(labFromObservation),
    missing: input.missing,
  };
}
