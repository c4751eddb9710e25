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
import type { AllergyRuleSpec } from './knowledgeFiles.js';

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

export interface AllergyMatch {
  readonly rule: AllergyRuleSpec;
  readonly ruleId: string;
  /** How the drug matches the allergy, for the card: "the same ingredient", "the same class (penicillins)"… */
  readonly how: string;
}

/** Whether an ingredient is unsafe for an allergen: the same ingredient, the same class, or a cross-sensitivity. */
export function allergyMatch(
  kb: KnowledgeBase,
  ingredient: string,
  allergen: Allergen,
): AllergyMatch | undefined {
  if (allergen.ingredients.has(ingredient)) {
    return { rule: kb.allergyDirect, ruleId: 'allergy/direct', how: 'the same ingredient' };
  }
  for (const cls of kb.ingredients.get(ingredient)?.classes ?? []) {
    const rule = kb.allergyClassRules.get(cls);
    if (rule && allergen.classes.has(cls)) {
      return {
        rule,
        ruleId: `allergy/class-${cls}`,
        how: `the same class (${kb.classLabels.get(cls) ?? cls})`,
      };
    }
  }
  for (const cross of kb.crossSensitivities) {
    if (allergen.classes.has(cross.spec.allergyClass) && cross.drugs.has(ingredient)) {
      const label = kb.classLabels.get(cross.spec.allergyClass) ?? cross.spec.allergyClass;
      return { rule: cross.spec, ruleId: `allergy/${cross.spec.id}`, how: `cross-sensitivity with ${label}` };
    }
  }
  return undefined;
}
