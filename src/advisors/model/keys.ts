/**
 * Finding keys in the rules' scheme, so the pipeline can fold a model finding that repeats a rule finding into
 * the rule's card (`src/cards/merge.ts`): `interaction:<a>|<b>` with lowercase ingredient names, sorted; any
 * other model finding `model:<hash>` of its kind and evidence, stable across calls for the same data.
 */
import { createHash } from 'node:crypto';
import type { Medication } from '../../clinical/types.js';

/**
 * A medication's ingredient names as the rules name them. Until the rules advisor exports its resolver, this is
 * the ingredient concepts' first word, else the product's (RxNorm displays lead with the ingredient).
 */
export function ingredientNames(medication: Medication): string[] {
  const concepts = medication.ingredients.length > 0 ? medication.ingredients : [medication.concept];
  const names = concepts
    .map((c) => (c.codings.find((x) => x.display)?.display ?? c.text).toLowerCase().match(/[a-z][a-z-]+/)?.[0])
    .filter((n): n is string => n !== undefined);
  return [...new Set(names)];
}

export function interactionKey(a: Medication, b: Medication): string | undefined {
  const [nameA] = ingredientNames(a);
  const [nameB] = ingredientNames(b);
  if (!nameA || !nameB || nameA === nameB) return undefined;
  return `interaction:${[nameA, nameB].sort().join('|')}`;
}

export function modelKey(kind: string, evidence: readonly string[]): string {
  const hash = createHash('sha256').update(`${kind}\n${[...evidence].sort().join('\n')}`).digest('hex');
  return `model:${hash.slice(0, 16)}`;
}
