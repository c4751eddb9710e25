/**
 * Drug–allergy checks for the reviewed medications (every form: an eye drop can cause anaphylaxis too): the
 * ordered ingredient itself (direct), another member of a class the label treats as one allergy (penicillins,
 * NSAIDs…), or a known cross-sensitivity (penicillin → cephalosporin, graded by shared side chains). The record is
 * read as a clinician would (`allergyReading.ts`): a non-immune intolerance is at most info, a low-risk penicillin
 * history a warning with de-labelling advice, an unconfirmed record without severe features at most a warning.
 * Only active allergies count: resolved, inactive, refuted and entered-in-error ones never fire.
 */
import { md } from '../../../findings/markdown.js';
import type { Allergy } from '../../../clinical/types.js';
import type { Finding, Severity } from '../../../findings/types.js';
import { type AllergyReading, readAllergy } from '../allergyReading.js';
import { ruleFinding } from '../cardParts.js';
import { clip, describeMed, drugName, kbText, lowerName } from '../cardText.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { findingKey } from '../../../findings/keys.js';
import { SEVERITY_RANK } from '../../../findings/severity.js';
import type { AllergyReadingSpec, AllergyRuleSpec } from '../knowledgeFiles.js';
import { type Allergen, allergyMatch } from '../matcher.js';
import { suggestionsFor } from '../suggestions.js';
import { anyIngredient, type RuleCheck } from '../check.js';

interface Match {
  readonly allergy: Allergy;
  readonly reading: AllergyReading;
  readonly severity: Severity;
  readonly ruleId: string;
  readonly how: string;
  /** Where the card's rationale, advice and source come from. */
  readonly entry: AllergyRuleSpec | AllergyReadingSpec;
}

const UNSURE = new Set(['unconfirmed', 'presumed', 'provisional']);

function allergyLine(a: Allergy, reading: AllergyReading): string {
  const facts = [
    a.type,
    a.clinicalStatus,
    a.verificationStatus,
    a.criticality && `criticality ${a.criticality}`,
  ]
    .filter((x): x is string => Boolean(x))
    .join(', ');
  const reactions = a.manifestations?.length ? md`; reactions: ${a.manifestations.join(', ')}` : '';
  return md`${a.concept.text} (${a.ref}${facts ? `; ${facts}` : ''}` + reactions + `; read as ${reading})`;
}

/** The match graded by how the record reads; undefined when the record does not call for a card. */
function read(
  ctx: RuleContext,
  ingredient: string,
  { allergy, allergen }: { readonly allergy: Allergy; readonly allergen: Allergen },
  reading: AllergyReading,
): Match | undefined {
  const { kb } = ctx;
  const match = allergyMatch(kb, ingredient, allergen);
  if (!match) return undefined;
  const penicillin = kb.ingredients.get(ingredient)?.classes.has('penicillin') === true && !match.cross;
  const readAs = (spec: AllergyReadingSpec, ruleId: string): Match => ({
    allergy,
    reading,
    severity: spec.severity,
    ruleId,
    how: match.how,
    entry: spec,
  });
  if (reading === 'non-immune') {
    // An intolerance does not cross-react: only the same drug or a class the label treats as one drug.
    return match.cross ? undefined : readAs(kb.allergyReading.intolerance, 'allergy/intolerance');
  }
  if (penicillin && reading === 'low-risk') {
    return readAs(kb.allergyReading.penicillinLowRisk, 'allergy/penicillin-low-risk');
  }
  let severity = match.severity;
  if (reading !== 'severe' && UNSURE.has(allergy.verificationStatus ?? '') && severity === 'critical')
    severity = 'warning';
  return { allergy, reading, severity, ruleId: match.ruleId, how: match.how, entry: match.rule };
}

function findingFor(ctx: RuleContext, rm: ResolvedMed, ingredient: string, matches: Match[]): Finding {
  const { kb } = ctx;
  matches.sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity]);
  const lead = matches[0] as Match;
  const name = drugName(kb, ingredient);
  // patient-view reviews what the patient already takes; the order hooks review what is being ordered.
  const state = rm.med.origin === 'draft' ? 'ordered' : 'active';
  const what = lead.reading === 'non-immune' ? 'intolerance of' : 'allergic to';
  return ruleFinding(kb, {
    kind: 'allergy',
    entry: lead.entry,
    ruleId: lead.ruleId,
    key: findingKey('allergy', [lowerName(kb, ingredient)]),
    severity: lead.severity,
    summary: `Allergy: ${name} ${state}; patient ${what} ${clip(lead.allergy.concept.text)}`,
    headline: `**${kbText(name)}** is ${state} and the patient has a recorded ${lead.reading === 'non-immune' ? 'intolerance' : 'allergy'} matching by ${kbText(lead.how)}.`,
    evidenceLines: [describeMed(rm), ...matches.map((m) => `Allergy: ${allergyLine(m.allergy, m.reading)}`)],
    why: lead.entry.rationale,
    todo: lead.entry.management,
    evidence: [rm.med.ref, ...matches.map((m) => m.allergy.ref)],
    suggestions: suggestionsFor(ctx, {
      meds: [rm],
      recommendRemoval: lead.severity === 'critical',
      holdOrStop: {
        severity: lead.severity,
        reason: `recorded allergy to ${clip(lead.allergy.concept.text)}`,
      },
    }),
  });
}

export function allergyFindings(ctx: RuleContext): Finding[] {
  const allergies = ctx.allergens();
  if (allergies.length === 0) return [];
  const readings = new Map(allergies.map(({ allergy }) => [allergy, readAllergy(ctx.kb, allergy)]));
  const out: Finding[] = [];
  for (const rm of ctx.reviewed) {
    for (const ingredient of rm.ingredients) {
      const matches: Match[] = [];
      for (const entry of allergies) {
        const match = read(ctx, ingredient, entry, readings.get(entry.allergy) ?? 'unknown');
        if (match) matches.push(match);
      }
      if (matches.length > 0) out.push(findingFor(ctx, rm, ingredient, matches));
    }
  }
  return out;
}

export const allergyCheck: RuleCheck = {
  id: 'allergies',
  label: 'allergy check',
  // Any ingredient can match an allergy directly, not only those in a class; eye drops and creams too.
  needs: [{ data: 'allergies', appliesTo: anyIngredient }],
  forms: 'every-form',
  run: allergyFindings,
};
