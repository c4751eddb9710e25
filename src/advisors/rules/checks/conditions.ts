/** Drug–condition checks: a reviewed drug against the patient's active problems (`conditions.json`). */
import { md } from '../../../findings/markdown.js';
import type { Finding } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, kbText, lowerName } from '../cardText.js';
import { reviewedIn, type RuleContext } from '../context.js';
import { findingKey } from '../../../findings/keys.js';
import { suggestionsFor } from '../suggestions.js';
import type { RuleCheck } from '../check.js';
import { renalBandFor } from './renal.js';

export function conditionFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const out: Finding[] = [];
  for (const { spec, drugs } of kb.conditions) {
    const matched = ctx.problemsWith(spec.condition);
    if (matched.length === 0) continue;
    const label = kb.conditionDefinitions.get(spec.condition)?.label ?? spec.condition;
    for (const [rm, ingredient] of reviewedIn(ctx, drugs)) {
      if (spec.deferToRenal && renalBandFor(ctx, ingredient)) continue;
      const name = drugName(kb, ingredient);
      out.push(
        ruleFinding(kb, {
          kind: 'condition',
          entry: spec,
          ruleId: `conditions/${spec.id}`,
          key: findingKey('condition', [lowerName(kb, ingredient), spec.condition]),
          severity: spec.severity,
          summary: spec.contraindication
            ? `Contraindicated: ${name} with ${label} (${spec.effect})`
            : `${name} with ${label}: ${spec.effect}`,
          headline: `**${kbText(name)}** with **${kbText(label)}**: ${kbText(spec.effect)}.`,
          evidenceLines: [describeMed(rm), ...matched.map((p) => md`Problem: ${p.concept.text} (${p.ref})`)],
          why: spec.rationale,
          todo: spec.management,
          evidence: [rm.med.ref, ...matched.map((p) => p.ref)],
          suggestions: suggestionsFor(ctx, {
            meds: [rm],
            alternatives: kb.alternatives.get(spec.id),
            avoid: new Set([ingredient]),
            recommendRemoval: spec.severity === 'critical',
            holdOrStop: { severity: spec.severity, reason: `${name} with ${label}` },
          }),
        }),
      );
    }
  }
  return out;
}

export const conditionCheck: RuleCheck = {
  id: 'conditions',
  label: 'drug–condition check',
  needs: [
    {
      data: 'conditions',
      appliesTo: (ctx, _rm, ingredient) => ctx.kb.conditions.some(({ drugs }) => drugs.has(ingredient)),
    },
  ],
  run: conditionFindings,
};
