/** The model advisor's settings and what it is built with. */
import type { TokenCredential } from '@azure/identity';
import type { Registry } from 'prom-client';
import type { Logger } from '../../logger.js';
import { DEFAULT_MAX_INSIGHT_CARDS } from './advice.js';
import type { AiSwitch } from './aiSwitch.js';
import type { DrugVocabulary } from './keys.js';

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
  /** Insight cards (trend, care gap, treatment, differential) per call at most (MODEL_MAX_INSIGHT_CARDS). */
  readonly maxInsightCards: number;
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
  maxInsightCards: DEFAULT_MAX_INSIGHT_CARDS,
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
  /** The AI switch (off / shadow / on per service); everything on when not given. */
  readonly aiSwitch?: AiSwitch;
  /**
   * Every AI card's `source.url`: the model fact sheet (`{PUBLIC_BASE_URL}/model-facts`). `createModelAdvisor`
   * derives it from the config when not given.
   */
  readonly factSheetUrl?: string;
  /** Entra ID credential for keyless auth (tests inject one); `DefaultAzureCredential` otherwise. */
  readonly credential?: TokenCredential;
  readonly options?: Partial<ModelAdvisorOptions>;
}
