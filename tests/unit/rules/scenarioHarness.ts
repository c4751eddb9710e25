/**
 * Runs a fixture scenario the way the service does: validate the request for the service, then the production
 * path from request to review (`src/pipeline/review.ts`), then the rules advisor. Shared by the scenario suite and the
 * per-rule tests so both exercise the real path.
 */
import { SERVICES } from '../../../hooks/index.js';
import type { Review } from '../../../src/advisors/types.js';
import type { Finding } from '../../../src/findings/types.js';
import { createRulesAdvisor, type RulesAdvisor } from '../../../src/advisors/rules/index.js';
import type { HookRequest, PrefetchKey } from '../../../src/cds/types.js';
import { reviewOf } from '../../../src/pipeline/review.js';
import { validateHookRequest } from '../../../src/pipeline/validateRequest.js';
import { resolveAsSent } from '../../../src/prefetch/resolve.js';
import { requestFor } from '../../../scripts/lib/scenarios.js';

let advisor: RulesAdvisor | undefined;
export function rulesAdvisor(): RulesAdvisor {
  advisor ??= createRulesAdvisor();
  return advisor;
}

/**
 * The review the service would make of `body` for `serviceId`, through the production path from request to review
 * (`src/pipeline/review.ts`) on the prefetch as sent; `missing` prefetch keys are left out of the request and so
 * reported missing, as when the EHR sent an OperationOutcome and no FHIR server.
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
  const prefetch: Record<string, unknown> = { ...request.prefetch };
  for (const key of missing) delete prefetch[key];
  // The keys the scenario sends, and those it leaves out to test their absence: a key it never mentions is not
  // part of the chart replayed (as when the EHR's prefetch covers what the scenario is about).
  const keys = Object.keys(service.definition.prefetch).filter(
    (k) => k in prefetch || missing.includes(k as PrefetchKey),
  );
  const data = resolveAsSent(keys, prefetch, service.definition.historyPrefetch ?? []);
  return reviewOf(service, request, data, now);
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
