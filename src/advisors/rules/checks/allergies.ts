/**
 * Drug–allergy checks for the reviewed medications: the ordered ingredient itself (direct), another member of a
 * class the label treats as one allergy (penicillins, NSAIDs…), or a known cross-sensitivity (penicillin →
 * cephalosporin). Only active allergies count: resolved, inactive, refuted and entered-in-error ones never fire.
 */
import { md } from '../../../cards/markdown.js';
import type { Allergy } from '../../../clinical/types.js';
import type { Finding, Severity } from '../../types.js';
import { clip, describeMed, drugName, kbText, lowerName, ruleFinding, suggestionsFor } from '../cardParts.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { findingKey, SEVERITY_RANK } from '../keys.js';
import { type AllergyMatch, allergyMatch } from '../matcher.js';
import { anyIngredient, type RuleCheck } from '../check.js';

interface Match extends AllergyMatch {
  readonly allergy: Allergy;
}

function allergyLine(a: Allergy): string {
  const facts = [a.clinicalStatus, a.verificationStatus, a.criticality && `criticality ${a.criticality}`]
    .filter((x): x is string => Boolean(x))
    .join(', ');
  const reactions = a.manifestations?.length ? md`; reactions: ${a.manifestations.join(', ')}` : '';
  return md`${a.concept.text} (${a.ref}${facts ? `; ${facts}` : ''}` + reactions + ')';
}

function findingFor(ctx: RuleContext, rm: ResolvedMed, ingredient: string, matches: Match[]): Finding {
  const { kb } = ctx;
  matches.sort((x, y) => SEVERITY_RANK[y.rule.severity] - SEVERITY_RANK[x.rule.severity]);
  const lead = matches[0] as Match;
  const severity: Severity = lead.rule.severity;
  const name = drugName(kb, ingredient);
  // patient-view reviews what the patient already takes; the order hooks review what is being ordered.
  const state = rm.med.origin === 'draft' ? 'ordered' : 'active';
  return ruleFinding(kb, {
    kind: 'allergy',
    entry: lead.rule,
    ruleId: lead.ruleId,
    key: findingKey('allergy', [lowerName(kb, ingredient)]),
    severity,
    summary: `Allergy: ${name} ${state}; patient allergic to ${clip(lead.allergy.concept.text)}`,
    headline: `**${kbText(name)}** is ${state} and the patient has a recorded allergy matching by ${kbText(lead.how)}.`,
    evidenceLines: [describeMed(rm), ...matches.map((m) => `Allergy: ${allergyLine(m.allergy)}`)],
    why: lead.rule.rationale,
    todo: lead.rule.management,
    evidence: [rm.med.ref, ...matches.map((m) => m.allergy.ref)],
    suggestions: suggestionsFor(ctx, { meds: [rm], recommendRemoval: severity === 'critical' }),
  });
}

export function allergyFindings(ctx: RuleContext): Finding[] {
  const allergies = ctx.allergens();
  if (allergies.length === 0) return [];
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    for (const ingredient of rm.ingredients) {
      const matches: Match[] = [];
      for (const { allergy, allergen } of allergies) {
        const match = allergyMatch(ctx.kb, ingredient, allergen);
        if (match) matches.push({ ...match, allergy });
      }
      if (matches.length > 0) out.push(findingFor(ctx, rm, ingredient, matches));
    }
  }
  return out;
}

export const allergyCheck: RuleCheck = {
  id: 'allergies',
  label: 'allergy check',
  // Any ingredient can match an allergy directly, not only those in a class.
  needs: [{ data: 'allergies', appliesTo: anyIngredient }],
  run: allergyFindings,
};
