/** Acceptance and override rates, counted per cohort and rolled up per view. */
import type { Rate } from './overviewShape.js';

export const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
export const ratio = (part: number, whole: number): number | null =>
  whole > 0 ? round4(part / whole) : null;

export class RateCounter {
  cards = 0;
  feedback = 0;
  accepted = 0;
  overridden = 0;

  rate(): Rate {
    const answered = this.accepted + this.overridden;
    return {
      cards: this.cards,
      feedback: this.feedback,
      accepted: this.accepted,
      overridden: this.overridden,
      acceptanceRate: ratio(this.accepted, answered),
      overrideRate: ratio(this.overridden, answered),
    };
  }
}

export class Tally<T> {
  private readonly map = new Map<string, { meta: T; counter: RateCounter }>();

  at(key: string, meta: T): RateCounter {
    let entry = this.map.get(key);
    if (!entry) this.map.set(key, (entry = { meta, counter: new RateCounter() }));
    return entry.counter;
  }

  rows(): (T & Rate)[] {
    return [...this.map.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { meta, counter }]) => ({ ...meta, ...counter.rate() }));
  }
}
