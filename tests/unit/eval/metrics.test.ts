import { describe, expect, it } from '@jest/globals';
import {
  breakdown,
  percentile,
  rateOf,
  SMALL_SUBGROUP,
  stabilityOf,
  summarize,
  wilson,
} from '../../../scripts/eval/metrics.js';
import { caseRun, item, seededRuns } from './seed.js';

/** Wilson's interval written out step by step, as one would on paper. */
function wilsonByHand(k: number, n: number): [number, number] {
  const z = 1.959964;
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [centre - halfWidth, centre + halfWidth];
}

describe('Wilson 95 % interval', () => {
  it('matches published values (Newcombe 1998, Table I) and the hand computation', () => {
    // Newcombe, Statistics in Medicine 1998;17:857-872, method 3 (score interval without continuity correction).
    const published: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, lower, upper] of published) {
      const ci = wilson(k, n)!;
      expect(ci.lower).toBeCloseTo(lower, 4);
      expect(ci.upper).toBeCloseTo(upper, 4);
      const [hl, hu] = wilsonByHand(k, n);
      expect(ci.lower).toBeCloseTo(Math.max(0, hl), 6);
      expect(ci.upper).toBeCloseTo(hu, 6);
    }
  });

  it('has no interval for n = 0 and stays within [0, 1] at the edges', () => {
    expect(wilson(0, 0)).toBeNull();
    expect(rateOf(0, 0)).toEqual({ k: 0, n: 0, value: null, ci95: null });
    const all = wilson(10, 10)!;
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.7225, 4);
  });
});

describe('percentiles (nearest rank)', () => {
  it('takes the smallest value with at least p % at or below it', () => {
    const values = [100, 10, 90, 20, 80, 30, 70, 40, 60, 50];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('summary of a seeded evaluation, computed by hand', () => {
  const summary = summarize(seededRuns(), 2000, { promptPer1k: 0.005, completionPer1k: 0.015 });
  const model = summary.byAdvisor.model!;

  it('PPV: 3 of the model’s 5 items correct, with the Wilson interval of 3/5', () => {
    expect(model.ppv.k).toBe(3);
    expect(model.ppv.n).toBe(5);
    expect(model.ppv.value).toBeCloseTo(0.6, 10);
    const [lower, upper] = wilsonByHand(3, 5);
    expect(lower).toBeCloseTo(0.2307, 4);
    expect(upper).toBeCloseTo(0.8824, 4);
    expect(model.ppv.ci95!.lower).toBeCloseTo(lower, 6);
    expect(model.ppv.ci95!.upper).toBeCloseTo(upper, 6);
    expect(model.unsafe).toMatchObject({ k: 1, n: 5 });
  });

  it('sensitivity 2/3 and severity agreed on 1 of the 2 found', () => {
    expect(model.sensitivity).toMatchObject({ k: 2, n: 3 });
    expect(model.sensitivity.value).toBeCloseTo(2 / 3, 10);
    expect(model.severityAgreement).toMatchObject({ k: 1, n: 2 });
    expect(summary.byAdvisor.rules!.sensitivity).toMatchObject({ k: 1, n: 2 });
    expect(summary.byAdvisor.rules!.ppv).toMatchObject({ k: 1, n: 1 });
  });

  it('per kind and severity: sensitivity by the expectation, PPV by the item', () => {
    expect(model.byKindSeverity['interaction/warning']!.ppv).toMatchObject({ k: 2, n: 4 });
    expect(model.byKindSeverity['interaction/warning']!.sensitivity).toMatchObject({ k: 1, n: 2 });
    expect(model.byKindSeverity['interaction/critical']!.ppv).toMatchObject({ k: 1, n: 1 });
    expect(model.byKindSeverity['interaction/critical']!.sensitivity).toMatchObject({ k: 1, n: 1 });
  });

  it('calibration: for each stated certainty, the share judged correct, low to high', () => {
    expect(summary.calibration.map((b) => [b.certainty, b.correct.k, b.correct.n])).toEqual([
      ['low', 1, 2],
      ['moderate', 0, 1],
      ['high', 2, 2],
    ]);
    const [lower, upper] = wilsonByHand(1, 2);
    expect(summary.calibration[0]!.correct.ci95!.lower).toBeCloseTo(lower, 6);
    expect(summary.calibration[0]!.correct.ci95!.upper).toBeCloseTo(upper, 6);
  });

  it('budget, latency, outcomes, guard drops', () => {
    expect(summary.withinBudget.model).toMatchObject({ k: 2, n: 3 });
    expect(summary.withinBudget.rules).toMatchObject({ k: 3, n: 3 });
    expect(summary.latency.hook).toEqual({ n: 3, p50: 300, p90: 2000, p99: 2000, max: 2000 });
    expect(summary.outcomes.model).toEqual({ ok: 2, timeout: 1 });
    expect(summary.guardDrops).toEqual({ 'unknown-alias': 3, duplicate: 1 });
  });

  it('tokens and cost per 1,000 hooks over every hook', () => {
    // 4,000 prompt and 600 completion tokens over 3 hooks.
    expect(summary.tokens.promptPer1kHooks).toBeCloseTo((4000 / 3) * 1000, 6);
    expect(summary.tokens.completionPer1kHooks).toBeCloseTo(200_000, 6);
    // 1,333.33 thousand prompt tokens at 0.005 + 200 thousand completion tokens at 0.015.
    expect(summary.tokens.costPer1kHooks).toBeCloseTo(6.666667 + 3, 5);
    expect(summary.tokens.costNote).toBeNull();
  });

  it('says the cost was not estimated when no price is given', () => {
    const unpriced = summarize(seededRuns(), 2000);
    expect(unpriced.tokens.costPer1kHooks).toBeNull();
    expect(unpriced.tokens.costNote).toMatch(/cost not estimated/);
  });
});

describe('subgroups', () => {
  it('breaks down by sex and by a demographic extension, flagging groups under the threshold', () => {
    expect(SMALL_SUBGROUP).toBe(10);
    const bySex = breakdown(seededRuns(), 'sex', 2000);
    expect(Object.keys(bySex)).toEqual(['female', 'male']);
    expect(bySex.female!.cases).toBe(1);
    expect(bySex.female!.byAdvisor.model!.ppv).toMatchObject({ k: 3, n: 4 });
    expect(bySex.male!.byAdvisor.model!.ppv).toMatchObject({ k: 0, n: 1 });
    expect(bySex.female!.tooSmall).toBe(true);
    const byRace = breakdown(seededRuns(), 'extension:us-core-race', 2000);
    expect(Object.keys(byRace)).toEqual(['Asian', 'not stated']);
    expect(byRace['not stated']!.cases).toBe(2);
  });

  it('a group of ten cases is readable', () => {
    const runs = Array.from({ length: 10 }, (_, i) => caseRun({ caseName: `c${i}` }));
    expect(breakdown(runs, 'sex', 2000).female!.tooSmall).toBe(false);
  });
});

describe('stability over repeated runs', () => {
  it('counts cases whose runs agree, and the mean share of runs that said each item', () => {
    const said = (caseName: string, run: number, keys: string[]) =>
      caseRun({
        caseName,
        run,
        items: keys.map((k) => item(k, { advisor: 'model', verdict: 'correct', key: k })),
      });
    const stability = stabilityOf([
      said('X', 1, ['k1']),
      said('X', 2, ['k1']),
      said('Y', 1, ['k2', 'k3']),
      said('Y', 2, ['k2']),
    ]);
    expect(stability.runs).toBe(2);
    expect(stability.identicalCases.model).toMatchObject({ k: 1, n: 2 });
    // k1: 2/2, k2: 2/2, k3: 1/2.
    expect(stability.itemAgreement.model).toBeCloseTo((1 + 1 + 0.5) / 3, 10);
  });
});

describe('repeated runs', () => {
  it('count once for accuracy (not independent evidence) and every time for latency', () => {
    const repeated = seededRuns().flatMap((r) => [r, { ...r, run: 2 }, { ...r, run: 3 }]);
    const summary = summarize(repeated, 2000);
    expect(summary.byAdvisor.model!.ppv).toMatchObject({ k: 3, n: 5 });
    expect(summary.calibration.map((b) => b.correct.n)).toEqual([2, 1, 2]);
    expect(summary.latency.hook.n).toBe(9);
    expect(summary.hooks).toBe(9);
  });
});
