/**
 * The rules' knowledge base as the model advisor's vocabulary: the same ingredient names the rules put in their
 * finding keys (so duplicates merge), and the same name indexes to recognise drugs, allergy classes and
 * conditions in a chart's words (so a text-only medication reaches the model as "warfarin", and nothing of the
 * text itself does).
 */
import { textsOf } from '../../clinical/concept.js';
import { nameTokens } from '../../clinical/text.js';
import { isCondition } from '../rules/conditionMatch.js';
import { type KnowledgeBase, KnowledgeError, loadKnowledge } from '../rules/index.js';
import { findingKey } from '../../findings/keys.js';
import { pairKey } from '../rules/knowledge.js';
import { ingredientsOfConcepts, ingredientsOfMedication } from '../rules/matcher.js';
import { type DrugVocabulary, FALLBACK_VOCABULARY } from './keys.js';

export function knowledgeVocabulary(kb: KnowledgeBase): DrugVocabulary {
  const nameOf = (id: string): string => kb.ingredients.get(id)?.name ?? id;
  return {
    ingredientsOf: (medication) => ingredientsOfMedication(kb, medication).map(nameOf),
    allergenNames(concepts) {
      const classes = new Set<string>();
      for (const concept of concepts)
        for (const text of textsOf(concept)) kb.allergenNames.scan(text, classes);
      const names = [
        ...ingredientsOfConcepts(kb, concepts).map(nameOf),
        ...[...classes].map((c) => kb.classLabels.get(c) ?? c),
      ];
      return [...new Set(names)];
    },
    conditionName(concept) {
      const texts = textsOf(concept).map(nameTokens);
      for (const definition of kb.conditionDefinitions.values())
        if (isCondition(definition, concept.codings, texts)) return definition.label;
      return undefined;
    },
    pairKey(a, b) {
      // As the rules decide (checks/interactions.ts): an interaction leads; else a duplicate of class or ingredient.
      let duplicate: string | undefined;
      for (const x of ingredientsOfMedication(kb, a)) {
        for (const y of ingredientsOfMedication(kb, b)) {
          if (x === y) {
            duplicate ??= findingKey('duplicate', [nameOf(x)]);
            continue;
          }
          const pair = pairKey(x, y);
          if (kb.interactionsByPair.has(pair)) return findingKey('interaction', [nameOf(x), nameOf(y)]);
          if (kb.duplicatesByPair.has(pair)) duplicate ??= findingKey('duplicate', [nameOf(x), nameOf(y)]);
        }
      }
      return duplicate;
    },
  };
}

/** The default knowledge base's vocabulary; the fallback (and a reason) when it cannot be loaded. */
export function defaultVocabulary(): { vocabulary: DrugVocabulary; problem?: string } {
  const kb = loadKnowledge();
  if (kb instanceof KnowledgeError)
    return { vocabulary: FALLBACK_VOCABULARY, problem: kb.message.split('\n')[0] ?? 'invalid' };
  return { vocabulary: knowledgeVocabulary(kb) };
}
