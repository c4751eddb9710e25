/**
 * MedicationRequest (and MedicationStatement) → `Medication`. The drug may be inline (`medicationCodeableConcept`)
 * or a `medicationReference` to a contained Medication (`#id`), to a Medication elsewhere in the prefetched or
 * draft-order bundles (`Medication/id`, an absolute URL, or a bundle `fullUrl` such as `urn:uuid:…`), or to
 * nothing we can see — then the reference's `display` is all we have, and it is kept as text so name matching
 * still works. Ingredients come from `Medication.ingredient` (codeable or referenced Substance/Medication).
 */
import { conceptOf, textConcept } from './concept.js';
import { asArray, asMember, asNumber, asRecord, asRecords, asString, type JsonRecord } from './guards.js';
import type { Concept, Dosage, Medication, MedicationOrigin, Quantity } from './types.js';
import { UNITS_OF_TIME } from './valueSets.js';

/** `https://ehr/fhir/MedicationRequest/1/_history/2` → `MedicationRequest/1`; anything else is returned as is. */
export function relativeReference(reference: string): string {
  return /([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference)?.[1] ?? reference;
}

/** Resources findable by reference across the bundles of one hook call. */
export class ResourceIndex {
  private readonly byKey = new Map<string, JsonRecord>();

  /** `bundles`: Bundles as sent, if any. */
  constructor(bundles: readonly unknown[]) {
    for (const bundle of bundles) {
      for (const entry of asRecords(asRecord(bundle)?.entry)) {
        const r = asRecord(entry.resource);
        if (!r) continue;
        const fullUrl = asString(entry.fullUrl);
        const type = asString(r.resourceType);
        const id = asString(r.id);
        if (fullUrl) this.byKey.set(fullUrl, r);
        if (type && id) this.byKey.set(`${type}/${id}`, r);
      }
    }
  }

  /** Resolves `Type/id`, an absolute URL ending in `Type/id` (history suffix allowed) or a `fullUrl`. */
  find(reference: string): JsonRecord | undefined {
    return this.byKey.get(reference) ?? this.byKey.get(relativeReference(reference));
  }
}

function containedIn(holder: JsonRecord, reference: string): JsonRecord | undefined {
  if (!reference.startsWith('#')) return undefined;
  const id = reference.slice(1);
  return asRecords(holder.contained).find((r) => asString(r.id) === id);
}

/** `reference`: a Reference as sent; `holders`: resources whose contained resources `#id` may point into. */
function resolve(
  reference: unknown,
  holders: readonly JsonRecord[],
  index: ResourceIndex,
): JsonRecord | undefined {
  const ref = asString(asRecord(reference)?.reference);
  if (!ref) return undefined;
  for (const holder of holders) {
    const found = containedIn(holder, ref);
    if (found) return found;
  }
  return ref.startsWith('#') ? undefined : index.find(ref);
}

function isOfType(resource: JsonRecord | undefined, ...types: string[]): resource is JsonRecord {
  const type = asString(resource?.resourceType);
  return type !== undefined && types.includes(type);
}

function ingredientsOf(med: JsonRecord, owner: JsonRecord, index: ResourceIndex): Concept[] {
  const out: Concept[] = [];
  for (const ing of asRecords(med.ingredient)) {
    if (ing.isActive === false) continue;
    if (asRecord(ing.itemCodeableConcept)) {
      out.push(conceptOf(ing.itemCodeableConcept));
      continue;
    }
    const item = resolve(ing.itemReference, [med, owner], index);
    const display = asString(asRecord(ing.itemReference)?.display);
    if (isOfType(item, 'Substance', 'Medication')) out.push(conceptOf(item.code));
    else if (display) out.push(textConcept(display));
  }
  return out;
}

interface DrugOf {
  readonly concept: Concept;
  readonly ingredients: readonly Concept[];
  readonly medicationRef?: string;
}

/** The drug a request or statement (as sent) is about, however it was expressed. */
export function drugOf(holder: JsonRecord, index: ResourceIndex): DrugOf {
  if (asRecord(holder.medicationCodeableConcept))
    return { concept: conceptOf(holder.medicationCodeableConcept), ingredients: [] };
  const reference = asRecord(holder.medicationReference);
  const display = asString(reference?.display);
  const medicationRef = asString(reference?.reference);
  const target = resolve(reference, [holder], index);
  if (isOfType(target, 'Medication')) {
    const ingredients = ingredientsOf(target, holder, index);
    const fallback = display ?? ingredients.map((i) => i.text).join(' / ');
    return { concept: conceptOf(target.code, fallback), ingredients, medicationRef };
  }
  return { concept: textConcept(display ?? 'unnamed medication'), ingredients: [], medicationRef };
}

/** The first dosage's text (`dosageInstruction` of a request, `dosage` of a statement). */
function dosageTextOf(dosages: unknown): string | undefined {
  return asString(asRecord(asArray(dosages)[0])?.text);
}

const UCUM = 'http://unitsofmeasure.org';

/** A FHIR Quantity with a finite value; its unit is the UCUM code when coded in UCUM, else the unit text. */
function quantityOf(value: unknown): Quantity | undefined {
  const quantity = asRecord(value);
  const number = asNumber(quantity?.value);
  if (number === undefined) return undefined;
  const system = asString(quantity?.system);
  const unit = (system === UCUM ? asString(quantity?.code) : undefined) ?? asString(quantity?.unit);
  return unit === undefined ? { value: number } : { value: number, unit };
}

/** A FHIR positiveInt: a whole number above zero. */
function positiveInt(value: unknown): number | undefined {
  const n = asNumber(value);
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A number above zero (a period of 0 days says nothing). */
function positive(value: unknown): number | undefined {
  const n = asNumber(value);
  return n !== undefined && n > 0 ? n : undefined;
}

/** The structured parts of the first dosage, or undefined when it has none. */
function dosageOf(dosages: unknown): Dosage | undefined {
  const first = asRecord(asArray(dosages)[0]);
  if (!first) return undefined;
  const repeat = asRecord(asRecord(first.timing)?.repeat);
  const route = asRecord(first.route) ? conceptOf(first.route) : undefined;
  const dosage: Dosage = {
    dose: quantityOf(asRecord(asArray(first.doseAndRate)[0])?.doseQuantity),
    frequency: positiveInt(repeat?.frequency),
    period: positive(repeat?.period),
    periodUnit: asMember(repeat?.periodUnit, UNITS_OF_TIME),
    route: route && route.codings.length > 0 ? route : undefined,
    // asNeededCodeableConcept: "as needed for" a coded reason, so as needed.
    asNeeded:
      typeof first.asNeededBoolean === 'boolean'
        ? first.asNeededBoolean
        : asRecord(first.asNeededCodeableConcept)
          ? true
          : undefined,
  };
  return Object.values(dosage).some((part) => part !== undefined) ? dosage : undefined;
}

/**
 * FHIR status is required; one that is missing or not a string is FHIR's own `unknown` ("the source system does not
 * know which of the status values applies"), so `Medication.status` is always a string.
 */
function statusOf(resource: JsonRecord): string {
  return asString(resource.status) ?? 'unknown';
}

/** `mr`: a MedicationRequest as sent. */
export function medicationFromRequest(
  mr: JsonRecord,
  origin: MedicationOrigin,
  selections: ReadonlySet<string>,
  index: ResourceIndex,
): Medication {
  const ref = `MedicationRequest/${asString(mr.id) ?? 'unknown'}`;
  const drug = drugOf(mr, index);
  return {
    ref,
    origin,
    status: statusOf(mr),
    concept: drug.concept,
    ingredients: drug.ingredients,
    dosageText: dosageTextOf(mr.dosageInstruction),
    dosage: dosageOf(mr.dosageInstruction),
    authoredOn: asString(mr.authoredOn),
    selected: origin === 'draft' && selections.has(ref),
    intent: asString(mr.intent),
    medicationRef: drug.medicationRef,
    resource: mr,
  };
}

/** `ms`: a MedicationStatement as sent. */
export function medicationFromStatement(ms: JsonRecord, index: ResourceIndex): Medication {
  const drug = drugOf(ms, index);
  return {
    ref: `MedicationStatement/${asString(ms.id) ?? 'unknown'}`,
    origin: 'active',
    status: statusOf(ms),
    concept: drug.concept,
    ingredients: drug.ingredients,
    dosageText: dosageTextOf(ms.dosage),
    dosage: dosageOf(ms.dosage),
    authoredOn: statementDate(ms),
    selected: false,
    medicationRef: drug.medicationRef,
    resource: ms,
  };
}

/** When the statement was last made true: asserted, else the start (or moment) of its effective time. */
function statementDate(ms: JsonRecord): string | undefined {
  return (
    asString(ms.dateAsserted) ??
    asString(ms.effectiveDateTime) ??
    asString(asRecord(ms.effectivePeriod)?.start)
  );
}

/** A patient-reported medication older than this, never re-asserted, no longer says what the patient takes. */
export const STATEMENT_CURRENT_DAYS = 365;

/**
 * A MedicationStatement that still describes today: status active, an effective period that has not ended, and
 * asserted within `STATEMENT_CURRENT_DAYS` (a statement with no date at all is kept: its age is unknown, not old).
 */
export function isCurrentStatement(ms: JsonRecord, now: Date): boolean {
  if (ms.status !== 'active') return false;
  const end = Date.parse(asString(asRecord(ms.effectivePeriod)?.end) ?? '');
  if (!Number.isNaN(end) && end < now.getTime()) return false;
  const asserted = Date.parse(statementDate(ms) ?? '');
  return Number.isNaN(asserted) || now.getTime() - asserted <= STATEMENT_CURRENT_DAYS * 86_400_000;
}

/** Draft statuses that mean "not going to be ordered": never reviewed. */
const DEAD_DRAFT_STATUSES = new Set(['entered-in-error', 'cancelled', 'stopped', 'completed']);

export function isLiveDraft(mr: JsonRecord): boolean {
  return !DEAD_DRAFT_STATUSES.has(statusOf(mr));
}

/** Only orders the patient is actually on: `active` (on-hold, stopped, completed… are not taken now). */
export function isActiveOrder(mr: JsonRecord): boolean {
  return mr.status === 'active';
}
