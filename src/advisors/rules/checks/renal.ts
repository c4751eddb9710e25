/**
 * Renal dosing: a reviewed drug with a labelled kidney threshold, against the patient's kidney function (lab
 * value, or estimated from creatinine — `src/clinical/renal.ts`: CKD-EPI 2021 eGFR, Cockcroft–Gault CrCl when a
 * body weight is known). Labels state limits as CrCl or eGFR; when only the other measure is available it is used
 * as the estimate, and the card says which measure and which method it used. No kidney data, no finding.
 *
 * The card words what the label says: "Contraindicated", "Avoid", "Reduce the dose", or "dose review". With a
 * structured dose and a band ceiling (`maxDailyMg`), a dose within the ceiling is already adjusted (no card), and a
 * dose above it is a warning that names both figures.
 */
import { md } from '../../../findings/markdown.js';
import type { RenalValue } from '../../../clinical/renal.js';
import type { Finding, Severity } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeLab, describeMed, drugName, kbText, lowerFirst, lowerName } from '../cardText.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { mgPerDay } from '../dosage.js';
import { findingKey } from '../../../findings/keys.js';
import { maxSeverity } from '../../../findings/severity.js';
import type { RenalAction, RenalBandSpec, RenalSpec } from '../knowledgeFiles.js';
import { suggestionsFor } from '../suggestions.js';
import type { RuleCheck } from '../check.js';

const METRIC_LABEL = { egfr: 'eGFR', crcl: 'CrCl' } as const;
const UNIT_LABEL = { egfr: 'mL/min/1.73 m²', crcl: 'mL/min' } as const;

interface Measure {
  readonly value: RenalValue;
  readonly metric: RenalSpec['metric'];
}

function measureFor(ctx: RuleContext, metric: RenalSpec['metric']): Measure | undefined {
  const renal = ctx.renal();
  const preferred = renal[metric];
  if (preferred) return { value: preferred, metric };
  const other = metric === 'egfr' ? 'crcl' : 'egfr';
  const fallback = renal[other];
  return fallback ? { value: fallback, metric: other } : undefined;
}

/**
 * The first band the value falls in (bands come sorted most severe first). A reported upper bound ("<15") means
 * the true value is below it, so it falls in a band whose limit it equals: conservative for a safety check.
 * A band tied to a condition holds only with that condition on the problem list.
 */
export function bandFor<B extends RenalBandSpec>(
  bands: readonly B[],
  value: number,
  comparator: string | undefined,
  hasCondition: (id: string) => boolean = () => true,
): B | undefined {
  const upperBound = comparator === '<' || comparator === '<=';
  return bands.find((b) => {
    if (b.condition !== undefined && !hasCondition(b.condition)) return false;
    if (b.below !== undefined) return b.inclusive || upperBound ? value <= b.below : value < b.below;
    return b.above !== undefined && !upperBound && (b.inclusive ? value >= b.above : value > b.above);
  });
}

interface Applies {
  readonly spec: RenalSpec;
  readonly band: RenalBandSpec;
  readonly measure: Measure;
}

function applies(ctx: RuleContext, ingredient: string): Applies | undefined {
  const spec = ctx.kb.renal.get(ingredient);
  if (!spec) return undefined;
  const measure = measureFor(ctx, spec.metric);
  if (!measure) return undefined;
  const band = bandFor(
    spec.bands,
    measure.value.value,
    measure.value.comparator,
    (id) => ctx.problemsWith(id).length > 0,
  );
  return band ? { spec, band, measure } : undefined;
}

/** The kidney band that applies to an ingredient for this patient, if any (other checks defer to it). */
export function renalBandFor(ctx: RuleContext, ingredient: string): RenalBandSpec | undefined {
  return applies(ctx, ingredient)?.band;
}

function summaryFor(action: RenalAction, name: string, measured: string): string {
  switch (action) {
    case 'contraindicated':
      return `Contraindicated: ${name} at ${measured}`;
    case 'avoid':
      return `Avoid ${lowerFirst(name)} at ${measured}`;
    case 'reduce-dose':
      return `${name}: reduce the dose at ${measured}`;
    case 'review':
      return `${name}: dose review at ${measured}`;
  }
}

function threshold(band: RenalBandSpec): string {
  if (band.below !== undefined) return `${band.inclusive ? 'at or below' : 'below'} ${band.below}`;
  return `${band.inclusive ? 'at or above' : 'above'} ${band.above ?? ''}`;
}

function findingFor(
  ctx: RuleContext,
  rm: ResolvedMed,
  ingredient: string,
  hit: Applies,
): Finding | undefined {
  const { kb } = ctx;
  const { spec, band, measure } = hit;
  let severity: Severity =
    rm.med.origin === 'draft' && band.startSeverity ? band.startSeverity : band.severity;
  const extra: string[] = [];
  if (band.maxDailyMg !== undefined && rm.med.dosage) {
    const daily = mgPerDay(kb, rm.med, rm.ingredients, ingredient, rm.med.dosage);
    if (daily !== undefined && daily <= band.maxDailyMg && band.action === 'reduce-dose') return undefined;
    if (daily !== undefined && daily > band.maxDailyMg) {
      severity = maxSeverity(severity, 'warning');
      extra.push(
        md`**Dose:** ordered ${daily} mg/day; the label's largest daily dose at this kidney function is ${band.maxDailyMg} mg/day.`,
      );
    }
  }
  const name = drugName(kb, ingredient);
  const label = METRIC_LABEL[measure.metric];
  const shown = `${measure.value.comparator ?? ''}${measure.value.value}`;
  const limit = threshold(band);
  const basis =
    measure.value.basis === 'measured'
      ? `${label} as reported by the lab`
      : measure.metric === 'crcl'
        ? 'creatinine clearance by Cockcroft–Gault (serum creatinine, age, sex and body weight)'
        : 'eGFR by CKD-EPI 2021 (serum creatinine, age and sex)';
  const estimate =
    measure.metric === spec.metric
      ? ''
      : spec.metric === 'crcl'
        ? md` The label's limit is in CrCl; with no body weight for Cockcroft–Gault and no measured clearance, ${label} is used here as its estimate.`
        : md` The label's limit is in eGFR; ${label} is used here as its estimate.`;
  return ruleFinding(kb, {
    kind: 'renal',
    entry: spec,
    ruleId: `renal/${spec.id}`,
    key: findingKey('renal', [lowerName(kb, ingredient)]),
    severity,
    summary: `${summaryFor(band.action, name, `${label} ${shown}`)} (${limit})`,
    // Values are per patient: escaped with `md`, not remembered like knowledge text.
    headline:
      `**${kbText(name)}** with ` +
      md`${label} ${shown} ${UNIT_LABEL[measure.metric]}: ${limit} for this drug.` +
      md` Kidney function used: ${basis} (${measure.value.method}).` +
      estimate,
    evidenceLines: [describeMed(rm), ...measure.value.evidence.map((lab) => `Lab: ${describeLab(lab)}`)],
    todo: band.advice,
    extra,
    evidence: [rm.med.ref, ...measure.value.evidence.map((lab) => lab.ref)],
    suggestions: suggestionsFor(ctx, {
      meds: [rm],
      recommendRemoval: severity === 'critical',
      holdOrStop: { severity, reason: `${name} at ${label} ${shown}` },
    }),
  });
}

export function renalFindings(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    for (const ingredient of rm.ingredients) {
      const hit = applies(ctx, ingredient);
      const finding = hit && findingFor(ctx, rm, ingredient, hit);
      if (finding) out.push(finding);
    }
  }
  return out;
}

export const renalCheck: RuleCheck = {
  id: 'renal',
  label: 'renal dosing',
  needs: [
    // Kidney function comes from the labs (eGFR, CrCl, or creatinine for an estimate).
    { data: 'labs', appliesTo: (ctx, _rm, ingredient) => ctx.kb.renal.has(ingredient) },
    {
      // A band that holds only with a condition (edoxaban above CrCl 95 in atrial fibrillation).
      data: 'conditions',
      label: 'renal dosing limits that depend on a condition',
      appliesTo: (ctx, _rm, ingredient) =>
        ctx.kb.renal.get(ingredient)?.bands.some((b) => b.condition !== undefined) ?? false,
    },
    {
      // A label stated in CrCl is estimated by Cockcroft–Gault, which needs a body weight; without the vital
      // signs (and no weight filed with the labs) the eGFR stands in, and the card says so.
      data: 'vitals',
      label: 'renal dosing by creatinine clearance (Cockcroft–Gault needs a body weight)',
      appliesTo: (ctx, _rm, ingredient) => ctx.kb.renal.get(ingredient)?.metric === 'crcl' && !ctx.weight(),
    },
  ],
  run: renalFindings,
};
