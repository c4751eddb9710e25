/**
 * Whether a chart problem is a condition the knowledge base defines (`conditions.json` definitions): by SNOMED CT
 * code, ICD-10-CM code prefix, or by name in whole words — unless the problem's text names an exclusion
 * ("history of pregnancy" is not a pregnancy).
 */
import { textsOf } from '../../clinical/concept.js';
import { nameTokens } from '../../clinical/text.js';
import { type Code, SNOMED, type Problem } from '../../clinical/types.js';
import type { ConditionDefinition } from './knowledgeFiles.js';

/** A problem with the words of each of its texts, tokenized once for every condition. */
export interface ProblemTerms {
  readonly problem: Problem;
  readonly texts: readonly (readonly string[])[];
}

export function termsOf(problem: Problem): ProblemTerms {
  return { problem, texts: textsOf(problem.concept).map(nameTokens) };
}

const phraseWords = new Map<string, readonly string[]>();

/** Whether `phrase` (normalized words) occurs as consecutive words in `words`. */
export function containsWords(words: readonly string[], phrase: string): boolean {
  let target = phraseWords.get(phrase);
  if (!target) {
    target = phrase.split(' ');
    phraseWords.set(phrase, target);
  }
  const first = target[0];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== first) continue;
    if (target.every((t, k) => words[i + k] === t)) return true;
  }
  return false;
}

/**
 * Whether a concept is the condition: a SNOMED CT code or ICD-10 code prefix it lists, or one of its names as whole
 * words in one of the concept's texts (`texts`: each text's words, from `nameTokens`) that names no exclusion.
 */
export function isCondition(
  condition: ConditionDefinition,
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
  return texts.some(
    (words) =>
      condition.names.some((n) => containsWords(words, n)) &&
      !(condition.excludeNames ?? []).some((n) => containsWords(words, n)),
  );
}

export function problemMatches(condition: ConditionDefinition, { problem, texts }: ProblemTerms): boolean {
  return isCondition(condition, problem.concept.codings, texts);
}
