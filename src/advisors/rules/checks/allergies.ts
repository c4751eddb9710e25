/**
 * Drug–allergy checks for the reviewed medications: the ordered ingredient itself (direct), another member of a
 * class the label treats as one allergy (penicillins, NSAIDs…), or a known cross-sensitivity (penicillin →
 * cephalosporin). Only active allergies count: resolved, inactive, refuted and entered-in-error ones never fire.
 */
import { md } from '../../../cards/markdown.js';
import { isActiveAllergy } from '../../../clinical/records.js';
import type { Allergy } from '../../../clinical/types.js';
import type { Finding, Severity } from '../../types.js';
import { clip, describeMed, drugName, kbText, lowerName, ruleFinding, suggestionsFor } from '../cardParts.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { findingKey, SEVERITY_RANK } from '../keys.js';
import type { AllergyRuleSpec } from '../knowledgeFiles.js';
import { type Allergen, allergenOf } from '../matcher.js';

interface Match {
  readonly allergy: Allergy;
  readonly rule: AllergyRuleSpec;
  readonly ruleId: string;
  readonly how: string;
}

function matchAllergy(
  ctx: RuleContext,
  ingredient: string,
  allergy: Allergy,
  allergen: Allergen,
): Match | undefined {
  const { kb } = ctx;
  if (allergen.ingredients.has(ingredient)) {
    return { allergy, rule: kb.allergyDirect, ruleId: 'allergy/direct', how: 'the same ingredient' };
  }
  const drugClasses = kb.ingredients.get(ingredient)?.classes ?? new Set<string>();
  for (const cls of drugClasses) {
    const rule = kb.allergyClassRules.get(cls);
    if (rule && allergen.classes.has(cls)) {
      return {
        allergy,
        rule,
        ruleId: `allergy/class-${cls}`,
        how: `the same class (${kb.classLabels.get(cls) ?? cls})`,
      };
    }
  }
  for (const cross of kb.crossSensitivities) {
    if (allergen.classes.has(cross.spec.allergyClass) && cross.drugs.has(ingredient)) {
      const label = kb.classLabels.get(cross.spec.allergyClass) ?? cross.spec.allergyClass;
      return {
        allergy,
        rule: cross.spec,
        ruleId: `allergy/${cross.spec.id}`,
        how: `cross-sensitivity with ${label}`,
      };
    }
  }
  return undefined;
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
  return ruleFinding(kb, {
    kind: 'allergy',
    entry: lead.rule,
    ruleId: lead.ruleId,
    key: findingKey('allergy', [lowerName(kb, ingredient)]),
    severity,
    summary: `Allergy: ${name} ordered; patient allergic to ${clip(lead.allergy.concept.text)}`,
    headline: `**${kbText(name)}** is ordered and the patient has a recorded allergy matching by ${kbText(lead.how)}.`,
    evidenceLines: [describeMed(rm), ...matches.map((m) => `Allergy: ${allergyLine(m.allergy)}`)],
    why: lead.rule.rationale,
    todo: lead.rule.management,
    evidence: [rm.med.ref, ...matches.map((m) => m.allergy.ref)],
    suggestions: suggestionsFor(ctx, { meds: [rm], recommendRemoval: severity === 'critical' }),
  });
}

export function allergyFindings(ctx: RuleContext): Finding[] {
  const allergies = ctx.patient.allergies
    .filter(isActiveAllergy)
    .map((a) => ({ a, allergen: allergenOf(ctx.kb, a) }));
  if (allergies.length === 0) return [];
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    for (const ingredient of rm.ingredients) {
      const matches = allergies
        .map(({ a, allergen }) => matchAllergy(ctx, ingredient, a, allergen))
        .filter((m): m is Match => m !== undefined);
      if (matches.length > 0) out.push(findingFor(ctx, rm, ingredient, matches));
    }
  }
  return out;
}
