/**
 * Chart concepts → knowledge ingredient ids. A code wins over words: an RxNorm ingredient code (IN), or a clinical
 * or branded product code (SCD, SBD, pack) from `products.json`, says exactly what the concept contains, and its
 * texts are then not scanned. A concept without a code we know is scanned, every text of it (concept text and
 * coding displays), for ingredient names, synonyms and brand names — a name followed by "free" or preceded by
 * "non" ("Aspirin Free", "Non-Aspirin") is a negation and never matches (see `nameIndex.ts`).
 *
 * A medication whose Medication resource lists coded ingredients is what those codes say: the ingredient list is
 * trusted over the product's name. Otherwise product and ingredient concepts are read together.
 */
import type { Allergy, Concept, Medication } from '../../clinical/types.js';
import { RXNORM } from '../../clinical/types.js';
import { textsOf } from '../../clinical/concept.js';
import type { KnowledgeBase } from './knowledge.js';
import type { AllergyRuleSpec } from './knowledgeFiles.js';
import type { Severity } from '../../findings/types.js';

/** Adds what the concept's known RxNorm codes say; whether any code was known. */
function byCode(kb: KnowledgeBase, concept: Concept, into: Set<string>): boolean {
  let known = false;
  for (const coding of concept.codings) {
    if (coding.system !== RXNORM || !coding.code) continue;
    const id = kb.byRxcui.get(coding.code);
    if (id) {
      into.add(id);
      known = true;
    }
    for (const ingredient of kb.products.get(coding.code) ?? []) {
      into.add(ingredient);
      known = true;
    }
  }
  return known;
}

export function ingredientsOfConcepts(kb: KnowledgeBase, concepts: readonly Concept[]): string[] {
  const found = new Set<string>();
  for (const concept of concepts) {
    if (byCode(kb, concept, found)) continue;
    for (const text of textsOf(concept)) kb.drugNames.scan(text, found);
  }
  return [...found];
}

function isRxnormCoded(concept: Concept): boolean {
  return concept.codings.some((c) => c.system === RXNORM && c.code);
}

export function ingredientsOfMedication(kb: KnowledgeBase, med: Medication): string[] {
  if (med.ingredients.some(isRxnormCoded)) return ingredientsOfConcepts(kb, med.ingredients);
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
  /** The rule's severity, lowered when beta-lactam side chains differ (`dissimilarSideChain`). */
  readonly severity: Severity;
  /** Whether the match is a cross-sensitivity between classes (never applies to a non-immune intolerance). */
  readonly cross: boolean;
}

/**
 * Whether `ingredient` shares a side chain with the drugs the patient reacted to: the allergy's own ingredients
 * in `cls`, or — for an allergy recorded by class only — any member of `cls`.
 */
function sharesSideChain(kb: KnowledgeBase, ingredient: string, allergen: Allergen, cls: string): boolean {
  const own = kb.sideChains.get(ingredient);
  if (!own) return false;
  const members = kb.classMembers.get(cls) ?? new Set<string>();
  const specific = [...allergen.ingredients].filter((i) => members.has(i));
  for (const i of specific.length > 0 ? specific : members) {
    if (i === ingredient) continue;
    for (const group of kb.sideChains.get(i) ?? []) if (own.has(group)) return true;
  }
  return false;
}

/** The allergen's own ingredients in `cls` (what the patient reacted to, when the record names the drug). */
function specificIn(kb: KnowledgeBase, allergen: Allergen, cls: string): string[] {
  const members = kb.classMembers.get(cls);
  return [...allergen.ingredients].filter((i) => members?.has(i));
}

function graded(
  kb: KnowledgeBase,
  rule: AllergyRuleSpec,
  ingredient: string,
  allergen: Allergen,
  cls: string,
  bySpecificOnly: boolean,
): { severity: Severity; sideChain?: string } {
  if (!rule.dissimilarSideChain) return { severity: rule.severity };
  // A class-level allergy ("cephalosporins") to the same class: which drug reacted is unknown, the label stands.
  if (bySpecificOnly && specificIn(kb, allergen, cls).length === 0) return { severity: rule.severity };
  return sharesSideChain(kb, ingredient, allergen, cls)
    ? { severity: rule.severity, sideChain: 'a shared side chain' }
    : { severity: rule.dissimilarSideChain, sideChain: 'no shared side chain' };
}

/** Whether an ingredient is unsafe for an allergen: the same ingredient, the same class, or a cross-sensitivity. */
export function allergyMatch(
  kb: KnowledgeBase,
  ingredient: string,
  allergen: Allergen,
): AllergyMatch | undefined {
  if (allergen.ingredients.has(ingredient)) {
    const rule = kb.allergyDirect;
    return {
      rule,
      ruleId: 'allergy/direct',
      how: 'the same ingredient',
      severity: rule.severity,
      cross: false,
    };
  }
  for (const cls of kb.ingredients.get(ingredient)?.classes ?? []) {
    const rule = kb.allergyClassRules.get(cls);
    if (rule && allergen.classes.has(cls)) {
      const { severity, sideChain } = graded(kb, rule, ingredient, allergen, cls, true);
      const label = kb.classLabels.get(cls) ?? cls;
      return {
        rule,
        ruleId: `allergy/class-${cls}`,
        how: `the same class (${label}${sideChain ? `; ${sideChain}` : ''})`,
        severity,
        cross: false,
      };
    }
  }
  for (const cross of kb.crossSensitivities) {
    const cls = cross.spec.allergyClass;
    if (allergen.classes.has(cls) && cross.drugs.has(ingredient)) {
      const { severity, sideChain } = graded(kb, cross.spec, ingredient, allergen, cls, false);
      const label = kb.classLabels.get(cls) ?? cls;
      return {
        rule: cross.spec,
        ruleId: `allergy/${cross.spec.id}`,
        how: `cross-sensitivity with ${label}${sideChain ? ` (${sideChain})` : ''}`,
        severity,
        cross: true,
      };
    }
  }
  return undefined;
}
