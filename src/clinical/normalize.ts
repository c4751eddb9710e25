/**
 * FHIR R4 → the normalized patient view (`types.ts`). Pure: no I/O, no clock (the caller passes `now`).
 * FIRST CUT — the rules issue owns and extends this module (medicationReference, units, labs, allergies…).
 */
import type { Bundle, FhirResource, MedicationRequest, Patient } from 'fhir/r4.js';
import type { HookName, PrefetchKey } from '../cds/types.js';
import type { Concept, Medication, PatientContext } from './types.js';

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
}

export function resourcesOf<T extends FhirResource>(bundle: Bundle | undefined, type: T['resourceType']): T[] {
  return (bundle?.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is T => r !== undefined && r.resourceType === type);
}

function conceptOf(cc: { text?: string; coding?: { system?: string; code?: string; display?: string }[] } | undefined): Concept {
  const codings = (cc?.coding ?? []).map((c) => ({ system: c.system, code: c.code, display: c.display }));
  const text = cc?.text ?? codings.find((c) => c.display)?.display ?? codings[0]?.code ?? 'unnamed';
  return { text, codings };
}

function medicationOf(mr: MedicationRequest, origin: 'active' | 'draft', selections: ReadonlySet<string>): Medication {
  const ref = `MedicationRequest/${mr.id ?? 'unknown'}`;
  return {
    ref,
    origin,
    status: mr.status,
    concept: conceptOf(mr.medicationCodeableConcept),
    ingredients: [],
    dosageText: mr.dosageInstruction?.[0]?.text,
    authoredOn: mr.authoredOn,
    selected: origin === 'draft' && selections.has(ref),
  };
}

export function normalizePatientContext(input: NormalizeInput): PatientContext {
  const selections = new Set(input.selections ?? []);
  return {
    hook: input.hook,
    now: input.now,
    patient: { ref: `Patient/${input.patientId}` },
    activeMedications: resourcesOf<MedicationRequest>(input.medications, 'MedicationRequest')
      .filter((mr) => mr.status === 'active')
      .map((mr) => medicationOf(mr, 'active', selections)),
    draftOrders: resourcesOf<MedicationRequest>(input.draftOrders, 'MedicationRequest').map((mr) =>
      medicationOf(mr, 'draft', selections),
    ),
    otherDraftRefs: (input.draftOrders?.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is FhirResource => r !== undefined && r.resourceType !== 'MedicationRequest')
      .map((r) => `${r.resourceType}/${r.id ?? 'unknown'}`),
    problems: [],
    allergies: [],
    labs: [],
    missing: input.missing,
  };
}
