/**
 * MedicationRequest (and MedicationStatement) → `Medication`. The drug may be inline (`medicationCodeableConcept`)
 * or a `medicationReference` to a contained Medication (`#id`), to a Medication elsewhere in the prefetched or
 * draft-order bundles (`Medication/id`, an absolute URL, or a bundle `fullUrl` such as `urn:uuid:…`), or to
 * nothing we can see — then the reference's `display` is all we have, and it is kept as text so name matching
 * still works. Ingredients come from `Medication.ingredient` (codeable or referenced Substance/Medication).
 */
import type {
  Bundle,
  FhirResource,
  Medication as FhirMedication,
  MedicationRequest,
  MedicationStatement,
  Reference,
  Resource,
} from 'fhir/r4.js';
import { conceptOf, textConcept } from './concept.js';
import type { Concept, Medication, MedicationOrigin } from './types.js';

/** `https://ehr/fhir/MedicationRequest/1/_history/2` → `MedicationRequest/1`; anything else is returned as is. */
export function relativeReference(reference: string): string {
  return /([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference)?.[1] ?? reference;
}

/** Resources findable by reference across the bundles of one hook call. */
export class ResourceIndex {
  private readonly byKey = new Map<string, FhirResource>();

  constructor(bundles: readonly (Bundle | undefined)[]) {
    for (const bundle of bundles) {
      for (const entry of bundle?.entry ?? []) {
        // Entries are typed as the base Resource; every real entry is one of the concrete FHIR resources.
        const r = entry.resource as FhirResource | undefined;
        if (!r) continue;
        if (entry.fullUrl) this.byKey.set(entry.fullUrl, r);
        if (r.id) this.byKey.set(`${r.resourceType}/${r.id}`, r);
      }
    }
  }

  /** Resolves `Type/id`, an absolute URL ending in `Type/id` (history suffix allowed) or a `fullUrl`. */
  find(reference: string): FhirResource | undefined {
    return this.byKey.get(reference) ?? this.byKey.get(relativeReference(reference));
  }
}

/** Anything that may carry contained resources (`#id` references point into it). */
interface Holder {
  readonly contained?: readonly Resource[];
}

function containedIn(holder: Holder, reference: string): FhirResource | undefined {
  if (!reference.startsWith('#')) return undefined;
  const id = reference.slice(1);
  return holder.contained?.find((r) => r.id === id) as FhirResource | undefined;
}

function resolve(
  reference: Reference | undefined,
  holders: readonly Holder[],
  index: ResourceIndex,
): FhirResource | undefined {
  const ref = reference?.reference;
  if (!ref) return undefined;
  for (const holder of holders) {
    const found = containedIn(holder, ref);
    if (found) return found;
  }
  return ref.startsWith('#') ? undefined : index.find(ref);
}

function ingredientsOf(med: FhirMedication, owner: Holder, index: ResourceIndex): Concept[] {
  const out: Concept[] = [];
  for (const ing of med.ingredient ?? []) {
    if (ing.isActive === false) continue;
    if (ing.itemCodeableConcept) {
      out.push(conceptOf(ing.itemCodeableConcept));
      continue;
    }
    const item = resolve(ing.itemReference, [med, owner], index);
    if (item?.resourceType === 'Substance' || item?.resourceType === 'Medication')
      out.push(conceptOf(item.code));
    else if (ing.itemReference?.display) out.push(textConcept(ing.itemReference.display));
  }
  return out;
}

interface DrugOf {
  readonly concept: Concept;
  readonly ingredients: readonly Concept[];
  readonly medicationRef?: string;
}

/** The drug a request or statement is about, however it was expressed. */
export function drugOf(holder: MedicationRequest | MedicationStatement, index: ResourceIndex): DrugOf {
  if (holder.medicationCodeableConcept)
    return { concept: conceptOf(holder.medicationCodeableConcept), ingredients: [] };
  const reference = holder.medicationReference;
  const target = resolve(reference, [holder], index);
  if (target?.resourceType === 'Medication') {
    const ingredients = ingredientsOf(target, holder, index);
    const fallback = reference?.display ?? ingredients.map((i) => i.text).join(' / ');
    return { concept: conceptOf(target.code, fallback), ingredients, medicationRef: reference?.reference };
  }
  return {
    concept: textConcept(reference?.display ?? 'unnamed medication'),
    ingredients: [],
    medicationRef: reference?.reference,
  };
}

export function medicationFromRequest(
  mr: MedicationRequest,
  origin: MedicationOrigin,
  selections: ReadonlySet<string>,
  index: ResourceIndex,
): Medication {
  const ref = `MedicationRequest/${mr.id ?? 'unknown'}`;
  const drug = drugOf(mr, index);
  return {
    ref,
    origin,
    status: mr.status,
    concept: drug.concept,
    ingredients: drug.ingredients,
    dosageText: mr.dosageInstruction?.[0]?.text,
    authoredOn: mr.authoredOn,
    selected: origin === 'draft' && selections.has(ref),
    intent: mr.intent,
    medicationRef: drug.medicationRef,
  };
}

export function medicationFromStatement(ms: MedicationStatement, index: ResourceIndex): Medication {
  const drug = drugOf(ms, index);
  return {
    ref: `MedicationStatement/${ms.id ?? 'unknown'}`,
    origin: 'active',
    status: ms.status,
    concept: drug.concept,
    ingredients: drug.ingredients,
    dosageText: ms.dosage?.[0]?.text,
    authoredOn: ms.dateAsserted,
    selected: false,
    medicationRef: drug.medicationRef,
  };
}

/** Draft statuses that mean "not going to be ordered": never reviewed. */
const DEAD_DRAFT_STATUSES = new Set(['entered-in-error', 'cancelled', 'stopped', 'completed']);

export function isLiveDraft(mr: MedicationRequest): boolean {
  return !DEAD_DRAFT_STATUSES.has(mr.status);
}

/** Only orders the patient is actually on: `active` (on-hold, stopped, completed… are not taken now). */
export function isActiveOrder(mr: MedicationRequest): boolean {
  return mr.status === 'active';
}
