/** Drug–condition checks: a reviewed drug against the patient's active problems (by SNOMED, ICD-10 or name). */
import { md } from '../../../cards/markdown.js';
import { textsOf } from '../../../clinical/concept.js';
import { nameTokens } from '../../../clinical/text.js';
import { isActiveProblem } from '../../../clinical/records.js';
import { type Code, SNOMED, type Problem } from '../../../clinical/types.js';
import type { Finding } from '../../types.js';
import { describeMed, drugName, kbText, lowerName, ruleFinding, suggestionsFor } from '../cardParts.js';
import { reviewedIn, type RuleContext } from '../context.js';
import { findingKey } from '../keys.js';
import type { ConditionSpec } from '../knowledgeFiles.js';
import type { RuleCheck } from '../check.js';

/** Whether `phrase` (normalized words) occurs as consecutive words in `words`. */
function containsWords(words: readonly string[], phrase: string): boolean {
  const target = phrase.split(' ');
  return words.some((_, i) => target.every((t, k) => words[i + k] === t));
}

/** An active problem with the words of each of its texts, tokenized once for every condition rule. */
interface ProblemTerms {
  readonly problem: Problem;
  readonly texts: readonly (readonly string[])[];
}

function termsOf(problem: Problem): ProblemTerms {
  return { problem, texts: textsOf(problem.concept).map(nameTokens) };
}

/**
 * Whether a concept is the condition: a SNOMED CT code or ICD-10 code prefix it lists, or one of its names as
 * whole words in one of the concept's texts (`texts`: each text's words, from `nameTokens`).
 */
export function isCondition(
  condition: ConditionSpec['condition'],
  codings: readonly Code[],
  texts: readonly (readonly string[])[],
): boolean {
  for (const c of codings) {
    if (!c.code) continue;
    if (c.system === SNOMED && condition.snomed?.includes(c.code)) return true;
    if (
      c.system?.includes('icd-10') &&
      condition.icd10Prefixes?.some((p) => c.code?.toUpperCase().startsWith(p))
    )
      return true;
  }
  return texts.some((words) => condition.names.some((n) => containsWords(words, n)));
}

function problemMatches(condition: ConditionSpec['condition'], { problem, texts }: ProblemTerms): boolean {
  return isCondition(condition, problem.concept.codings, texts);
}

export function conditionFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const problems = ctx.patient.problems.filter(isActiveProblem).map(termsOf);
  if (problems.length === 0) return [];
  const out: Finding[] = [];
  for (const { spec, drugs } of kb.conditions) {
    const matched = problems.filter((p) => problemMatches(spec.condition, p)).map((p) => p.problem);
    if (matched.length === 0) continue;
    for (const [rm, ingredient] of reviewedIn(ctx, drugs)) {
      const name = drugName(kb, ingredient);
      out.push(
        ruleFinding(kb, {
          kind: 'condition',
          entry: spec,
          ruleId: `conditions/${spec.id}`,
          key: findingKey('condition', [lowerName(kb, ingredient), spec.condition.id]),
          severity: spec.severity,
          summary: spec.contraindication
            ? `Contraindicated: ${name} with ${spec.condition.label} (${spec.effect})`
            : `${name} with ${spec.condition.label}: ${spec.effect}`,
          headline: `**${kbText(name)}** with **${kbText(spec.condition.label)}**: ${kbText(spec.effect)}.`,
          evidenceLines: [describeMed(rm), ...matched.map((p) => md`Problem: ${p.concept.text} (${p.ref})`)],
          why: spec.rationale,
          todo: spec.management,
          evidence: [rm.med.ref, ...matched.map((p) => p.ref)],
          suggestions: suggestionsFor(ctx, {
            meds: [rm],
            alternatives: kb.alternatives.get(spec.id),
            avoid: new Set([ingredient]),
            recommendRemoval: spec.severity === 'critical',
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
