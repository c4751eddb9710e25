/**
 * The evaluation's figures, pure: from judged runs to sensitivity and PPV with Wilson 95 % intervals (per
 * advisor, kind and severity), calibration of the model's stated certainty, stability over repeated runs, advice
 * within the budget, latency percentiles, tokens and cost per 1,000 hooks; and the same per subgroup, flagged
 * where a subgroup is too small to read.
 */
import type { Severity } from '../../src/findings/types.js';

/** 97.5th percentile of the standard normal: a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * Below this many cases a subgroup's rates are shown but flagged: with n = 9 and 8 of 9 right the Wilson 95 %
 * interval runs from 0.57 to 0.98 — wide enough to hold a good advisor and a mediocre one, so a difference
 * between such subgroups is not evidence of anything.
 */
export const SMALL_SUBGROUP = 10;

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Wilson score interval for k successes in n trials (Wilson 1927); null when n is 0. */
export function wilson(k: number, n: number, z = Z95): Interval | null {
  if (n === 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 and k = n the bound is exactly 0 or 1; floating point would leave 1e-16 off.
  return { lower: k === 0 ? 0 : Math.max(0, centre - half), upper: k === n ? 1 : Math.min(1, centre + half) };
}

export interface Rate {
  readonly k: number;
  readonly n: number;
  /** k / n, or null when n is 0 (nothing to rate). */
  readonly value: number | null;
  readonly ci95: Interval | null;
}

export const rateOf = (k: number, n: number): Rate => ({
  k,
  n,
  value: n === 0 ? null : k / n,
  ci95: wilson(k, n),
});

/** Nearest-rank percentile (the smallest value with at least p % of values at or below it); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

export interface LatencySummary {
  readonly n: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export const latencyOf = (values: readonly number[]): LatencySummary => ({
  n: values.length,
  p50: percentile(values, 50),
  p90: percentile(values, 90),
  p99: percentile(values, 99),
  max: values.length === 0 ? null : Math.max(...values),
});

// ---------------------------------------------------------------------------------------------------------------
// What the runner hands over

export type Verdict = 'correct' | 'incorrect' | 'unsafe';
export const VERDICTS: readonly Verdict[] = ['correct', 'incorrect', 'unsafe'];
export type EvalAdvisor = 'rules' | 'model' | 'shown';

/** One item an advisor said on one run, judged. */
export interface JudgedItem {
  /** Stable across export and import: `case#run#advisor#index`. */
  readonly id: string;
  readonly advisor: EvalAdvisor;
  readonly kind: string;
  readonly severity: Severity;
  /** The model's stated certainty (its items only). */
  readonly certainty?: string;
  readonly key: string;
  readonly summary: string;
  readonly verdict: Verdict;
  /** How the reference judged it (`expected`, `acceptable`, `silence-broken`, `not-expected`) or `adjudicated`. */
  readonly basis: string;
}

/** One expectation on one run, for one advisor: found or missed. */
export interface ExpectationOutcome {
  readonly advisor: EvalAdvisor;
  readonly kind: string;
  readonly severity: Severity;
  readonly found: boolean;
  /** Whether a matching finding had the expected severity; null when missed. */
  readonly severityAgreed: boolean | null;
}

export interface AdvisorRun {
  readonly status: string;
  readonly latencyMs: number;
}

export interface Subgroups {
  readonly ageBand: string;
  readonly sex: string;
  readonly renalBand: string;
  /** Demographic extensions present on the Patient (US Core race, ethnicity …), by name. */
  readonly extensions: Readonly<Record<string, string>>;
}

export interface CaseRun {
  readonly caseName: string;
  readonly run: number;
  readonly hook: string;
  readonly subgroups: Subgroups;
  readonly hookLatencyMs: number;
  readonly advisors: Readonly<Partial<Record<'rules' | 'model', AdvisorRun>>>;
  /** Tokens the model reported for this hook; null when no model ran. */
  readonly tokens: { readonly prompt: number; readonly completion: number } | null;
  readonly items: readonly JudgedItem[];
  readonly expectations: readonly ExpectationOutcome[];
  /** Model output removed by validation and guards on this run, by reason. */
  readonly guardDrops: Readonly<Record<string, number>>;
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

export interface CellFigures {
  readonly sensitivity: Rate;
  readonly ppv: Rate;
  /** Items judged unsafe, of all items. */
  readonly unsafe: Rate;
}

export interface AdvisorFigures extends CellFigures {
  /** Matched findings whose severity was the expected one. */
  readonly severityAgreement: Rate;
  /** Keyed `kind/severity`; sensitivity by the expectation's kind and severity, PPV by the item's. */
  readonly byKindSeverity: Readonly<Record<string, CellFigures>>;
}

export interface CalibrationBin {
  readonly certainty: string;
  readonly correct: Rate;
}

export interface Prices {
  /** Currency units per 1,000 prompt tokens. */
  readonly promptPer1k: number;
  readonly completionPer1k: number;
}

export interface Summary {
  readonly cases: number;
  readonly hooks: number;
  readonly byAdvisor: Readonly<Partial<Record<EvalAdvisor, AdvisorFigures>>>;
  /** The model's items by stated certainty (low, moderate, high), each with the share judged correct. */
  readonly calibration: readonly CalibrationBin[];
  readonly latency: {
    readonly hook: LatencySummary;
    readonly byAdvisor: Readonly<Partial<Record<'rules' | 'model', LatencySummary>>>;
  };
  /** Per advisor: runs that settled (not timed out) within the budget. */
  readonly withinBudget: Readonly<Partial<Record<'rules' | 'model', Rate>>>;
  readonly outcomes: Readonly<Partial<Record<'rules' | 'model', Readonly<Record<string, number>>>>>;
  readonly tokens: {
    readonly hooksWithUsage: number;
    readonly promptPer1kHooks: number | null;
    readonly completionPer1kHooks: number | null;
    /** Null with a reason when no price was given or no tokens were reported. */
    readonly costPer1kHooks: number | null;
    readonly costNote: string | null;
  };
  readonly guardDrops: Readonly<Record<string, number>>;
}

const count = <T>(xs: readonly T[], p: (x: T) => boolean): number => xs.filter(p).length;

function cellOf(items: readonly JudgedItem[], expectations: readonly ExpectationOutcome[]): CellFigures {
  return {
    sensitivity: rateOf(
      count(expectations, (e) => e.found),
      expectations.length,
    ),
    ppv: rateOf(
      count(items, (i) => i.verdict === 'correct'),
      items.length,
    ),
    unsafe: rateOf(
      count(items, (i) => i.verdict === 'unsafe'),
      items.length,
    ),
  };
}

function advisorFigures(
  items: readonly JudgedItem[],
  expectations: readonly ExpectationOutcome[],
): AdvisorFigures {
  const cells = new Set([
    ...items.map((i) => `${i.kind}/${i.severity}`),
    ...expectations.map((e) => `${e.kind}/${e.severity}`),
  ]);
  const byKindSeverity: Record<string, CellFigures> = {};
  for (const cell of [...cells].sort()) {
    byKindSeverity[cell] = cellOf(
      items.filter((i) => `${i.kind}/${i.severity}` === cell),
      expectations.filter((e) => `${e.kind}/${e.severity}` === cell),
    );
  }
  const matched = expectations.filter((e) => e.found);
  return {
    ...cellOf(items, expectations),
    severityAgreement: rateOf(
      count(matched, (e) => e.severityAgreed === true),
      matched.length,
    ),
    byKindSeverity,
  };
}

const CERTAINTY_ORDER = ['low', 'moderate', 'high'];

export function calibrationOf(items: readonly JudgedItem[]): CalibrationBin[] {
  const stated = items.filter((i) => i.certainty !== undefined);
  const levels = [...new Set(stated.map((i) => i.certainty!))].sort(
    (a, b) => CERTAINTY_ORDER.indexOf(a) - CERTAINTY_ORDER.indexOf(b) || a.localeCompare(b),
  );
  return levels.map((certainty) => {
    const at = stated.filter((i) => i.certainty === certainty);
    return {
      certainty,
      correct: rateOf(
        count(at, (i) => i.verdict === 'correct'),
        at.length,
      ),
    };
  });
}

function tokensOf(runs: readonly CaseRun[], prices: Prices | undefined): Summary['tokens'] {
  const withUsage = runs.filter((r) => r.tokens !== null);
  const hooks = runs.length;
  if (withUsage.length === 0 || hooks === 0) {
    return {
      hooksWithUsage: 0,
      promptPer1kHooks: null,
      completionPer1kHooks: null,
      costPer1kHooks: null,
      costNote: 'no model ran: no tokens',
    };
  }
  const prompt = withUsage.reduce((s, r) => s + r.tokens!.prompt, 0);
  const completion = withUsage.reduce((s, r) => s + r.tokens!.completion, 0);
  // Per 1,000 hooks of this mix, every hook counted (a hook the model skipped or served from cache costs nothing).
  const promptPer1kHooks = (prompt / hooks) * 1000;
  const completionPer1kHooks = (completion / hooks) * 1000;
  return {
    hooksWithUsage: withUsage.length,
    promptPer1kHooks,
    completionPer1kHooks,
    costPer1kHooks: prices
      ? (promptPer1kHooks / 1000) * prices.promptPer1k +
        (completionPer1kHooks / 1000) * prices.completionPer1k
      : null,
    costNote: prices ? null : 'cost not estimated: no price per 1K tokens given',
  };
}

function mergeCounts(maps: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, n] of Object.entries(m)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/**
 * Accuracy (sensitivity, PPV, calibration) counts each case once, on its first run: repeated runs of one chart are
 * not independent evidence, and counting them would narrow the intervals falsely. The repeats measure stability
 * (`stabilityOf`); latency, budget, outcomes and tokens count every hook.
 */
export function summarize(runs: readonly CaseRun[], budgetMs: number, prices?: Prices): Summary {
  const firstRuns = runs.filter((r) => r.run === 1);
  const items = firstRuns.flatMap((r) => r.items);
  const expectations = firstRuns.flatMap((r) => r.expectations);
  const advisors = [...new Set([...items.map((i) => i.advisor), ...expectations.map((e) => e.advisor)])];
  const byAdvisor: Partial<Record<EvalAdvisor, AdvisorFigures>> = {};
  for (const a of (['rules', 'model', 'shown'] as const).filter((x) => advisors.includes(x))) {
    byAdvisor[a] = advisorFigures(
      items.filter((i) => i.advisor === a),
      expectations.filter((e) => e.advisor === a),
    );
  }
  const latencyByAdvisor: Partial<Record<'rules' | 'model', LatencySummary>> = {};
  const withinBudget: Partial<Record<'rules' | 'model', Rate>> = {};
  const outcomes: Partial<Record<'rules' | 'model', Record<string, number>>> = {};
  for (const a of ['rules', 'model'] as const) {
    const ran = runs.flatMap((r) => (r.advisors[a] ? [r.advisors[a]] : []));
    if (ran.length === 0) continue;
    latencyByAdvisor[a] = latencyOf(ran.map((x) => x.latencyMs));
    withinBudget[a] = rateOf(
      count(ran, (x) => x.status !== 'timeout' && x.latencyMs <= budgetMs),
      ran.length,
    );
    outcomes[a] = mergeCounts(ran.map((x) => ({ [x.status]: 1 })));
  }
  return {
    cases: new Set(runs.map((r) => r.caseName)).size,
    hooks: runs.length,
    byAdvisor,
    calibration: calibrationOf(items.filter((i) => i.advisor === 'model')),
    latency: { hook: latencyOf(runs.map((r) => r.hookLatencyMs)), byAdvisor: latencyByAdvisor },
    withinBudget,
    outcomes,
    tokens: tokensOf(runs, prices),
    guardDrops: mergeCounts(runs.map((r) => r.guardDrops)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Stability and subgroups

export interface Stability {
  readonly runs: number;
  /** Per advisor: cases whose every run said the same (same keys at the same severities). */
  readonly identicalCases: Readonly<Partial<Record<EvalAdvisor, Rate>>>;
  /** Per advisor: mean over distinct items of the share of runs that said it (1 = always said when said once). */
  readonly itemAgreement: Readonly<Partial<Record<EvalAdvisor, number | null>>>;
}

export function stabilityOf(runs: readonly CaseRun[]): Stability {
  const byCase = new Map<string, CaseRun[]>();
  for (const r of runs) byCase.set(r.caseName, [...(byCase.get(r.caseName) ?? []), r]);
  const repeats = Math.max(0, ...[...byCase.values()].map((v) => v.length));
  const identicalCases: Partial<Record<EvalAdvisor, Rate>> = {};
  const itemAgreement: Partial<Record<EvalAdvisor, number | null>> = {};
  for (const advisor of ['rules', 'model', 'shown'] as const) {
    let identical = 0;
    let cases = 0;
    const shares: number[] = [];
    for (const caseRuns of byCase.values()) {
      const sets = caseRuns.map(
        (r) => new Set(r.items.filter((i) => i.advisor === advisor).map((i) => `${i.key}@${i.severity}`)),
      );
      if (!caseRuns.some((r) => r.advisors[advisor === 'shown' ? 'rules' : advisor])) continue;
      cases++;
      const signature = (s: Set<string>): string => [...s].sort().join('\n');
      if (new Set(sets.map(signature)).size === 1) identical++;
      for (const said of new Set(sets.flatMap((s) => [...s])))
        shares.push(count(sets, (s) => s.has(said)) / sets.length);
    }
    if (cases === 0) continue;
    identicalCases[advisor] = rateOf(identical, cases);
    itemAgreement[advisor] = shares.length === 0 ? null : shares.reduce((a, b) => a + b, 0) / shares.length;
  }
  return { runs: repeats, identicalCases, itemAgreement };
}

export interface SubgroupSummary extends Summary {
  /** Fewer than SMALL_SUBGROUP cases: read its rates as a question, not an answer. */
  readonly tooSmall: boolean;
}

export type Dimension = 'ageBand' | 'sex' | 'renalBand' | `extension:${string}`;

const valueOf = (r: CaseRun, dimension: Dimension): string =>
  dimension.startsWith('extension:')
    ? (r.subgroups.extensions[dimension.slice('extension:'.length)] ?? 'not stated')
    : r.subgroups[dimension as 'ageBand' | 'sex' | 'renalBand'];

export function dimensionsOf(runs: readonly CaseRun[]): Dimension[] {
  const extensions = [...new Set(runs.flatMap((r) => Object.keys(r.subgroups.extensions)))].sort();
  return ['ageBand', 'sex', 'renalBand', ...extensions.map((e) => `extension:${e}` as const)];
}

export function breakdown(
  runs: readonly CaseRun[],
  dimension: Dimension,
  budgetMs: number,
  prices?: Prices,
): Record<string, SubgroupSummary> {
  const groups = new Map<string, CaseRun[]>();
  for (const r of runs) groups.set(valueOf(r, dimension), [...(groups.get(valueOf(r, dimension)) ?? []), r]);
  return Object.fromEntries(
    [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([value, group]) => {
        const summary = summarize(group, budgetMs, prices);
        return [value, { ...summary, tooSmall: summary.cases < SMALL_SUBGROUP }];
      }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Bands

export function ageBand(age: number | undefined): string {
  if (age === undefined) return 'unknown';
  if (age < 18) return '0-17';
  if (age < 45) return '18-44';
  if (age < 65) return '45-64';
  if (age < 80) return '65-79';
  return '80+';
}

/** KDIGO GFR categories, merged where dosing decisions do not differ (G1–G2, G3a–G3b, G4–G5). */
export function renalBand(egfr: number | undefined): string {
  if (egfr === undefined) return 'no eGFR';
  if (egfr >= 60) return 'eGFR ≥60';
  if (egfr >= 30) return 'eGFR 30-59';
  return 'eGFR <30';
}
