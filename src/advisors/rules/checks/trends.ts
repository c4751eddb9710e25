/**
 * Longitudinal checks (`trends.json`): what a series of results says that no single result does. They read the
 * recent labs and the optional `labHistory` together (merged by the normalizer).
 *
 * - eGFR decline (KDIGO 2012 CKD progression) and a creatinine rise meeting the KDIGO AKI definition are about the
 *   patient: patient-view shows them always; order-select and order-sign only when a reviewed draft is one of the
 *   drugs that make them matter (NSAID, ACE inhibitor, ARB, metformin), and then as a warning.
 * - A potassium rise on a drug that raises it, and a haemoglobin drop on an anticoagulant or antiplatelet, are
 *   about a reviewed drug: the active list on patient-view, the drafts on order hooks.
 */
import { md } from '../../../findings/markdown.js';
import { daysBetween, newest, type SeriesPoint } from '../../../clinical/series.js';
import { displayUnit } from '../../../clinical/units.js';
import type { Finding, Severity } from '../../../findings/types.js';
import type { DataNeed, RuleCheck } from '../check.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, labDate } from '../cardText.js';
import { type ResolvedMed, reviewedIn, type RuleContext } from '../context.js';
import { orderedFindingKey } from '../../../findings/keys.js';
import { suggestionsFor } from '../suggestions.js';

const YEAR_DAYS = 365.25;

/** "52 mL/min/1.73 m² on 2026-11-10 (Observation/e9)": a point of a series, chart text escaped. */
function describePoint(point: SeriesPoint, unit: string): string {
  return md`${point.value} ${displayUnit(unit)} on ${labDate(point.lab)} (${point.lab.ref})`;
}

/** At most `max` points to show and cite: the first, the last, and evenly spaced ones between. */
function shown(series: readonly SeriesPoint[], max = 6): SeriesPoint[] {
  if (series.length <= max) return [...series];
  const out: SeriesPoint[] = [];
  for (let i = 0; i < max; i += 1) out.push(series[Math.round((i * (series.length - 1)) / (max - 1))]!);
  return [...new Set(out)];
}

function seriesLine(label: string, points: readonly SeriesPoint[], unit: string): string {
  return `${label}: ${points.map((p) => describePoint(p, unit)).join(' → ')}`;
}

/** Least-squares slope in units per year. */
function slopePerYear(series: readonly SeriesPoint[]): number {
  const n = series.length;
  const xs = series.map((p) => p.at / (86_400_000 * YEAR_DAYS));
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = series.reduce((a, p) => a + p.value, 0) / n;
  let num = 0;
  let den = 0;
  series.forEach((p, i) => {
    const dx = xs[i]! - meanX;
    num += dx * (p.value - meanY);
    den += dx * dx;
  });
  return den === 0 ? 0 : num / den;
}

/** KDIGO GFR categories G1–G5 (G3 split a/b), as an ordinal: 0 = G1 … 5 = G5. */
function gfrCategory(egfr: number): number {
  if (egfr >= 90) return 0;
  if (egfr >= 60) return 1;
  if (egfr >= 45) return 2;
  if (egfr >= 30) return 3;
  if (egfr >= 15) return 4;
  return 5;
}
const GFR_CATEGORY_NAMES = ['G1', 'G2', 'G3a', 'G3b', 'G4', 'G5'];

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The reviewed drugs (focus) among `drugs`, one entry per medication. */
function relevantMeds(ctx: RuleContext, drugs: ReadonlySet<string>): ResolvedMed[] {
  return [...new Set(reviewedIn(ctx, drugs).map(([rm]) => rm))];
}

interface PatientTrend {
  readonly headline: string;
  readonly lines: readonly string[];
  readonly evidence: readonly string[];
  readonly summary: string;
}

/**
 * A patient-level trend as a finding: on patient-view always (a warning when an active drug makes it matter), on
 * order hooks only with a reviewed draft that makes it matter.
 */
function patientTrendFinding(
  ctx: RuleContext,
  kind: 'trend' | 'aki',
  entry: RuleContext['kb']['trends']['egfrDecline'] | RuleContext['kb']['trends']['aki'],
  key: string,
  trend: PatientTrend,
): Finding[] {
  const meds = relevantMeds(ctx, entry.drugs);
  if (ctx.review.hook !== 'patient-view' && meds.length === 0) return [];
  const severity: Severity = meds.length > 0 ? 'warning' : entry.spec.severity;
  const lab = ctx.kb.orderable.get(entry.spec.order);
  const names = [
    ...new Set(reviewedIn(ctx, entry.drugs).map(([, ingredient]) => drugName(ctx.kb, ingredient))),
  ];
  return [
    ruleFinding(ctx.kb, {
      kind,
      entry: entry.spec,
      ruleId: `trends/${entry.spec.id}`,
      key,
      severity,
      summary: names.length > 0 ? `${trend.summary}; with ${names.join(', ')}` : trend.summary,
      headline: trend.headline,
      evidenceLines: [...trend.lines, ...meds.map(describeMed)],
      why: entry.spec.rationale,
      evidence: [...meds.map((rm) => rm.med.ref), ...trend.evidence],
      suggestions: suggestionsFor(ctx, {
        meds,
        labs: lab ? [lab] : [],
        ...(severity === 'warning' && {
          holdOrStop: { severity, reason: trend.summary },
        }),
      }),
    }),
  ];
}

/** KDIGO 2012 2.1.3–2.1.4: a certain drift (category drop with ≥25 % fall) or rapid progression (>5 a year). */
function egfrDecline(ctx: RuleContext): Finding[] {
  const entry = ctx.kb.trends.egfrDecline;
  const spec = entry.spec;
  const now = ctx.patient.now.getTime();
  const series = ctx.series('egfr').filter((p) => daysBetween(p.at, now) <= spec.windowDays);
  const last = newest(series);
  const first = series[0];
  if (!last || !first || series.length < spec.minResults) return [];
  if (daysBetween(last.at, now) > spec.maxAgeDays) return [];
  if (daysBetween(first.at, last.at) < spec.minSpanDays) return [];
  // Sustained: the two newest results both tell the same story, so one low value (an AKI, a lab error) does not.
  const previous = series[series.length - 2]!;
  const recent = Math.max(last.value, previous.value);
  const baseline = first.value;
  const dropPercent = ((baseline - recent) / baseline) * 100;
  const drift = gfrCategory(recent) > gfrCategory(baseline) && dropPercent >= spec.percentDrop;
  const slope = slopePerYear(series);
  const rapid = -slope > spec.declinePerYear && recent < baseline;
  if (!drift && !rapid) return [];
  const years = round1(daysBetween(first.at, last.at) / YEAR_DAYS);
  const points = shown(series);
  const unit = 'mL/min/{1.73_m2}';
  // Judged on the sustained level (`recent`), said of the newest result.
  const what = drift
    ? `${GFR_CATEGORY_NAMES[gfrCategory(baseline)]} → ${GFR_CATEGORY_NAMES[gfrCategory(last.value)]}, ${Math.round(((baseline - last.value) / baseline) * 100)}% below baseline`
    : `${round1(-slope)} mL/min/1.73 m² a year`;
  return patientTrendFinding(ctx, 'trend', entry, orderedFindingKey('trend', ['egfr-decline']), {
    summary: `eGFR fell from ${baseline} to ${last.value} over ${years} years (${what})`,
    headline:
      md`**eGFR** fell from ${baseline} to ${last.value} ${displayUnit(unit)} over ${years} years ` +
      md`(${series.length} results; ${what}; trend ${round1(slope)} a year).`,
    lines: [seriesLine('eGFR', points, unit)],
    evidence: points.map((p) => p.lab.ref),
  });
}

/** KDIGO 2012 AKI 2.1.1, judged at the newest creatinine. */
function acuteKidneyInjury(ctx: RuleContext): Finding[] {
  const entry = ctx.kb.trends.aki;
  const spec = entry.spec;
  const series = ctx.series('creatinine');
  const last = newest(series);
  if (!last || daysBetween(last.at, ctx.patient.now.getTime()) > spec.maxAgeDays) return [];
  const before = series.slice(0, -1);
  const lowest = (within: readonly SeriesPoint[]): SeriesPoint | undefined =>
    within.reduce<SeriesPoint | undefined>((low, p) => (!low || p.value < low.value ? p : low), undefined);
  const in48h = lowest(before.filter((p) => daysBetween(p.at, last.at) * 24 <= spec.riseWithinHours));
  const in7d = lowest(before.filter((p) => daysBetween(p.at, last.at) <= spec.ratioWithinDays));
  let baseline: SeriesPoint | undefined;
  let criterion = '';
  if (in48h && last.value - in48h.value >= spec.riseUmolL) {
    baseline = in48h;
    criterion = `up ${round1(last.value - in48h.value)} µmol/L within ${spec.riseWithinHours} hours`;
  } else if (in7d && last.value >= spec.ratio * in7d.value) {
    baseline = in7d;
    criterion = `${round1(last.value / in7d.value)} times the lowest value of the ${spec.ratioWithinDays} days before`;
  }
  if (!baseline) return [];
  const unit = 'umol/L';
  return patientTrendFinding(ctx, 'aki', entry, orderedFindingKey('aki', ['creatinine-rise']), {
    summary: `Creatinine ${baseline.value} → ${last.value} µmol/L (${criterion}): KDIGO AKI`,
    headline: md`**Creatinine** rose from ${baseline.value} to ${last.value} µmol/L: ${criterion}.`,
    lines: [seriesLine('Creatinine', [baseline, last], unit)],
    evidence: [baseline.lab.ref, last.lab.ref],
  });
}

/** What a per-drug trend says: its text for one drug, the series it rests on, and why to hold the drug if it says so. */
interface DrugTrend {
  readonly text: (drug: string) => { readonly summary: string; readonly headline: string };
  readonly lines: readonly string[];
  readonly evidence: readonly string[];
  readonly holdOrStop?: string;
}

/** A per-drug trend as findings: one card per reviewed drug the trend concerns, keyed `trend:<name>|<ingredient>`. */
function drugTrendFindings(
  ctx: RuleContext,
  entry: RuleContext['kb']['trends']['potassiumRise'] | RuleContext['kb']['trends']['hemoglobinDrop'],
  pairs: readonly (readonly [ResolvedMed, string])[],
  name: 'potassium-rise' | 'hemoglobin-drop',
  trend: DrugTrend,
): Finding[] {
  const { spec } = entry;
  const lab = ctx.kb.orderable.get(spec.order);
  return pairs.map(([rm, ingredient]) => {
    const { summary, headline } = trend.text(drugName(ctx.kb, ingredient));
    return ruleFinding(ctx.kb, {
      kind: 'trend',
      entry: spec,
      ruleId: `trends/${spec.id}`,
      key: orderedFindingKey('trend', [name, ctx.kb.ingredients.get(ingredient)?.name ?? ingredient]),
      severity: spec.severity,
      summary,
      headline,
      evidenceLines: [describeMed(rm), ...trend.lines],
      why: spec.rationale,
      evidence: [rm.med.ref, ...trend.evidence],
      suggestions: suggestionsFor(ctx, {
        meds: [rm],
        labs: lab ? [lab] : [],
        ...(trend.holdOrStop !== undefined && {
          holdOrStop: { severity: spec.severity, reason: trend.holdOrStop },
        }),
      }),
    });
  });
}

/** Per reviewed drug: a steady potassium rise, still at or below the level the lab rules warn at. */
function potassiumRise(ctx: RuleContext): Finding[] {
  const entry = ctx.kb.trends.potassiumRise;
  const spec = entry.spec;
  const pairs = reviewedIn(ctx, entry.drugs);
  if (pairs.length === 0) return [];
  const now = ctx.patient.now.getTime();
  const series = ctx.series('potassium').filter((p) => daysBetween(p.at, now) <= spec.windowDays);
  const last = newest(series);
  if (!last || series.length < spec.minResults || daysBetween(last.at, now) > spec.maxAgeDays) return [];
  const tail = series.slice(-spec.minResults);
  const steady = tail.every((p, i) => i === 0 || p.value >= tail[i - 1]!.value);
  const rise = last.value - tail[0]!.value;
  if (!steady || rise < spec.riseMmolL - 1e-9) return [];
  if (last.value < spec.atLeast || last.value > spec.atMost) return [];
  return drugTrendFindings(ctx, entry, pairs, 'potassium-rise', {
    text: (name) => ({
      summary: `${name}: potassium rising ${tail[0]!.value} → ${last.value} mmol/L`,
      headline: md`**${name}** with potassium rising by ${round1(rise)} mmol/L over the last ${tail.length} results, now ${last.value} mmol/L.`,
    }),
    lines: [seriesLine('Potassium', tail, 'mmol/L')],
    evidence: tail.map((p) => p.lab.ref),
  });
}

/** Per reviewed anticoagulant or antiplatelet: the newest haemoglobin 2 g/dL or more below the year's highest. */
function hemoglobinDrop(ctx: RuleContext): Finding[] {
  const entry = ctx.kb.trends.hemoglobinDrop;
  const spec = entry.spec;
  const pairs = reviewedIn(ctx, entry.drugs);
  if (pairs.length === 0) return [];
  const now = ctx.patient.now.getTime();
  const series = ctx.series('hemoglobin');
  const last = newest(series);
  if (!last || daysBetween(last.at, now) > spec.maxAgeDays) return [];
  const earlier = series.filter((p) => p !== last && daysBetween(p.at, last.at) <= spec.windowDays);
  const peak = earlier.reduce<SeriesPoint | undefined>(
    (hi, p) => (!hi || p.value > hi.value ? p : hi),
    undefined,
  );
  if (!peak || peak.value - last.value < spec.dropGdL - 1e-9) return [];
  const drop = round1(peak.value - last.value);
  return drugTrendFindings(ctx, entry, pairs, 'hemoglobin-drop', {
    text: (name) => ({
      summary: `${name}: haemoglobin fell ${drop} g/dL (${peak.value} → ${last.value})`,
      headline: md`**${name}** with haemoglobin down ${drop} g/dL, from ${peak.value} to ${last.value} g/dL.`,
    }),
    lines: [seriesLine('Haemoglobin', [peak, last], 'g/dL')],
    evidence: [peak.lab.ref, last.lab.ref],
    holdOrStop: `haemoglobin fell ${drop} g/dL`,
  });
}

/** A series is read from the recent labs and the history together: both matter for the drugs a check covers. */
const seriesNeeds = (label: string, drugs: (ctx: RuleContext) => ReadonlySet<string>): DataNeed[] =>
  (['labs', 'labHistory'] as const).map((data) => ({
    data,
    label,
    appliesTo: (ctx, _rm, ingredient) => drugs(ctx).has(ingredient),
  }));

export const egfrDeclineCheck: RuleCheck = {
  id: 'egfr-decline',
  label: 'decline of eGFR over the years (KDIGO)',
  scope: 'patient',
  needs: seriesNeeds('decline of eGFR over the years (KDIGO)', (ctx) => ctx.kb.trends.egfrDecline.drugs),
  run: egfrDecline,
};

export const akiCheck: RuleCheck = {
  id: 'aki',
  label: 'acute kidney injury by creatinine rise (KDIGO)',
  scope: 'patient',
  // Its windows are 48 hours and 7 days: the recent labs hold them, the history adds nothing.
  needs: [{ data: 'labs', appliesTo: (ctx, _rm, ingredient) => ctx.kb.trends.aki.drugs.has(ingredient) }],
  run: acuteKidneyInjury,
};

export const potassiumRiseCheck: RuleCheck = {
  id: 'potassium-rise',
  label: 'potassium trend',
  needs: seriesNeeds('potassium trend', (ctx) => ctx.kb.trends.potassiumRise.drugs),
  run: potassiumRise,
};

export const hemoglobinDropCheck: RuleCheck = {
  id: 'hemoglobin-drop',
  label: 'haemoglobin trend',
  needs: seriesNeeds('haemoglobin trend', (ctx) => ctx.kb.trends.hemoglobinDrop.drugs),
  run: hemoglobinDrop,
};
