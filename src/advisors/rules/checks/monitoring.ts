/**
 * patient-view only: drugs whose safety depends on a lab that has not been done recently (warfarin without an
 * INR in 30 days). When the labs could not be obtained at all, nothing fires: unknown is not "not done".
 */
import { md } from '../../../findings/markdown.js';
import { hasLabWithin } from '../../../clinical/observations.js';
import type { Finding } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, lowerName } from '../cardText.js';
import { suggestionsFor } from '../suggestions.js';
import { reviewedIn, type RuleContext } from '../context.js';
import { findingKey } from '../../../findings/keys.js';
import type { RuleCheck } from '../check.js';

export function monitoringFindings(ctx: RuleContext): Finding[] {
  const { kb, patient } = ctx;
  if (patient.missing.includes('labs')) return [];
  const out: Finding[] = [];
  for (const { spec, drugs } of kb.monitoring) {
    if (hasLabWithin(patient.labs, spec.analyte, patient.now, spec.withinDays)) continue;
    const lab = kb.orderable.get(spec.order);
    for (const [rm, ingredient] of reviewedIn(ctx, drugs)) {
      const name = drugName(kb, ingredient);
      out.push(
        ruleFinding(kb, {
          kind: 'monitoring',
          entry: spec,
          ruleId: `monitoring/${spec.id}`,
          key: findingKey('monitoring', [spec.analyte, lowerName(kb, ingredient)]),
          severity: spec.severity,
          summary: `${name}: ${spec.effect}`,
          headline: md`**${name}** is active and the recent labs (${patient.labs.length} results) include no ${spec.analyte.toUpperCase()} in the last ${spec.withinDays} days.`,
          evidenceLines: [describeMed(rm)],
          why: spec.rationale,
          evidence: [rm.med.ref],
          suggestions: suggestionsFor(ctx, { meds: [], labs: lab ? [lab] : [] }),
        }),
      );
    }
  }
  return out;
}

export const monitoringCheck: RuleCheck = {
  id: 'monitoring',
  label: 'lab monitoring',
  needs: [
    {
      data: 'labs',
      appliesTo: (ctx, _rm, ingredient) => ctx.kb.monitoring.some(({ drugs }) => drugs.has(ingredient)),
    },
  ],
  // An order is not the moment to nag about a lab.
  hooks: ['patient-view'],
  run: monitoringFindings,
};
