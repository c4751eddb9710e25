/**
 * patient-view only: drugs whose safety depends on a lab that has not been done recently (warfarin without an
 * INR in 30 days). When the labs could not be obtained at all, nothing fires: unknown is not "not done".
 */
import { md } from '../../../cards/markdown.js';
import { hasLabWithin } from '../../../clinical/observations.js';
import type { Finding } from '../../types.js';
import {
  commonParts,
  describeMed,
  kbText,
  drugName,
  lowerName,
  sourceLine,
  suggestionsFor,
  summaryOf,
} from '../cardParts.js';
import type { RuleContext } from '../context.js';
import { findingKey } from '../keys.js';

export function monitoringFindings(ctx: RuleContext): Finding[] {
  const { kb, patient } = ctx;
  if (patient.missing.includes('labs')) return [];
  const out: Finding[] = [];
  for (const { spec, drugs } of kb.monitoring) {
    if (hasLabWithin(patient.labs, spec.analyte, patient.now, spec.withinDays)) continue;
    const lab = kb.orderable.get(spec.order);
    for (const rm of ctx.focus) {
      for (const ingredient of rm.ingredients.filter((i) => drugs.has(i))) {
        const name = drugName(kb, ingredient);
        const detail = [
          md`**${name}** is active and the recent labs (${patient.labs.length} results) include no ${spec.analyte.toUpperCase()} in the last ${spec.withinDays} days.`,
          `- ${describeMed(rm)}`,
          `**Why:** ${kbText(spec.rationale)}`,
          sourceLine(kb, spec.source),
        ].join('\n\n');
        const suggestions = suggestionsFor(ctx, { meds: [], labs: lab ? [lab] : [] });
        out.push({
          ...commonParts(kb, 'monitoring', spec, suggestions),
          ruleId: `monitoring/${spec.id}`,
          key: findingKey('monitoring', [spec.analyte, lowerName(kb, ingredient)]),
          severity: spec.severity,
          summary: summaryOf(`${name}: ${spec.effect}`),
          detail,
          evidence: [rm.med.ref],
        });
      }
    }
  }
  return out;
}
