/**
 * The model advisor: de-identify → cache → kill switch / lane / rate limit / circuit breaker → one bounded call
 * through the gateway → validate → guards → labelled findings. It settles as soon as the hook's signal aborts
 * (status `timeout`, no findings); the call itself runs on up to `maxCallMs` and a late answer fills the cache for
 * the next hook. Calls for the same de-identified input share one request in flight. The breaker judges calls,
 * not hooks: a call that answers after its hook's deadline is slow, not failed. Expected failures never throw:
 * they are outcomes.
 */
import type { TokenCredential } from '@azure/identity';
import {
  BulkheadRejectedError,
  CircuitState,
  BrokenCircuitError,
  IsolatedCircuitError,
  SamplingBreaker,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { Registry } from 'prom-client';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { settleBy } from '../../invocation/settleBy.js';
import type { Advisor, AdvisorOutcome, AdvisorStatus, Finding, Review } from '../types.js';
import { type AiSwitch, InMemoryAiSwitch } from './aiSwitch.js';
import { AdviceCache, adviceCacheKey } from './cache.js';
import { type Deidentified, type ModelInput, deidentify } from './deidentify.js';
import { findingOf } from './findings.js';
import { guardAnswer } from './guards.js';
import { type DrugVocabulary, FALLBACK_VOCABULARY } from './keys.js';
import { createModelMetrics, type ModelMetrics, type ModelOutcomeLabel } from './metrics.js';
import { type ModelAnswer, OutputRejectedError, parseAnswer } from './output.js';
import { PROMPT_VERSION, buildMessages } from './prompt.js';
import { defaultVocabulary } from './vocabulary.js';
import {
  type CallFailure,
  classifyCallError,
  codeLabel,
  createModelPort,
  type LaneReport,
  ModelGateway,
  ModelLane,
  modelEndpointOf,
  type NegotiatedCompletion,
} from './gateway/index.js';
import { syntheticProbeMessages } from './gateway/synthetic.js';
import { KIND_FACTS } from '../../modelEndpoint.js';

export interface ModelAdvisorOptions {
  /** Hard cap on one model call, and so the bounded wait for a late answer to reach the cache. */
  readonly maxCallMs: number;
  readonly cacheTtlMs: number;
  readonly cacheMaxEntries: number;
  /**
   * The circuit opens when more than `breakerFailureRate` of the model calls in the last `breakerWindowMs` failed
   * (5xx, connection, or no answer within `maxCallMs`), once at least `breakerMinimumCalls` ran in that window.
   * A call that answers after its hook's deadline counts as a success: slowness is not failure. A rate, not a
   * count of consecutive failures: with many calls in parallel, "consecutive" says little about the model's health.
   */
  readonly breakerFailureRate: number;
  readonly breakerWindowMs: number;
  readonly breakerMinimumCalls: number;
  /** How long the circuit stays open before one trial call. */
  readonly breakerCooldownMs: number;
  /** Model calls out at once, late ones included; a hook finding them all taken is answered `rate-limited`. */
  readonly maxConcurrentCalls: number;
  /**
   * Calls that may wait for a slot. Default 0: a queued call seldom beats a hook's deadline, and one that starts
   * late holds a slot a fresh hook needed (measured: at saturation a queue of 32 turned every hook into a miss).
   */
  readonly maxQueuedCalls: number;
  /** Upper bound on honouring a 429's `retry-after`. */
  readonly maxRetryAfterMs: number;
  /** Configuration errors in a row (400/404/422, or 401/403) that stop the lane. */
  readonly laneTripAfter: number;
  /** How often a stopped lane re-checks the endpoint with a synthetic patient. */
  readonly laneRecheckMs: number;
}

export const DEFAULT_MODEL_ADVISOR_OPTIONS: ModelAdvisorOptions = {
  maxCallMs: 20_000,
  cacheTtlMs: 10 * 60_000,
  cacheMaxEntries: 500,
  breakerFailureRate: 0.5,
  breakerWindowMs: 30_000,
  breakerMinimumCalls: 5,
  breakerCooldownMs: 30_000,
  maxConcurrentCalls: 32,
  maxQueuedCalls: 0,
  maxRetryAfterMs: 60_000,
  laneTripAfter: 3,
  laneRecheckMs: 60_000,
};

export interface ModelAdvisorDeps {
  readonly logger: Logger;
  /**
   * Drug names as the rules know them (finding keys, recognising drugs in free text). `createModelAdvisor` loads
   * the rules' knowledge base when not given.
   */
  readonly drugVocabulary?: DrugVocabulary;
  /** The app's registry; a private one when not given. */
  readonly metricsRegistry?: Registry;
  /** The kill switch; everything on when not given. */
  readonly aiSwitch?: AiSwitch;
  /** Entra ID credential for keyless auth (tests inject one); `DefaultAzureCredential` otherwise. */
  readonly credential?: TokenCredential;
  readonly options?: Partial<ModelAdvisorOptions>;
}

/** The hook's deadline passed while the model was still working. */
class DeadlineMissedError extends Error {
  override readonly name = 'DeadlineMissedError';
}

/** A failed call, classified once where it happened. */
class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
  constructor(readonly failure: CallFailure) {
    super(`model call failed: ${failure.reason}`);
  }
}

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

/**
 * A hook's deadline passed while its call was still waiting for a concurrency slot, or had been sent too late
 * to have a fair chance: local congestion, reported as `queued` rather than `deadline`.
 */
class QueuedPastDeadlineError extends Error {
  override readonly name = 'QueuedPastDeadlineError';
}

/** A deadline miss is the model's only if its call was out for most of the time the hook waited. */
const FAIR_CHANCE = 0.8;

/** `promise`'s outcome, or a DeadlineMissedError as soon as `signal` aborts: settleBy's race, told as a rejection. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return settleBy<() => T>(
    promise.then((value) => () => value),
    signal,
    () => () => {
      throw new DeadlineMissedError();
    },
    (err) => () => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  ).then((outcome) => outcome());
}

function answerOf(completion: NegotiatedCompletion, configuredModel: string): ModelAnswer {
  if (completion.finishReason === 'content_filter') throw new OutputRejectedError('content-filter');
  if (completion.refusal) throw new OutputRejectedError('refusal');
  if (completion.finishReason === 'length') throw new OutputRejectedError('truncated');
  return parseAnswer(completion.content, completion.model || configuredModel);
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
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof ModelCallError && err.failure.tripsBreaker),
      {
        halfOpenAfter: this.options.breakerCooldownMs,
        breaker: new SamplingBreaker({
          threshold: this.options.breakerFailureRate,
          duration: this.options.breakerWindowMs,
          minimumRps: (this.options.breakerMinimumCalls * 1000) / this.options.breakerWindowMs,
        }),
      },
    );
    this.breaker.onStateChange((state) => {
      this.metrics.circuitOpen.set(state === CircuitState.Closed ? 0 : 1);
      deps.logger.warn('model circuit breaker state changed', { state: CircuitState[state] });
    });
    this.bulkhead = bulkhead(this.options.maxConcurrentCalls, this.options.maxQueuedCalls);
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

  get circuitState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    const names = {
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'isolated',
    } as const;
    return names[this.breaker.state];
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
    ): AdvisorOutcome => {
      const label: ModelOutcomeLabel =
        status === 'rejected' ? 'output-rejected' : reason === 'nothing-to-review' ? 'skipped' : status;
      this.metrics.outcomes.inc({ service: review.serviceId, outcome: label });
      const latencyMs = performance.now() - startedAt;
      const level = status === 'error' ? 'warn' : 'debug';
      // winston builds and streams a line before its level filter drops it: ask first (debug is off by default).
      if (this.deps.logger.isLevelEnabled(level)) {
        this.deps.logger.log(level, 'model advice', {
          status,
          reason,
          findings: findings.length,
          latencyMs: Math.round(latencyMs),
          ...(failure?.provider && {
            httpStatus: failure.provider.httpStatus,
            code: failure.provider.code,
            param: failure.provider.param,
          }),
        });
      }
      return { advisor: 'model', status, findings, latencyMs, ...(reason && { reason }) };
    };

    try {
      const enabled = await this.isEnabled(review.serviceId, signal);
      if (enabled !== true)
        return done('disabled', [], enabled === false ? 'switched-off' : 'switch-unavailable');
      const deid = deidentify(review.patient, this.vocabulary);
      // The hook asks about its focus (selected drafts, all drafts, or the active list): none, nothing to ask.
      if (review.focus.length === 0) return done('ok', [], 'nothing-to-review');
      const key = adviceCacheKey(deid.input, PROMPT_VERSION, this.gateway.port.model);
      const cached = this.cache.get(key);
      if (cached) return done('cached', this.findingsOf(cached, deid, review));
      // A lane stopped by a configuration error calls no more until a re-check finds the endpoint answering.
      if (this.lane.state !== 'usable') return done('error', [], this.lane.state);
      if (signal.aborted) return done('timeout', [], 'deadline');
      if (performance.now() < this.rateLimitedUntil) return done('rate-limited', [], 'retry-after');

      const answer = await this.waitForCall(key, deid.input, signal);
      return done('ok', this.findingsOf(answer, deid, review));
    } catch (err) {
      if (err instanceof DeadlineMissedError) return done('timeout', [], 'deadline');
      if (err instanceof QueuedPastDeadlineError) return done('timeout', [], 'queued');
      // instanceof, not cockatiel's is…Error helpers: in 3.2 isIsolatedCircuitError matches a bulkhead rejection.
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError)
        return done('circuit-open', [], 'circuit-open');
      if (err instanceof BulkheadRejectedError) return done('rate-limited', [], 'concurrency-limit');
      if (err instanceof OutputRejectedError) return done('rejected', [], err.reason);
      if (err instanceof ModelCallError) return done(err.failure.status, [], err.failure.reason, err.failure);
      this.deps.logger.error('model advisor failed unexpectedly', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      return done('error', [], 'exception');
    }
  }

  /** The kill switch's answer, never waited for past the deadline; undefined when it could not answer (fail closed). */
  private async isEnabled(serviceId: string, signal: AbortSignal): Promise<boolean | undefined> {
    let answer: boolean | Promise<boolean>;
    try {
      answer = this.aiSwitch.isEnabled(serviceId);
    } catch {
      return undefined;
    }
    if (typeof answer === 'boolean') return answer;
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

  private findingsOf(answer: ModelAnswer, deid: Deidentified, review: Review): Finding[] {
    const guarded = guardAnswer(answer, deid.aliases, new Set(review.focus.map((m) => m.ref)));
    for (const [reason, count] of Object.entries(guarded.dropped))
      this.metrics.itemsDropped.inc({ reason }, count);
    const context = {
      deployment: this.gateway.port.model,
      modelVersion: answer.modelVersion,
      patientRef: review.patient.patient.ref,
      vocabulary: this.vocabulary,
    };
    return guarded.items.map((item) => findingOf(item, context));
  }

  /** Waits for this input's call (starting it if none is in flight), but never past the hook's deadline. */
  private async waitForCall(key: string, input: ModelInput, signal: AbortSignal): Promise<ModelAnswer> {
    const flight = this.inFlight.get(key) ?? this.start(key, input);
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

  private start(key: string, input: ModelInput): Flight {
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
            return this.call(buildMessages(input), callSignal);
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

/**
 * The model advisor for this configuration, or undefined — and a log line saying so — when no model endpoint is
 * configured (MODEL_ENDPOINT, or the contract's AZURE_OPENAI_ENDPOINT). The pipeline calls `advise(review,
 * signal)` with a signal that aborts at its deadline.
 */
export function createModelAdvisor(config: Config, deps: ModelAdvisorDeps): ModelAdvisor | undefined {
  const endpoint = modelEndpointOf(config);
  if (!endpoint) {
    deps.logger.info('model advisor off: neither MODEL_ENDPOINT nor AZURE_OPENAI_ENDPOINT is set');
    return undefined;
  }
  const port = createModelPort(endpoint, deps.credential);
  let drugVocabulary = deps.drugVocabulary;
  if (!drugVocabulary) {
    const loaded = defaultVocabulary();
    if (loaded.problem)
      deps.logger.warn('model advisor: no drug vocabulary, uncoded names withheld', {
        problem: loaded.problem,
      });
    drugVocabulary = loaded.vocabulary;
  }
  deps.logger.info('model advisor on', {
    kind: endpoint.kind,
    kindFrom: endpoint.kindFrom,
    endpoint: KIND_FACTS[endpoint.kind].title,
    endpointHost: port.endpointHost,
    model: endpoint.model,
    apiVersion: endpoint.apiVersion ?? 'none',
    auth: port.auth,
    adviceBudgetMs: config.adviceBudgetMs,
    promptVersion: PROMPT_VERSION,
  });
  if (port.auth === 'entra-id') {
    port.prepare().then(
      () => deps.logger.info('model advisor: Entra ID token obtained'),
      (err: unknown) =>
        deps.logger.warn('model advisor: no Entra ID token yet; model calls fail until one can be had', {
          error: err instanceof Error ? err.name : 'unknown',
          scope: endpoint.tokenScope,
        }),
    );
  }
  const gateway = new ModelGateway(port, deps.logger, endpoint.reasoningEffort);
  return new ModelAdvisor(gateway, { ...deps, drugVocabulary, tokenScope: endpoint.tokenScope });
}
