/**
 * Runs a fixture scenario the way the service does: validate the request for the service, normalize the
 * prefetch, let the hook module choose the review, run the rules advisor. Shared by the scenario suite and the
 * per-rule tests so both exercise the real path.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { SERVICES } from '../../../hooks/index.js';
import type { Review } from '../../../src/advisors/types.js';
import type { Finding } from '../../../src/findings/types.js';
import { createRulesAdvisor, type RulesAdvisor } from '../../../src/advisors/rules/index.js';
import type { HookRequest, PrefetchKey } from '../../../src/cds/types.js';
import { normalizePatientContext } from '../../../src/clinical/normalize.js';
import { validateHookRequest } from '../../../src/pipeline/validateRequest.js';
import { requestFor } from '../../../scripts/lib/scenarios.js';

let advisor: RulesAdvisor | undefined;
export function rulesAdvisor(): RulesAdvisor {
  advisor ??= createRulesAdvisor();
  return advisor;
}

function bundle(value: unknown): Bundle | undefined {
  return (value as FhirResource | undefined)?.resourceType === 'Bundle' ? (value as Bundle) : undefined;
}

/**
 * The review the service would make of `body` for `serviceId`; `missing` prefetch keys are left out of the request
 * and reported missing, as when the EHR sent an OperationOutcome and no FHIR server.
 */
export function reviewFor(
  serviceId: string,
  body: HookRequest,
  now: Date,
  missing: readonly PrefetchKey[] = [],
): Review {
  const service = SERVICES.find((s) => s.definition.id === serviceId);
  if (!service) throw new Error(`no service ${serviceId}`);
  const request = validateHookRequest(service.definition, requestFor(body, service.definition.hook));
  const prefetch: Record<string, FhirResource | null | undefined> = { ...request.prefetch };
  for (const key of missing) delete prefetch[key];
  const context = request.context as Record<string, unknown>;
  const patient = normalizePatientContext({
    hook: request.hook,
    now,
    patientId: String(request.context.patientId),
    patient: prefetch.patient?.resourceType === 'Patient' ? prefetch.patient : undefined,
    medications: bundle(prefetch.medications),
    conditions: bundle(prefetch.conditions),
    allergies: bundle(prefetch.allergies),
    labs: bundle(prefetch.labs),
    // The optional `vitals` key (CONTRACT): sent by the scenario when it has vital signs.
    ...(prefetch.vitals !== undefined && { vitals: bundle(prefetch.vitals) }),
    draftOrders: bundle(context.draftOrders),
    selections: context.selections as string[] | undefined,
    missing: [...missing],
  });
  return service.review(patient, { hookInstance: request.hookInstance });
}

export async function runService(
  serviceId: string,
  body: HookRequest,
  now: Date,
): Promise<readonly Finding[]> {
  const outcome = await rulesAdvisor().advise(reviewFor(serviceId, body, now), new AbortController().signal);
  if (outcome.status !== 'ok') throw new Error(`rules advisor ${outcome.status}: ${outcome.reason ?? ''}`);
  return outcome.findings;
}
