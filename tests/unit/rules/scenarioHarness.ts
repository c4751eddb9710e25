/**
 * Runs a fixture scenario the way the service does: validate the request for the service, normalize the
 * prefetch, let the hook module choose the review, run the rules advisor. Shared by the scenario suite and the
 * per-rule tests so both exercise the real path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { SERVICES } from '../../../hooks/index.js';
import type { Finding, Review } from '../../../src/advisors/types.js';
import { createRulesAdvisor, type RulesAdvisor } from '../../../src/advisors/rules/index.js';
import type { HookRequest, PrefetchKey } from '../../../src/cds/types.js';
import { normalizePatientContext } from '../../../src/clinical/normalize.js';
import { validateHookRequest } from '../../../src/invocation/validateRequest.js';
import { PROJECT_ROOT } from '../../../src/paths.js';

export const SCENARIO_DIR = path.join(PROJECT_ROOT, 'tests/fixtures/scenarios');

export interface ExpectedFinding {
  readonly key: string;
  readonly ruleId: string;
  readonly severity: string;
}

export interface Scenario {
  readonly name: string;
  readonly request: HookRequest;
  readonly description: string;
  readonly now: Date;
  readonly services: Readonly<Record<string, readonly ExpectedFinding[]>>;
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.replace(/\.expected\.json$/, ''))
    .sort();
}

export function loadScenario(name: string): Scenario {
  const request = JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${name}.json`), 'utf8')) as HookRequest;
  const expected = JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${name}.expected.json`), 'utf8')) as {
    description: string;
    now: string;
    services: Record<string, ExpectedFinding[]>;
  };
  return {
    name,
    request,
    description: expected.description,
    now: new Date(expected.now),
    services: expected.services,
  };
}

/** The same request for another order hook: order-sign gets every draft and no selections. */
export function requestFor(request: HookRequest, hook: HookRequest['hook']): HookRequest {
  if (request.hook === hook) return request;
  const context: Record<string, unknown> = { ...request.context };
  delete context.selections;
  return { ...request, hook, context: context as HookRequest['context'] };
}

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
    // The optional `labHistory` key (CONTRACT): earlier results of the trend analytes, when the scenario has them.
    ...(prefetch.labHistory !== undefined && { labHistory: bundle(prefetch.labHistory) }),
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
