/**
 * The evaluation report as data (what `eval.json` holds): the figures over the whole set, per subgroup, the
 * stability over repeated runs, and every run judged — enough to re-render or re-judge without re-running.
 * `figures` is the short list the model fact sheet shows.
 */
import {
  breakdown,
  type CaseRun,
  type Dimension,
  dimensionsOf,
  type Prices,
  type Rate,
  SMALL_SUBGROUP,
  type Stability,
  stabilityOf,
  type SubgroupSummary,
  type Summary,
  summarize,
} from '../metrics.js';
import type { SignOffStatus } from '../signOffStatus.js';

export interface ReportMeta {
  readonly set: string;
  readonly reviewedBy: string;
  /** Where the reference stands with the clinical safety committee; null in a report written before it was recorded. */
  readonly signOff: SignOffStatus | null;
  readonly advisors: readonly string[];
  readonly model: string | null;
  readonly budgetMs: number;
  readonly repeat: number;
  readonly prices: Prices | null;
  /** What the figures are, in plain words (e.g. "stand-in: measures the harness only"). */
  readonly note: string | null;
  /** Where the verdicts come from: the scenario set's expectations, or clinicians' adjudication. */
  readonly verdicts: string;
  /** Case descriptions, by name. */
  readonly descriptions: Readonly<Record<string, string>>;
}

export interface EvalFigure {
  readonly label: string;
  readonly value: string;
}

export interface GroundTruthReport extends ReportMeta {
  readonly generatedAt: string;
  readonly smallSubgroup: number;
  readonly figures: readonly EvalFigure[];
  readonly summary: Summary;
  readonly stability: Stability;
  readonly subgroups: Readonly<Record<Dimension, Readonly<Record<string, SubgroupSummary>>>>;
  readonly runs: readonly CaseRun[];
}

/** The headline every rendering of the report leads with: what the figures rest on. */
export const signOffText = (r: Pick<ReportMeta, 'signOff'>): string =>
  r.signOff?.headline ??
  'Sign-off of the reference not recorded in this report (written before it was tracked): read it as resting on an unsigned reference.';

export const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);

export const rateText = (r: Rate | undefined): string =>
  !r || r.value === null
    ? '— (n = 0)'
    : `${pct(r.value)} (${r.k}/${r.n}; 95 % CI ${pct(r.ci95!.lower)}–${pct(r.ci95!.upper)})`;

function figuresOf(summary: Summary, meta: ReportMeta): EvalFigure[] {
  const out: EvalFigure[] = [
    { label: 'Scenario set', value: `${meta.set} (${summary.cases} cases, ${summary.hooks} hooks)` },
    { label: 'Verdicts from', value: meta.verdicts },
    { label: 'Reference signed off', value: signOffText(meta) },
  ];
  for (const [advisor, f] of Object.entries(summary.byAdvisor)) {
    out.push({ label: `${advisor}: sensitivity`, value: rateText(f.sensitivity) });
    out.push({ label: `${advisor}: PPV`, value: rateText(f.ppv) });
  }
  const model = summary.withinBudget.model;
  if (model) out.push({ label: 'model: within the budget', value: rateText(model) });
  if (meta.note) out.push({ label: 'Note', value: meta.note });
  return out;
}

export function buildGroundTruthReport(
  runs: readonly CaseRun[],
  meta: ReportMeta,
  generatedAt = new Date(),
): GroundTruthReport {
  const prices = meta.prices ?? undefined;
  const summary = summarize(runs, meta.budgetMs, prices);
  const subgroups = Object.fromEntries(
    dimensionsOf(runs).map((d) => [d, breakdown(runs, d, meta.budgetMs, prices)]),
  ) as Record<Dimension, Record<string, SubgroupSummary>>;
  return {
    generatedAt: generatedAt.toISOString(),
    ...meta,
    smallSubgroup: SMALL_SUBGROUP,
    figures: figuresOf(summary, meta),
    summary,
    stability: stabilityOf(runs),
    subgroups,
    runs,
  };
}

/** The report's description of its run, without the figures (to rebuild it on other verdicts). */
export const metaOf = (r: GroundTruthReport): ReportMeta => ({
  set: r.set,
  reviewedBy: r.reviewedBy,
  signOff: r.signOff ?? null,
  advisors: r.advisors,
  model: r.model,
  budgetMs: r.budgetMs,
  repeat: r.repeat,
  prices: r.prices,
  note: r.note,
  verdicts: r.verdicts,
  descriptions: r.descriptions,
});

export const DIMENSION_TITLES: Readonly<Record<string, string>> = {
  ageBand: 'Age band',
  sex: 'Sex',
  renalBand: 'Renal function (latest eGFR)',
};

export const dimensionTitle = (d: string): string =>
  DIMENSION_TITLES[d] ?? `Demographic extension: ${d.replace(/^extension:/, '')}`;
