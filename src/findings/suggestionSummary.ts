/**
 * What a card's suggestion would do, kept in the audit so that a clinician's acceptance (CDS Hooks feedback names
 * only the suggestion's uuid) can be read as the order it placed or changed: "create MedicationRequest RxNorm 161
 * acetaminophen", "update MedicationRequest/abc to on-hold", "delete MedicationRequest/draft-1".
 *
 * PHI-free by construction, whatever the EHR sent:
 * - the label only when its builder says it is made of our own words and names (`FindingSuggestion.labelIsOurs`);
 * - per action its type, resource type and target reference (`Type/id`, as card evidence already keeps them);
 * - a code only from RxNorm, LOINC or SNOMED CT and only in that system's syntax (digits), so no text rides in it;
 * - a display only on `create`: the resources we create are built from our own tables (the rules' knowledge base,
 *   the model's guarded allow-lists). An `update` carries the EHR's own order with a new status, so of it only the
 *   target, the status we set and the code are kept — never its text, notes or displays.
 */
import type { FhirResource } from 'fhir/r4.js';
import { LOINC, RXNORM, SNOMED } from '../clinical/types.js';
import type { FindingAction, FindingSuggestion } from './types.js';

export interface ActionSummary {
  readonly type: 'create' | 'update' | 'delete';
  /** `MedicationRequest`, `ServiceRequest`, `Provenance`…; null when the action named none we could read. */
  readonly resourceType: string | null;
  /** `system|code` of the ordered medication or service. */
  readonly code?: string;
  /** The code's display from our own tables (create only). */
  readonly display?: string;
  /** The status an update sets (`on-hold`, `stopped`). */
  readonly status?: string;
  /** `Type/id` of the resource an update or delete changes. */
  readonly target?: string;
}

export interface SuggestionSummary {
  readonly uuid: string;
  /** The label shown, when it holds no chart text; null otherwise (the actions still say what it did). */
  readonly label: string | null;
  readonly actions: readonly ActionSummary[];
}

/** The code syntax per system we keep codes from: digits (RxCUI, SCTID) or a LOINC number with its check digit. */
const CODE_SYNTAX: Readonly<Record<string, RegExp>> = {
  [RXNORM]: /^\d{1,12}$/,
  [SNOMED]: /^\d{6,18}$/,
  [LOINC]: /^\d{1,7}-\d$/,
};
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const STATUS = /^[a-z][a-z-]{0,31}$/;
const MAX_DISPLAY = 200;

/** `Type/id` when both parts have FHIR's syntax; anything else is not kept. */
function reference(type: unknown, id: unknown): string | undefined {
  return typeof type === 'string' && RESOURCE_TYPE.test(type) && typeof id === 'string' && FHIR_ID.test(id)
    ? `${type}/${id}`
    : undefined;
}

/**
 * The medication ordered, or the service requested, as it came: an update carries the EHR's own order, whose
 * concept the hook's schema does not check field by field, so nothing about its shape is assumed.
 */
function conceptOf(resource: FhirResource): unknown {
  const r = resource as { medicationCodeableConcept?: unknown; code?: unknown };
  if (resource.resourceType === 'MedicationRequest') return r.medicationCodeableConcept;
  if (resource.resourceType === 'ServiceRequest') return r.code;
  return undefined;
}

/** The first coding in a system and syntax we keep. */
function codedOf(resource: FhirResource, withDisplay: boolean): Pick<ActionSummary, 'code' | 'display'> {
  const codings = (conceptOf(resource) as { coding?: unknown } | null | undefined)?.coding;
  if (!Array.isArray(codings)) return {};
  for (const coding of codings as unknown[]) {
    const { system, code, display } = (coding ?? {}) as {
      system?: unknown;
      code?: unknown;
      display?: unknown;
    };
    const syntax =
      typeof system === 'string' && Object.hasOwn(CODE_SYNTAX, system) ? CODE_SYNTAX[system] : undefined;
    if (!syntax || typeof code !== 'string' || !syntax.test(code)) continue;
    const shown = withDisplay && typeof display === 'string' ? display.slice(0, MAX_DISPLAY) : '';
    return { code: `${system as string}|${code}`, ...(shown !== '' && { display: shown }) };
  }
  return {};
}

function resourceTypeOf(resource: FhirResource): string | null {
  return RESOURCE_TYPE.test(resource.resourceType) ? resource.resourceType : null;
}

export function actionSummary(action: FindingAction): ActionSummary {
  switch (action.type) {
    case 'create':
      return {
        type: 'create',
        resourceType: resourceTypeOf(action.resource),
        ...codedOf(action.resource, true),
      };
    case 'update': {
      const { resource } = action;
      const target = reference(resource.resourceType, resource.id);
      const status = (resource as { status?: unknown }).status;
      return {
        type: 'update',
        resourceType: resourceTypeOf(resource),
        ...codedOf(resource, false),
        ...(typeof status === 'string' && STATUS.test(status) && { status }),
        ...(target !== undefined && { target }),
      };
    }
    case 'delete': {
      const [type, id, ...rest] = action.resourceId.split('/');
      const target = rest.length === 0 ? reference(type, id) : undefined;
      return {
        type: 'delete',
        resourceType: target === undefined ? null : type!,
        ...(target !== undefined && { target }),
      };
    }
  }
}

export function suggestionSummary(suggestion: FindingSuggestion, uuid: string): SuggestionSummary {
  return {
    uuid,
    label: suggestion.labelIsOurs ? suggestion.label : null,
    actions: suggestion.actions.map(actionSummary),
  };
}

const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  [RXNORM]: 'RxNorm',
  [SNOMED]: 'SNOMED CT',
  [LOINC]: 'LOINC',
};

/** One line for a sheet or a list: the label when kept, then what each action does. */
export function describeSuggestion(summary: SuggestionSummary): string {
  const actions = summary.actions.map(describeAction).join('; ');
  return summary.label === null ? actions : `${summary.label} (${actions})`;
}

/** `create MedicationRequest acetaminophen [RxNorm 161]`, `update MedicationRequest/abc to on-hold`. */
export function describeAction(a: ActionSummary): string {
  const parts: string[] = [a.type, a.target ?? a.resourceType ?? 'a resource'];
  if (a.display !== undefined) parts.push(a.display);
  if (a.code !== undefined) {
    const bar = a.code.lastIndexOf('|');
    const system = a.code.slice(0, bar);
    parts.push(`[${SYSTEM_NAMES[system] ?? system} ${a.code.slice(bar + 1)}]`);
  }
  if (a.status !== undefined) parts.push(`to ${a.status}`);
  return parts.join(' ');
}
