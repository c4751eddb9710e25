/**
 * From a validated request and its resolved data to what the advisors review, and from their outcomes to the
 * findings a service shows. The one path from request to review: production (`invoke.ts`), `npm run eval`, the
 * tests' scenario harness and the stage benchmark all take it, so what they score or time is what runs.
 */
import type { Patient } from 'fhir/r4.js';
import type { Advisor, AdvisorOutcome, Review } from '../advisors/types.js';
import type { ServiceDefinition, ServiceModule } from '../cds/service.js';
import type { HookRequest, PrefetchKey } from '../cds/types.js';
import { normalizePatientContext } from '../clinical/normalize.js';
import type { PatientContext } from '../clinical/types.js';
import { mergeFindings } from '../findings/merge.js';
import type { Finding } from '../findings/types.js';
import { bundleOf, type ResolvedValue } from '../prefetch/resolve.js';
import type { UnavailableData } from '../store/types.js';
import { raceDeadline } from './raceDeadline.js';

/** Each prefetch key's resolved value (`resolvePrefetch`, or `resolveAsSent` for a recorded request). */
export type ResolvedData = Readonly<Partial<Record<string, ResolvedValue>>>;

/** What the hook module chose to review, stamped with the service's one id and hook. */
export function reviewFor(service: ServiceModule, patient: PatientContext, hookInstance: string): Review {
  const { id, hook } = service.definition;
  return { serviceId: id, hook, patient, focus: service.focus(patient), hookInstance };
}

function patientOf(value: ResolvedValue | undefined): Patient | undefined {
  if (value?.state !== 'data') return undefined;
  return value.resource.resourceType === 'Patient' ? value.resource : undefined;
}

/** Prefetch keys that could be had neither way, with the resolver's reason (machine-made, never PHI). */
export function unavailableIn(data: ResolvedData): UnavailableData[] {
  const out: UnavailableData[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value?.state === 'unavailable')
      out.push({ key: key as PrefetchKey, reason: value.reason.slice(0, 200) });
  }
  return out;
}

/**
 * The review of `request` (validated for `service`) at `now`: the chart normalized from the resolved data, the
 * keys that could not be had reported missing, and the hook module's focus.
 */
export function reviewOf(
  service: ServiceModule,
  request: HookRequest,
  data: ResolvedData,
  now: Date,
): Review {
  const { context } = request;
  const patient = normalizePatientContext({
    hook: service.definition.hook,
    now,
    patientId: String(context.patientId),
    patient: patientOf(data.patient),
    medications: bundleOf(data.medications),
    conditions: bundleOf(data.conditions),
    allergies: bundleOf(data.allergies),
    labs: bundleOf(data.labs),
    labHistory: bundleOf(data.labHistory),
    vitals: bundleOf(data.vitals),
    draftOrders: 'draftOrders' in context ? context.draftOrders : undefined,
    selections: 'selections' in context ? (context.selections as string[]) : undefined,
    missing: unavailableIn(data).map((m) => m.key),
  });
  return reviewFor(service, patient, request.hookInstance);
}

/** Every advisor on the review, each settled by `signal` whatever it does afterwards. */
export function adviseWithin(
  advisors: readonly Advisor[],
  review: Review,
  signal: AbortSignal,
): Promise<AdvisorOutcome[]> {
  return Promise.all(
    advisors.map((advisor) => {
      const startedAt = performance.now();
      return raceDeadline(advisor.name, advisor.advise(review, signal), signal, startedAt);
    }),
  );
}

/**
 * The findings a service shows: the advisors' merged into one per concern, at or above the service's threshold.
 * Shadow mode's model findings go to the audit only, never into the answer.
 */
export function findingsOf(
  outcomes: readonly AdvisorOutcome[],
  definition: Pick<ServiceDefinition, 'minSeverity'>,
): Finding[] {
  return mergeFindings(
    outcomes.flatMap((o) => (o.trace?.mode === 'shadow' ? [] : o.findings)),
    definition.minSeverity,
  );
}
