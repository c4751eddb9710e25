/**
 * Care gaps seen in the long view (`trends.json`, patient-view only):
 * - an HbA1c at or above the ADA diagnostic threshold with no diabetes on the problem list ("spot it earlier");
 * - monitoring overdue: a lab a drug or a problem needs at an interval, measured before but not within it. A lab
 *   never measured is not flagged here: whether the chart we were sent reaches back far enough is unknown.
 */
import { md } from '../../../findings/markdown.js';
import type { Analyte } from '../../../clinical/units.js';
import { daysBetween, newest, type SeriesPoint, type TrendAnalyte } from '../../../clinical/series.js';
import { displayUnit } from '../../../clinical/units.js';
import type { Finding } from '../../../findings/types.js';
import type { RuleCheck } from '../check.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, labDate, lowerName } from '../cardText.js';
import { reviewedIn, type RuleContext } from '../context.js';
import { orderedFindingKey } from '../../../findings/keys.js';
import { suggestionsFor } from '../suggestions.js';

const ANALYTE_WORDS: Readonly<Record<string, { name: string; unit: string }>> = {
  potassium: { name: 'potassium', unit: 'mmol/L' },
  egfr: { name: 'eGFR', unit: 'mL/min/{1.73_m2}' },
  creatinine: { name: 'creatinine', unit: 'umol/L' },
  hba1c: { name: 'HbA1c', unit: '%' },
  hemoglobin: { name: 'haemoglobin', unit: 'g/dL' },
};

function describe(point: SeriesPoint, analyte: string): string {
  const words = ANALYTE_WORDS[analyte];
  const unit = displayUnit(words?.unit);
  return md`${words?.name ?? analyte} ${point.value}${unit === '%' ? '' : ' '}${unit} on ${labDate(point.lab)} (${point.lab.ref})`;
}

function undiagnosedDiabetes(ctx: RuleContext): Finding[] {
  const spec = ctx.kb.trends.undiagnosedDiabetes;
  // Without the problem list, "not on the problem list" cannot be said.
  if (ctx.patient.missing.includes('conditions')) return [];
  if (ctx.problemsWith(spec.condition).length > 0) return [];
  const now = ctx.patient.now.getTime();
  const series = ctx.series('hba1c').filter((p) => daysBetween(p.at, now) <= spec.maxAgeDays);
  const last = newest(series);
  if (!last || last.value < spec.threshold) return [];
  const high = series.filter((p) => p.value >= spec.threshold);
  const days = new Set(high.map((p) => p.lab.effective?.slice(0, 10)));
  const confirmed = days.size >= 2;
  const lab = ctx.kb.orderable.get(spec.order);
  return [
    ruleFinding(ctx.kb, {
      kind: 'care-gap',
      entry: spec,
      ruleId: `trends/${spec.id}`,
      key: orderedFindingKey('care-gap', ['undiagnosed-diabetes']),
      severity: spec.severity,
      summary: confirmed
        ? `HbA1c ${last.value}% and ${high.length - 1} more at or above ${spec.threshold}%: no diabetes on the problem list`
        : `HbA1c ${last.value}% (at or above ${spec.threshold}%): no diabetes on the problem list`,
      headline: confirmed
        ? md`**${high.length} HbA1c results** at or above ${spec.threshold}% on different days, and no diabetes on the problem list: the ADA criterion for diabetes is met.`
        : md`**HbA1c ${last.value}%**, at or above ${spec.threshold}%, and no diabetes on the problem list: the ADA confirms with a second abnormal result.`,
      evidenceLines: high.slice(-4).map((p) => describe(p, 'hba1c')),
      why: spec.rationale,
      todo: confirmed
        ? 'Review the diagnosis; if confirmed, record diabetes on the problem list.'
        : 'Repeat the HbA1c (or a fasting glucose) to confirm; if confirmed, record diabetes on the problem list.',
      evidence: high.slice(-4).map((p) => p.lab.ref),
      suggestions: confirmed ? [] : suggestionsFor(ctx, { meds: [], labs: lab ? [lab] : [] }),
    }),
  ];
}

/** The newest result of the analyte, or of one that counts for it, at any date. */
function lastMeasured(
  ctx: RuleContext,
  analytes: readonly (Analyte | TrendAnalyte)[],
): { point: SeriesPoint; analyte: Analyte | TrendAnalyte } | undefined {
  let best: { point: SeriesPoint; analyte: Analyte | TrendAnalyte } | undefined;
  for (const analyte of analytes) {
    const point = newest(ctx.series(analyte));
    if (point && (!best || point.at > best.point.at)) best = { point, analyte };
  }
  return best;
}

/** What a monitoring rule is about: the problem (once) or each reviewed drug, with its key part and evidence. */
interface Subject {
  readonly name: string;
  readonly keyPart: string;
  readonly line: string;
  readonly refs: readonly string[];
}

function problemSubject(ctx: RuleContext, conditionId: string): Subject[] {
  const problems = ctx.problemsWith(conditionId);
  const first = problems[0];
  if (!first) return [];
  const label = ctx.kb.conditionDefinitions.get(conditionId)?.label ?? conditionId;
  return [
    {
      name: label.charAt(0).toUpperCase() + label.slice(1),
      keyPart: conditionId,
      line: md`Problem: ${first.concept.text} (${first.ref})`,
      refs: problems.map((p) => p.ref),
    },
  ];
}

function drugSubjects(ctx: RuleContext, drugs: ReadonlySet<string>): Subject[] {
  return reviewedIn(ctx, drugs).map(([rm, ingredient]) => ({
    name: drugName(ctx.kb, ingredient),
    keyPart: lowerName(ctx.kb, ingredient),
    line: describeMed(rm),
    refs: [rm.med.ref],
  }));
}

function monitoringOverdue(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const now = ctx.patient.now.getTime();
  for (const { spec, drugs } of ctx.kb.trends.monitoringOverdue) {
    const subjects = spec.condition ? problemSubject(ctx, spec.condition) : drugSubjects(ctx, drugs);
    if (subjects.length === 0) continue;
    const last = lastMeasured(ctx, [spec.analyte, ...(spec.alsoCounts ?? [])]);
    if (!last || daysBetween(last.point.at, now) <= spec.intervalDays) continue;
    const months = Math.floor(daysBetween(last.point.at, now) / 30.44);
    const words = ANALYTE_WORDS[spec.analyte]?.name ?? spec.analyte;
    const lab = ctx.kb.orderable.get(spec.order);
    for (const subject of subjects) {
      out.push(
        ruleFinding(ctx.kb, {
          kind: 'monitoring-overdue',
          entry: spec,
          ruleId: `trends/${spec.id}`,
          key: orderedFindingKey('monitoring-overdue', [spec.analyte, subject.keyPart]),
          severity: spec.severity,
          summary: `${subject.name}: ${spec.effect} (last ${months} months ago)`,
          headline: md`**${subject.name}**: the last ${words} was ${months} months ago; it is expected at least every ${Math.round(spec.intervalDays / 30.44)} months.`,
          evidenceLines: [subject.line, `Last: ${describe(last.point, last.analyte)}`],
          why: spec.rationale,
          evidence: [...subject.refs, last.point.lab.ref],
          suggestions: suggestionsFor(ctx, { meds: [], labs: lab ? [lab] : [] }),
        }),
      );
    }
  }
  return out;
}

export const undiagnosedDiabetesCheck: RuleCheck = {
  id: 'undiagnosed-diabetes',
  label: 'HbA1c in the diabetes range without a diagnosis (ADA)',
  scope: 'patient',
  needs: [],
  hooks: ['patient-view'],
  run: undiagnosedDiabetes,
};

export const monitoringOverdueCheck: RuleCheck = {
  id: 'monitoring-overdue',
  label: 'monitoring overdue',
  scope: 'patient',
  needs: (['labs', 'labHistory'] as const).map((data) => ({
    data,
    appliesTo: (ctx: RuleContext, _rm: unknown, ingredient: string) =>
      ctx.kb.trends.monitoringOverdue.some(({ drugs }) => drugs.has(ingredient)),
  })),
  hooks: ['patient-view'],
  run: monitoringOverdue,
};
