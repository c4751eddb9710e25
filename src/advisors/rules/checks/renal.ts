/**
 * Renal dosing: a reviewed drug with a labelled kidney threshold, against the patient's kidney function (lab
 * value, or estimated from creatinine — `src/clinical/renal.ts`). Labels state limits as CrCl or eGFR; when only
 * the other measure is available it is used as the estimate, and the card says so. No kidney data, no finding.
 */
import { md } from '../../../cards/markdown.js';
import type { RenalValue } from '../../../clinical/renal.js';
import type { Finding } from '../../types.js';
import {
  describeLab,
  describeMed,
  drugName,
  kbText,
  lowerName,
  ruleFinding,
  suggestionsFor,
} from '../cardParts.js';
import type { RuleContext } from '../context.js';
import { findingKey } from '../keys.js';
import type { BandSpec, RenalSpec } from '../knowledgeFiles.js';
import type { RuleCheck } from '../check.js';

const METRIC_LABEL = { egfr: 'eGFR', crcl: 'CrCl' } as const;
const UNIT_LABEL = { egfr: 'mL/min/1.73 m²', crcl: 'mL/min' } as const;

function measureFor(
  ctx: RuleContext,
  metric: RenalSpec['metric'],
): { value: RenalValue; metric: RenalSpec['metric'] } | undefined {
  const renal = ctx.renal();
  const preferred = renal[metric];
  if (preferred) return { value: preferred, metric };
  const other = metric === 'egfr' ? 'crcl' : 'egfr';
  const fallback = renal[other];
  return fallback ? { value: fallback, metric: other } : undefined;
}

/**
 * The first band the value falls in. A reported upper bound ("<15") means the true value is below it, so it
 * falls in a band whose limit it equals: conservative for a safety check.
 */
export function bandFor<B extends BandSpec & { readonly below: number }>(
  bands: readonly B[],
  value: number,
  comparator?: string,
): B | undefined {
  const upperBound = comparator === '<' || comparator === '<=';
  return bands.find((b) => (b.inclusive || upperBound ? value <= b.below : value < b.below));
}

export function renalFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    for (const ingredient of rm.ingredients) {
      const spec = kb.renal.get(ingredient);
      if (!spec) continue;
      const measure = measureFor(ctx, spec.metric);
      if (!measure) continue;
      const band = bandFor(spec.bands, measure.value.value, measure.value.comparator);
      if (!band) continue;
      const name = drugName(kb, ingredient);
      const label = METRIC_LABEL[measure.metric];
      const shown = `${measure.value.comparator ?? ''}${measure.value.value}`;
      const value = `${label} ${shown} ${UNIT_LABEL[measure.metric]}`;
      const threshold = `${band.inclusive ? 'at or below' : 'below'} ${band.below}`;
      const estimate =
        measure.metric === spec.metric
          ? ''
          : md` The label's limit is in ${METRIC_LABEL[spec.metric]}; ${label} is used here as its estimate.`;
      out.push(
        ruleFinding(kb, {
          kind: 'renal',
          entry: spec,
          ruleId: `renal/${spec.id}`,
          key: findingKey('renal', [lowerName(kb, ingredient)]),
          severity: band.severity,
          summary: band.contraindication
            ? `Contraindicated: ${name} at ${label} ${shown} (${threshold})`
            : `${name}: dose review at ${label} ${shown} (${threshold})`,
          // Values are per patient: escaped with `md`, not remembered like knowledge text.
          headline:
            `**${kbText(name)}** with ` +
            md`${value} (${measure.value.method}): ${threshold} for this drug.` +
            estimate,
          evidenceLines: [
            describeMed(rm),
            ...measure.value.evidence.map((lab) => `Lab: ${describeLab(lab)}`),
          ],
          todo: band.advice,
          evidence: [rm.med.ref, ...measure.value.evidence.map((lab) => lab.ref)],
          suggestions: suggestionsFor(ctx, { meds: [rm], recommendRemoval: band.severity === 'critical' }),
        }),
      );
    }
  }
  return out;
}

export const renalCheck: RuleCheck = {
  id: 'renal',
  label: 'renal dosing',
  // Kidney function comes from the labs (eGFR, CrCl, or creatinine for an estimate).
  needs: [{ data: 'labs', appliesTo: (ctx, _rm, ingredient) => ctx.kb.renal.has(ingredient) }],
  run: renalFindings,
};
