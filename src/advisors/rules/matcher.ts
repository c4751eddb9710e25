/**
 * Chart concepts → knowledge ingredient ids. RxNorm ingredient codes match exactly; every text (concept text and
 * coding displays, so SCD/SBD display strings and text-only entries too) is scanned for ingredient names,
 * synonyms and brand names. The union is taken: a coded product whose display also names its ingredient
 * matches once, and a partially coded entry still matches by name.
 */
import type { Allergy, Concept, Medication } from '../../clinical/types.js';
import { RXNORM } from '../../clinical/types.js';
import { textsOf } from '../../clinical/concept.js';
import type { KnowledgeBase } from './knowledge.js';

export function ingredientsOfConcepts(kb: KnowledgeBase, concepts: readonly Concept[]): string[] {
  const found = new Set<string>();
  for (const concept of concepts) {
    for (const coding of concept.codings) {
      if (coding.system !== RXNORM || !coding.code) continue;
      const id = kb.byRxcui.get(coding.code);
      if (id) found.add(id);
    }
    for (const text of textsOf(concept)) kb.drugNames.scan(text, found);
  }
  return [...found];
}

export function ingredientsOfMedication(kb: KnowledgeBase, med: Medication): string[] {
  return ingredientsOfConcepts(kb, [med.concept, ...med.ingredients]);
}

export interface Allergen {
  readonly ingredients: ReadonlySet<string>;
  /** Classes named by the allergy ("sulfa") plus the classes of its ingredients. */
  readonly classes: ReadonlySet<string>;
}

export function allergenOf(kb: KnowledgeBase, allergy: Allergy): Allergen {
  const concepts = [allergy.concept, ...(allergy.reactionSubstances ?? [])];
  const ingredients = new Set(ingredientsOfConcepts(kb, concepts));
  const classes = new Set<string>();
  for (const concept of concepts) for (const text of textsOf(concept)) kb.allergenNames.scan(text, classes);
  for (const id of ingredients) for (const c of kb.ingredients.get(id)?.classes ?? []) classes.add(c);
  return { ingredients, classes };
}
