/**
 * CDS Hooks 2.0 wire types. Each links to the section of the spec it models
 * (https://cds-hooks.hl7.org/2.0/). The JSON Schemas in `schemas/` describe the same shapes; `tests/unit/
 * cds-types.test.ts` keeps the two from drifting apart.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';

export const HOOKS = ['patient-view', 'order-select', 'order-sign'] as const;
export type HookName = (typeof HOOKS)[number];

/** The contract's five keys: every service declares them. */
export const PREFETCH_KEYS = ['patient', 'medications', 'conditions', 'allergies', 'labs'] as const;
/**
 * The contract's optional keys (CONTRACT.md): the history of the analytes trends need, and vital signs. Declared
 * by every service, never required: without them the longitudinal checks degrade and the data-gap card says so.
 */
export const OPTIONAL_PREFETCH_KEYS = ['labHistory', 'vitals'] as const;
export type PrefetchKey = (typeof PREFETCH_KEYS)[number] | (typeof OPTIONAL_PREFETCH_KEYS)[number];

/** https://cds-hooks.hl7.org/2.0/#fhir-resource-access */
export interface FhirAuthorization {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  subject: string;
  patient?: string;
}

interface ContextBase {
  userId: string;
  patientId: string;
  encounterId?: string;
  [field: string]: unknown;
}

/** https://cds-hooks.org/hooks/patient-view/ */
export type PatientViewContext = ContextBase;

/** https://cds-hooks.org/hooks/order-select/ */
export interface OrderSelectContext extends ContextBase {
  selections: string[];
  draftOrders: Bundle;
}

/** https://cds-hooks.org/hooks/order-sign/ */
export interface OrderSignContext extends ContextBase {
  draftOrders: Bundle;
}

export interface HookContexts {
  'patient-view': PatientViewContext;
  'order-select': OrderSelectContext;
  'order-sign': OrderSignContext;
}

/** A prefetch value as received: a resource, a searchset Bundle, an OperationOutcome, or null for "no data". */
export type PrefetchValue = FhirResource | null;

/** https://cds-hooks.hl7.org/2.0/#http-request_1 */
export interface HookRequest<H extends HookName = HookName> {
  hook: H;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  context: HookContexts[H];
  prefetch?: Partial<Record<string, PrefetchValue>>;
  extension?: Record<string, unknown>;
}

/** https://cds-hooks.hl7.org/2.0/#coding */
export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export type Indicator = 'info' | 'warning' | 'critical';

/** https://cds-hooks.hl7.org/2.0/#source */
export interface Source {
  label: string;
  url?: string;
  icon?: string;
  topic?: Coding;
}

/** https://cds-hooks.hl7.org/2.0/#action */
export type Action =
  | { type: 'create'; description: string; resource: FhirResource }
  | { type: 'update'; description: string; resource: FhirResource }
  | { type: 'delete'; description: string; resourceId: string };

/** https://cds-hooks.hl7.org/2.0/#suggestion */
export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions?: Action[];
}

/** https://cds-hooks.hl7.org/2.0/#link */
export interface Link {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

/** The contract's provenance extension: where a card came from and which data shaped it. */
export interface Provenance {
  advisor: 'rules' | 'model';
  ruleId?: string;
  model?: string;
  promptVersion?: string;
  evidence: string[];
}

export const PROVENANCE_EXTENSION = 'cds-advisor.provenance';

/** https://cds-hooks.hl7.org/2.0/#card-attributes */
export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: Indicator;
  source: Source;
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
  links?: Link[];
  extension: { [PROVENANCE_EXTENSION]: Provenance } & Record<string, unknown>;
}

/** https://cds-hooks.hl7.org/2.0/#cds-service-response */
export interface HookResponse {
  cards: Card[];
  systemActions?: Action[];
}

/** https://cds-hooks.hl7.org/2.0/#response */
export interface DiscoveryService {
  hook: HookName;
  id: string;
  title: string;
  description: string;
  prefetch: Record<PrefetchKey, string>;
  usageRequirements?: string;
}
