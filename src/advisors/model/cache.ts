/**
 * Late advice is not wasted: validated answers are kept by a hash of the de-identified input (plus prompt
 * version and deployment), so the next hook for the same patient picture — order-select then order-sign, or a
 * repeated patient-view — is served at once. Bounded in size (least recently used goes first) and in age.
 * It stores the model's validated answer, not findings: aliases are mapped back to this request's resources
 * and the guards run again on every use.
 */
import { createHash } from 'node:crypto';
import type { ModelInput } from './deidentify.js';
import type { ModelAnswer } from './output.js';

/** `lane`: which hooks' answers stand in for each other (`tasks.ts`: the chart review, or every order hook). */
export function adviceCacheKey(
  input: ModelInput,
  lane: string,
  promptVersion: string,
  deployment: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([promptVersion, deployment, lane, input]))
    .digest('hex');
}

export interface AdviceCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly clock?: () => number;
}

/** A cached answer and when it arrived (wall clock: a card says how long ago its advice was computed). */
export interface CachedAnswer {
  readonly answer: ModelAnswer;
  readonly answeredAt: Date;
}

export class AdviceCache {
  private readonly entries = new Map<string, { answer: ModelAnswer; answeredAt: Date; expiresAt: number }>();
  private readonly clock: () => number;

  constructor(private readonly options: AdviceCacheOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  get(key: string): ModelAnswer | undefined {
    return this.entry(key)?.answer;
  }

  entry(key: string): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map order is insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { answer: entry.answer, answeredAt: entry.answeredAt };
  }

  set(key: string, answer: ModelAnswer, answeredAt = new Date()): void {
    this.entries.delete(key);
    this.entries.set(key, { answer, answeredAt, expiresAt: this.clock() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
