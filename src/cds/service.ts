/**
 * What a module in `hooks/` exports: its discovery definition and a pure handler that says which medications the
 * advisors review. Handlers never see `req`/`res`, the network or the clock; the pipeline stamps the review with the
 * definition's id and hook (`src/pipeline/review.ts`), so the id is written once.
 */
import type { Medication, PatientContext } from '../clinical/types.js';
import type { Severity } from '../findings/types.js';
import type { DiscoveryService, HookName, PrefetchKey } from './types.js';

export interface ServiceDefinition<H extends HookName = HookName> extends DiscoveryService {
  readonly hook: H;
  /**
   * Prefetch keys the service cannot answer safely without. When one of these can be had neither from the
   * request's prefetch nor from the FHIR server, the answer is 412. Other keys degrade the advice instead.
   */
  readonly requiredPrefetch: readonly PrefetchKey[];
  /**
   * Keys whose template asks for the newest N results (`_sort=-date&_count=N`, the lab history): the first page
   * is the answer, so later pages are neither fetched nor required.
   */
  readonly historyPrefetch?: readonly PrefetchKey[];
  /** Findings below this severity are not shown for this service (alert-fatigue control). */
  readonly minSeverity: Severity;
  /**
   * Do not repeat a non-critical finding that the same user of the same EHR client overrode, with a reason, on an
   * order-select card about the same draft orders of the same patient within this many minutes (order-sign after
   * order-select; src/pipeline/overrides.ts). Unset: always show.
   */
  readonly quietOverriddenWithinMinutes?: number;
}

export interface ServiceModule<H extends HookName = HookName> {
  readonly definition: ServiceDefinition<H>;
  /**
   * The medications under review for this hook (the selected drafts, every draft, or the active list); the rest of
   * the chart is their context.
   */
  focus(patient: PatientContext): readonly Medication[];
}

/** The discovery entry for a definition: exactly the CDS Hooks fields, nothing internal. */
export function discoveryEntry(definition: ServiceDefinition): DiscoveryService {
  const { hook, id, title, description, prefetch, usageRequirements } = definition;
  return usageRequirements
    ? { hook, id, title, description, prefetch, usageRequirements }
    : { hook, id, title, description, prefetch };
}
