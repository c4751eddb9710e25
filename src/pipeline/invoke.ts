/**
 * One hook call, start to finish: validate → resolve data → normalize → advisors (within the budget) → cards →
 * validate → answer. The audit record goes to the store's queue, off the hot path (or, with
 * AUDIT_BEFORE_ANSWER, is written before the answer leaves, within the deadline).
 */
import type { Advisor, AdvisorOutcome } from '../advisors/types.js';
import type { Finding } from '../findings/types.js';
import type { Registry } from '../cds/registry.js';
import type { HookRequest, HookResponse } from '../cds/types.js';
import { buildCards } from '../cards/build.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { optionalReadReserveMs } from '../prefetch/priority.js';
import { type FhirGate, resolvePrefetch } from '../prefetch/resolve.js';
import type { FhirServerCheck } from '../security/ssrf.js';
import type { ClientIdentity } from '../security/types.js';
import type {
  AiAdviceRecord,
  AuditWriteOutcome,
  InvocationOutcome,
  InvocationRecord,
  OverrideRepeatRecord,
  OverrideScope,
  Store,
  UnavailableData,
} from '../store/types.js';
import type { Deadline } from '../timing/deadline.js';
import { clientPseudonym, type Pseudonymizer, userPseudonym } from './pseudonym.js';
import {
  applySelectionOverrides,
  draftOrdersOf,
  type PendingRepeat,
  selectionOverridesWithin,
  withCardsShown,
} from './overrides.js';
import { aiAdviceOf } from './aiAdvice.js';
import { adviseWithin, findingsOf, reviewOf, unavailableIn } from './review.js';
import { validateHookRequest } from './validateRequest.js';

export interface InvocationDeps {
  readonly registry: Registry;
  readonly advisors: readonly Advisor[];
  readonly store: Store;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly pseudonymize: Pseudonymizer;
  readonly prefetchMaxPages: number;
  /** Largest FHIR response body accepted, per page (FHIR_MAX_RESPONSE_BYTES). */
  readonly fhirMaxResponseBytes: number;
  /** SSRF guard: may this client make us fetch from `url`? The normalized base when it may, a reason when not. */
  readonly checkFhirServer: (client: ClientIdentity, url: string) => FhirServerCheck;
  /** Bounds concurrent reads per FHIR server across hook calls. */
  readonly fhirGate?: FhirGate;
  /** The clock for the call's time (lab ages, the override window, the audit); the real one when absent. */
  readonly now?: () => Date;
  /** AUDIT_BEFORE_ANSWER: the answer waits (within the deadline) until its audit record is written. */
  readonly auditBeforeAnswer?: boolean;
}

export interface InvocationInput {
  readonly serviceId: string;
  readonly body: unknown;
  readonly client: ClientIdentity;
  readonly deadline: Deadline;
}

/**
 * Time kept back from the budget for the rules, building cards and writing the response. Calls that arrive
 * together reach their deadlines together and are answered one after another, so the reserve covers a burst, not
 * one call (docs/performance.md, "Why the code is shaped this way").
 */
export const RESPONSE_RESERVE_MS = 100;

/** What the wait for the audit row leaves of the deadline: serializing and sending the answer, nothing else. */
const AUDIT_WAIT_RESERVE_MS = 50;

/**
 * Hands the call's audit record to the store's queue. With AUDIT_BEFORE_ANSWER, returns the wait for its
 * durable write, cut short by the deadline; on a store failure the wait ends and the record stays queued.
 */
function recordAudit(
  deps: InvocationDeps,
  deadline: Deadline,
  record: InvocationRecord,
): Promise<AuditWriteOutcome> | undefined {
  if (!deps.auditBeforeAnswer) {
    deps.store.audit.record(record);
    return undefined;
  }
  return deps.store.audit.recordDurably(record, deadline.signal(AUDIT_WAIT_RESERVE_MS));
}

export async function invokeService(deps: InvocationDeps, input: InvocationInput): Promise<HookResponse> {
  const service = deps.registry.get(input.serviceId);
  if (!service) throw new AppError('not_found', `No CDS service with id ${input.serviceId}`);
  const { definition } = service;
  const request: HookRequest = validateHookRequest(definition, input.body);
  const startedAt = deps.now?.() ?? new Date();
  const { deadline } = input;
  const context = request.context as Readonly<Record<string, unknown>>;
  const patientId = String(request.context.patientId);
  const scope: OverrideScope = {
    patientPseudonym: deps.pseudonymize(patientId),
    userPseudonym: userPseudonym(deps.pseudonymize, String(request.context.userId)),
    clientPseudonym: clientPseudonym(deps.pseudonymize, input.client),
  };

  let outcome: InvocationOutcome = 'error';
  let outcomes: AdvisorOutcome[] = [];
  let built: ReturnType<typeof buildCards> | undefined;
  let missingData: UnavailableData[] = [];
  let overrideRepeats: OverrideRepeatRecord[] = [];
  let aiAdvice: AiAdviceRecord | undefined;
  try {
    const fetchReserveMs = RESPONSE_RESERVE_MS * 2;
    const resolved = await resolvePrefetch({
      templates: definition.prefetch,
      required: definition.requiredPrefetch,
      context,
      prefetch: request.prefetch,
      fhirServer: request.fhirServer,
      fhirAuthorization: request.fhirAuthorization,
      signal: deadline.signal(fetchReserveMs),
      // Optional keys give up at their share of the time for FHIR reads, so required ones never wait them out.
      optionalSignal: deadline.signal(optionalReadReserveMs(deadline.remainingMs(), fetchReserveMs)),
      maxPages: deps.prefetchMaxPages,
      ...(definition.historyPrefetch && { firstPageOnly: definition.historyPrefetch }),
      maxResponseBytes: deps.fhirMaxResponseBytes,
      checkFhirServer: (url) => deps.checkFhirServer(input.client, url),
      onFetch: (key, result) => deps.metrics.prefetchFetches.inc({ key, outcome: result }),
      ...(deps.fhirGate ? { gate: deps.fhirGate } : {}),
    });
    if (!resolved.ok) {
      outcome = 'precondition-failed';
      throw resolved.error;
    }
    missingData = unavailableIn(resolved.value);
    const review = reviewOf(service, request, resolved.value, startedAt);

    const signal = deadline.signal(RESPONSE_RESERVE_MS);
    const quietWindow = definition.quietOverriddenWithinMinutes;
    const overrides = quietWindow
      ? selectionOverridesWithin(deps.store, scope, quietWindow, signal, startedAt)
      : undefined;
    outcomes = await adviseWithin(deps.advisors, review, signal);
    for (const o of outcomes) {
      deps.metrics.advisorRuns.inc({ service: definition.id, advisor: o.advisor, status: o.status });
      deps.metrics.advisorDuration.observe(
        { service: definition.id, advisor: o.advisor },
        o.latencyMs / 1000,
      );
    }
    let findings: Finding[] = findingsOf(outcomes, definition);
    const draftRefs = new Set(review.patient.draftOrders.map((d) => d.ref));
    let repeats: readonly PendingRepeat[] = [];
    if (overrides) {
      const applied = applySelectionOverrides(findings, await overrides, draftRefs);
      deps.metrics.suppressedFindings.inc({ service: definition.id }, applied.suppressed);
      findings = applied.findings;
      repeats = applied.repeats;
    }
    built = buildCards(findings, definition.id, request.hookInstance, (f) => draftOrdersOf(f, draftRefs));
    overrideRepeats = withCardsShown(repeats, built.records);
    const trace = outcomes.find((o) => o.trace)?.trace;
    if (trace) aiAdvice = aiAdviceOf(trace, built.records, definition.minSeverity);
    for (const dropped of built.dropped) {
      deps.metrics.droppedCards.inc({ service: definition.id, advisor: dropped.finding.advisor });
      deps.logger.warn('card dropped: failed outgoing validation', {
        advisor: dropped.finding.advisor,
        ruleId: dropped.finding.ruleId,
        errors: dropped.errors,
      });
    }
    outcome = 'ok';
    return { cards: built.cards };
  } finally {
    const written = recordAudit(deps, deadline, {
      hookInstance: request.hookInstance,
      serviceId: definition.id,
      hook: definition.hook,
      startedAt,
      durationMs: deadline.elapsedMs(),
      outcome,
      ...scope,
      advisors: outcomes.map((o) => ({
        advisor: o.advisor,
        status: o.status,
        latencyMs: Math.round(o.latencyMs * 1000) / 1000,
        findings: o.findings.length,
      })),
      cards: built?.records ?? [],
      missingData,
      dataGaps: outcomes.flatMap((o) => o.gaps ?? []),
      overrideRepeats,
      ...(aiAdvice && { aiAdvice }),
    });
    if (written) await written;
  }
}
