/**
 * The built-in clinical rules advisor: always on, offline, deterministic, microseconds per request. Reads the
 * curated knowledge base once at creation (and fails fast, naming file and path, if it is invalid).
 *
 *   const rules = createRulesAdvisor();            // throws KnowledgeError on a bad knowledge base
 *   const outcome = await rules.advise(review, signal);
 *
 * Keys for merging with the model advisor: `findingKey` (scheme documented in `src/findings/keys.ts`).
 * Alert fatigue across an ordering session is the caller's (src/pipeline/overrides.ts).
 */
import type { Advisor, AdvisorOutcome, Review } from '../types.js';
import { evaluate } from './engine.js';
import { type KnowledgeBase, KnowledgeError, loadKnowledge } from './knowledge.js';

export { loadKnowledge, KnowledgeError, type KnowledgeBase } from './knowledge.js';
export { evaluate, RULE_CHECKS, type RuleRun } from './engine.js';
export { DATA_GAP_RULE } from './dataGaps.js';

export interface RulesAdvisorOptions {
  /** Folder of the knowledge JSON files (default: `knowledge/` at the project root). */
  readonly knowledgeDir?: string;
  /** An already loaded knowledge base (tests, benchmarks); takes precedence over `knowledgeDir`. */
  readonly knowledge?: KnowledgeBase;
}

export interface RulesAdvisor extends Advisor {
  readonly name: 'rules';
  /** Content hash of the knowledge files in use. */
  readonly knowledgeVersion: string;
}

export function createRulesAdvisor(options: RulesAdvisorOptions = {}): RulesAdvisor {
  let kb = options.knowledge;
  if (!kb) {
    const loaded = loadKnowledge(options.knowledgeDir);
    if (loaded instanceof KnowledgeError) throw loaded;
    kb = loaded;
  }
  const knowledge = kb;
  return {
    name: 'rules',
    knowledgeVersion: knowledge.version,
    advise(review: Review, signal: AbortSignal): Promise<AdvisorOutcome> {
      const t0 = performance.now();
      if (signal.aborted) {
        return Promise.resolve({
          advisor: 'rules',
          status: 'timeout',
          findings: [],
          latencyMs: 0,
          reason: 'aborted before start',
        });
      }
      try {
        const { findings, gaps } = evaluate(knowledge, review);
        return Promise.resolve({
          advisor: 'rules',
          status: 'ok',
          findings,
          latencyMs: performance.now() - t0,
          ...(gaps.length > 0 && { gaps }),
        });
      } catch (error) {
        // A rule bug must not take the response down: report it, the pipeline logs and counts it.
        const reason =
          error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'unknown error';
        return Promise.resolve({
          advisor: 'rules',
          status: 'error',
          findings: [],
          latencyMs: performance.now() - t0,
          reason,
        });
      }
    },
  };
}
