/**
 * Lab-aware checks: a reviewed drug that raises a lab value that is already high (potassium-raising drugs with
 * hyperkalemia). Uses the latest result within the rule's window; a normal or old result never fires.
 */
import { md } from '../../../findings/markdown.js';
import { displayUnit } from '../../../clinical/units.js';
import type { Finding } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeLab, describeMed, drugName, lowerName } from '../cardText.js';
import { suggestionsFor } from '../suggestions.js';
import { reviewedIn, type RuleContext } from '../context.js';
import { findingKey } from '../../../findings/keys.js';
import type { RuleCheck } from '../check.js';

const ANALYTE_LABEL: Readonly<Record<string, string>> = { inr: 'INR', egfr: 'eGFR', crcl: 'CrCl' };

export function labFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const out: Finding[] = [];
  for (const { spec, drugs } of kb.highValue) {
    const lab = ctx.latest(spec.analyte, spec.maxAgeDays);
    if (lab?.value === undefined) continue;
    const value = lab.value;
    const band = spec.bands.find((b) => (b.inclusive ? value >= b.above : value > b.above));
    if (!band) continue;
    for (const [rm, ingredient] of reviewedIn(ctx, drugs)) {
      const name = drugName(kb, ingredient);
      const analyte = ANALYTE_LABEL[spec.analyte] ?? spec.analyte;
      const shown = `${lab.value} ${displayUnit(lab.unit)}`.trim();
      const repeat = kb.orderable.get(spec.analyte);
      out.push(
        ruleFinding(kb, {
          kind: 'lab',
          entry: spec,
          ruleId: `labs/${spec.id}`,
          key: findingKey('lab', [spec.analyte, lowerName(kb, ingredient)]),
          severity: band.severity,
          summary: band.contraindication
            ? `Contraindicated: ${name} with ${analyte} ${shown} (${spec.effect})`
            : `${name} with ${analyte} ${shown}: ${spec.effect} risk`,
          headline: md`**${name}** with ${analyte} already at ${shown} (above ${band.above}): ${spec.effect} risk.`,
          evidenceLines: [describeMed(rm), `Lab: ${describeLab(lab)}`],
          todo: band.advice,
          evidence: [rm.med.ref, lab.ref],
          suggestions: suggestionsFor(ctx, {
            meds: [rm],
            labs: repeat ? [repeat] : [],
            recommendRemoval: band.severity === 'critical',
            holdOrStop: { severity: band.severity, reason: `${name} with ${analyte} ${shown}` },
          }),
        }),
      );
    }
  }
  return out;
}

export const labCheck: RuleCheck = {
  id: 'labs',
  label: 'lab-value check (a drug that raises an already high lab value)',
  needs: [
    {
      data: 'labs',
      appliesTo: (ctx, _rm, ingredient) => ctx.kb.highValue.some(({ drugs }) => drugs.has(ingredient)),
    },
  ],
  run: labFindings,
};
