/**
 * Whether a medication reaches the circulation. Eye and ear drops, skin preparations and catheter lock flushes act
 * where they are put: they take no part in systemic interactions, duplicate therapy, kidney dosing or population
 * checks (a heparin lock flush is not a second anticoagulant). Allergies still apply to every form. Told by the
 * dose form and the sig, and by the route when a structured dosage gives one; an ingredient whose skin forms act
 * systemically (nitroglycerin ointment) is always systemic.
 */
import { nameTokens } from '../../clinical/text.js';
import type { Medication } from '../../clinical/types.js';
import { textsOf } from '../../clinical/concept.js';
import type { KnowledgeBase } from './knowledge.js';

/** Words of RxNorm dose forms and of sigs that mean a local use. */
const LOCAL_WORDS = new Set([
  'ophthalmic',
  'otic',
  'topical',
  'topically',
  'cream',
  'ointment',
  'lotion',
  'shampoo',
  'gel',
  'vaginal',
  'flush',
  'lock',
  'lumen',
  'instill',
]);

/** Chart texts repeat across requests: remember each one's answer (bounded, like the name index's cache). */
const seen = new Map<string, boolean>();
const SEEN_LIMIT = 20_000;

function localWordIn(text: string | undefined): boolean {
  if (text === undefined) return false;
  let local = seen.get(text);
  if (local === undefined) {
    local = nameTokens(text).some((t) => LOCAL_WORDS.has(t));
    if (seen.size >= SEEN_LIMIT) seen.clear();
    seen.set(text, local);
  }
  return local;
}

export function isSystemic(kb: KnowledgeBase, med: Medication, ingredients: readonly string[]): boolean {
  if (ingredients.some((i) => kb.topicalIsSystemic.has(i))) return true;
  const route = med.dosage?.route;
  const texts = [
    med.concept.text,
    ...med.concept.codings.map((c) => c.display),
    med.dosageText,
    ...(route ? textsOf(route) : []),
  ];
  return !texts.some(localWordIn);
}
