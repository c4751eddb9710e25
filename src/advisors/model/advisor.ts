/**
 * The model advisor: de-identify (`deidentify.ts`, `series.ts`) → cache → kill switch / lane / rate limit / circuit
 * breaker (`resilience.ts`) → one bounded call through the gateway with the hook's prompt (`prompt.ts`, `tasks.ts`)
 * → validate (`output.ts`) → guards, claim checks, insight cap (`advice.ts`) → labelled findings (`findings.ts`). It settles as soon as the hook's signal aborts
 * (status `timeout`, no findings); the call itself runs on up to `maxCallMs` and a late answer fills the cache for
 * the next hook. Calls for the same de-identified input share one request in flight. The breaker judges calls,
 * not hooks: a call that answers after its hook's deadline is slow, not failed. Expected failures never throw:
 * they are outcomes.
 */
import {
  BrokenCircuitError,
  IsolatedCircuitError,
  TaskCancelledError,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { Registry } from 'prom-client';
import type { Advisor, AdvisorOutcome, AdvisorStatus, AiMode, ModelTrace, Review } from '../types.js';
import type { Finding } from '../../findings/types.js';
import { adviceFor, hasAnythingToReview } from './advice.js';
import { type AiSwitch, InMemoryAiSwitch } from './aiSwitch.js';
import { AdviceCache, adviceCacheKey } from './cache.js';
import { type Deidentified, deidentify } from './deidentify.js';
import { type DrugVocabulary, FALLBACK_VOCABULARY } from './keys.js';
import { createModelMetrics, type ModelMetrics } from './metrics.js';
import { endingOf, reportOutcome } from './outcomes.js';
import { callPolicies, type CircuitName, circuitName } from './resilience.js';
import { DEFAULT_MODEL_ADVISOR_OPTIONS, type ModelAdvisorDeps, type ModelAdvisorOptions } from './options.js';
import { answerOf, type ModelAnswer, OutputRejectedError } from './output.js';
import { PROMPT_VERSION, buildMessages } from './prompt.js';
import { lane } from './tasks.js';
import { explained } from './transparency.js';
import {
  type CallFailure,
  classifyCallError,
  codeLabel,
  type LaneReport,
  type ModelGateway,
  ModelLane,
} from './gateway/index.js';
import { syntheticProbeMessages } from './gateway/synthetic.js';
import {
  DeadlineMissedError,
  FAIR_CHANCE,
  ModelCallError,
  QueuedPastDeadlineError,
  untilAborted,
} from './waiting.js';

export { DEFAULT_MODEL_ADVISOR_OPTIONS, type ModelAdvisorDeps, type ModelAdvisorOptions } from './options.js';

interface Flight {
  readonly promise: Promise<ModelAnswer>;
  /** Stops the call (while it still waits for a slot, nobody can use it: it would only delay fresher calls). */
  readonly cancel: () => void;
  readonly state: {
    /** Hooks still awaiting this call; zero when it settles means the answer came late. */
    waiters: number;
    /** When the request left for the endpoint (after any wait for a concurrency slot). */
    sentAt?: number;
  };
}

export class ModelAdvisor implements Advisor {
  readonly name = 'model' as const;
  private readonly options: ModelAdvisorOptions;
  private readonly metrics: ModelMetrics;
  private readonly aiSwitch: AiSwitch;
  private readonly cache: AdviceCache;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly lane: ModelLane;
  private readonly inFlight = new Map<string, Flight>();
  /** One controller per call in flight, so `close()` can stop them (no long-lived signal to chain onto). */
  private readonly calls = new Set<AbortController>();
  private closed = false;
  private rateLimitedUntil = 0;
  private readonly vocabulary: DrugVocabulary;

  constructor(
    private readonly gateway: ModelGateway,
    private readonly deps: ModelAdvisorDeps & { readonly tokenScope?: string },
  ) {
    this.options = { ...DEFAULT_MODEL_ADVISOR_OPTIONS, ...deps.options };
    this.metrics = createModelMetrics(deps.metricsRegistry ?? new Registry());
    this.aiSwitch = deps.aiSwitch ?? new InMemoryAiSwitch();
    this.vocabulary = deps.drugVocabulary ?? FALLBACK_VOCABULARY;
    this.cache = new AdviceCache({
      maxEntries: this.options.cacheMaxEntries,
      ttlMs: this.options.cacheTtlMs,
    });
    ({ breaker: this.breaker, bulkhead: this.bulkhead } = callPolicies(
      this.options,
      this.metrics,
      deps.logger,
    ));
    this.lane = new ModelLane(
      gateway.port,
      () => gateway.capabilities,
      deps.logger,
      { tripAfter: this.options.laneTripAfter, recheckMs: this.options.laneRecheckMs },
      () => this.probe(),
      (state) => this.metrics.laneUsable.set(state === 'usable' ? 1 : 0),
      deps.tokenScope,
    );
    this.metrics.laneUsable.set(1);
  }

  get circuitState(): CircuitName {
    return circuitName(this.breaker.state);
  }

  /** The lane's state, endpoint kind, model, capabilities and what to fix: for `/readyz` and the dashboard. */
  health(): LaneReport & { readonly circuit: string } {
    return { ...this.lane.report(), circuit: this.circuitState };
  }

  /** Re-checks a stopped lane now instead of at its next periodic probe. */
  recheck(): Promise<void> {
    return this.lane.recheck();
  }

  async advise(review: Review, signal: AbortSignal): Promise<AdvisorOutcome> {
    const startedAt = performance.now();
    const done = (
      status: AdvisorStatus,
      findings: readonly Finding[],
      reason?: string,
      failure?: CallFailure,
      trace?: ModelTrace,
    ): AdvisorOutcome => ({
      ...reportOutcome(this.metrics, this.deps.logger, review.serviceId, startedAt, {
        status,
        findings,
        ...(reason !== undefined && { reason }),
        ...(failure !== undefined && { failure }),
      }),
      ...(trace && { trace }),
    });

    try {
      const mode = await this.modeOf(review.serviceId, signal);
      if (mode !== 'on' && mode !== 'shadow')
        return done('disabled', [], mode === 'off' ? 'switched-off' : 'switch-unavailable');
      // Order hooks ask about their drafts (none selected: nothing to ask); patient-view about the whole chart.
      if (!hasAnythingToReview(review)) return done('ok', [], 'nothing-to-review');
      const deid = deidentify(review.patient, this.vocabulary);
      const key = adviceCacheKey(deid.input, lane(deid.question), PROMPT_VERSION, this.gateway.port.model);
      const cached = this.cache.entry(key);
      if (cached) {
        const used = this.findingsOf(cached.answer, deid, review, { mode, servedFrom: 'cache', ...cached });
        return done('cached', used.findings, undefined, undefined, used.trace);
      }
      // A lane stopped by a configuration error calls no more until a re-check finds the endpoint answering.
      if (this.lane.state !== 'usable') return done('error', [], this.lane.state);
      if (signal.aborted) return done('timeout', [], 'deadline');
      if (performance.now() < this.rateLimitedUntil) return done('rate-limited', [], 'retry-after');

      const answer = await this.waitForCall(key, deid, signal);
      const used = this.findingsOf(answer, deid, review, {
        mode,
        servedFrom: 'call',
        answeredAt: new Date(),
      });
      return done('ok', used.findings, undefined, undefined, used.trace);
    } catch (err) {
      const ended = endingOf(err);
      if (!ended)
        this.deps.logger.error('model advisor failed unexpectedly', {
          error: err instanceof Error ? err.name : 'unknown',
        });
      return done(...(ended ?? (['error', [], 'exception'] as const)));
    }
  }

  /** The AI switch's answer, never waited for past the deadline; undefined when it could not answer (fail closed). */
  private async modeOf(serviceId: string, signal: AbortSignal): Promise<AiMode | undefined> {
    let answer: AiMode | Promise<AiMode>;
    try {
      answer = this.aiSwitch.mode(serviceId);
    } catch {
      return undefined;
    }
    if (typeof answer === 'string') return answer;
    try {
      return await untilAborted(answer, signal);
    } catch (err) {
      if (err instanceof DeadlineMissedError) throw err;
      return undefined;
    }
  }

  /** Resolves once every call in flight has settled (and late answers are cached): for graceful shutdown and tests. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.promise));
  }

  /** Stops every call in flight (their hooks have long answered), the lane's re-checks, and forgets cached advice. */
  close(): void {
    this.closed = true;
    this.lane.close();
    for (const call of this.calls) call.abort();
    this.cache.clear();
  }

  /** The checked answer's findings, as their cards explain them, and the account of every item for the audit. */
  private findingsOf(
    answer: ModelAnswer,
    deid: Deidentified,
    review: Review,
    use: { mode: 'on' | 'shadow'; servedFrom: 'call' | 'cache'; answeredAt: Date },
  ): { findings: readonly Finding[]; trace: ModelTrace } {
    const context = {
      deployment: this.gateway.port.model,
      modelVersion: answer.modelVersion,
      patientRef: review.patient.patient.ref,
      vocabulary: this.vocabulary,
    };
    const advice = adviceFor(answer, deid, review, context, this.options.maxInsightCards);
    for (const [reason, count] of Object.entries(advice.dropped))
      this.metrics.itemsDropped.inc({ reason }, count);
    // The guard's decisions, for the safety team: reasons and counts only (no chart data, no model text).
    if (Object.keys(advice.dropped).length > 0 && this.deps.logger.isLevelEnabled('info'))
      this.deps.logger.info('model items dropped', { service: review.serviceId, dropped: advice.dropped });
    const card = {
      factSheetUrl: this.deps.factSheetUrl,
      servedFrom: use.servedFrom,
      answeredAt: use.answeredAt,
      now: review.patient.now,
      input: deid.input,
      deployment: this.gateway.port.model,
      modelVersion: answer.modelVersion,
      promptVersion: PROMPT_VERSION,
    };
    const findings = advice.findings.map((finding) => explained(finding, card));
    const trace: ModelTrace = {
      mode: use.mode,
      endpointKind: this.gateway.port.kind,
      deployment: this.gateway.port.model,
      modelVersion: answer.modelVersion,
      promptVersion: PROMPT_VERSION,
      servedFrom: use.servedFrom,
      answeredAt: use.answeredAt.toISOString(),
      input: deid.input,
      invalidItems: answer.invalidItems,
      items: answer.items.map((returned, i) => {
        const fate = advice.fates[i]!;
        const finding = fate.finding === undefined ? undefined : findings[fate.finding];
        return {
          returned,
          guard: fate.decision,
          ...(finding && { findingKey: finding.key, evidence: finding.evidence }),
        };
      }),
    };
    return { findings, trace };
  }

  /** Waits for this input's call (starting it if none is in flight), but never past the hook's deadline. */
  private async waitForCall(key: string, deid: Deidentified, signal: AbortSignal): Promise<ModelAnswer> {
    const flight = this.inFlight.get(key) ?? this.start(key, deid);
    const waitingSince = performance.now();
    flight.state.waiters++;
    try {
      return await untilAborted(flight.promise, signal);
    } catch (err) {
      if (err instanceof DeadlineMissedError) {
        const now = performance.now();
        const out = flight.state.sentAt === undefined ? 0 : now - flight.state.sentAt;
        if (out < FAIR_CHANCE * (now - waitingSince)) throw new QueuedPastDeadlineError();
      }
      throw err;
    } finally {
      flight.state.waiters--;
      if (flight.state.waiters === 0 && flight.state.sentAt === undefined) flight.cancel();
    }
  }

  /** The call itself, classified where it fails, and counted for the lane. */
  private async call(messages: Parameters<ModelGateway['complete']>[0], signal: AbortSignal) {
    try {
      const completion = await this.gateway.complete(messages, { signal, timeoutMs: this.options.maxCallMs });
      this.lane.succeeded(completion.model);
      if (completion.usage) {
        this.metrics.tokens.inc({ type: 'prompt' }, completion.usage.promptTokens);
        this.metrics.tokens.inc({ type: 'completion' }, completion.usage.completionTokens);
      }
      return completion;
    } catch (err) {
      const failure = classifyCallError(err);
      this.lane.failed(failure);
      throw new ModelCallError(failure);
    }
  }

  /** The lane's re-check: one call with a synthetic patient, outside the breaker, the bulkhead and the cache. */
  private async probe(): Promise<void> {
    const controller = new AbortController();
    const limit = setTimeout(() => controller.abort(), this.options.maxCallMs);
    this.calls.add(controller);
    try {
      await this.call(syntheticProbeMessages(), controller.signal);
    } finally {
      clearTimeout(limit);
      this.calls.delete(controller);
    }
  }

  private start(key: string, deid: Deidentified): Flight {
    const controller = new AbortController();
    const limit = setTimeout(() => controller.abort(), this.options.maxCallMs);
    limit.unref();
    if (this.closed) controller.abort();
    this.calls.add(controller);
    const callSignal = controller.signal;
    const startedAt = performance.now();
    const state: Flight['state'] = { waiters: 0 };
    const settle = (outcome: string, code: string): void => {
      this.metrics.calls.inc({ outcome, code });
      this.metrics.callDuration.observe({ outcome }, (performance.now() - startedAt) / 1000);
    };
    // The breaker sees the call to its end, not the hooks' deadlines: a slow answer is a success.
    const run = async (): Promise<ModelAnswer> => {
      const completion = await this.breaker.execute(async () => {
        try {
          return await this.bulkhead.execute(() => {
            state.sentAt = performance.now();
            return this.call(buildMessages(deid), callSignal);
          }, callSignal);
        } catch (err) {
          if (err instanceof TaskCancelledError)
            throw new ModelCallError({
              status: 'timeout',
              reason: 'abandoned-in-queue',
              tripsBreaker: false,
            });
          throw err;
        }
      });
      return answerOf(completion, this.gateway.port.model);
    };

    const promise = run().then(
      (answer) => {
        settle('ok', 'none');
        this.cache.set(key, answer);
        if (state.waiters === 0) this.metrics.lateAnswers.inc({ outcome: 'cached' });
        return answer;
      },
      (err: unknown) => {
        if (err instanceof ModelCallError && err.failure.retryAfterMs !== undefined) {
          this.rateLimitedUntil =
            performance.now() + Math.min(err.failure.retryAfterMs, this.options.maxRetryAfterMs);
        }
        const outcome =
          err instanceof ModelCallError
            ? err.failure.reason
            : err instanceof OutputRejectedError
              ? 'output-rejected'
              : err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError
                ? 'circuit-open'
                : 'rejected-by-bulkhead';
        settle(outcome, err instanceof ModelCallError ? codeLabel(err.failure) : 'none');
        if (state.waiters === 0) this.metrics.lateAnswers.inc({ outcome: 'lost' });
        throw err;
      },
    );
    // A call every hook has stopped waiting for must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    void promise
      .finally(() => {
        clearTimeout(limit);
        this.calls.delete(controller);
        this.inFlight.delete(key);
      })
      .catch(() => undefined);
    const flight: Flight = { promise, state, cancel: () => controller.abort() };
    this.inFlight.set(key, flight);
    return flight;
  }
}
