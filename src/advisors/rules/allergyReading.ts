/**
 * How a clinician reads an allergy record before acting on it (AAAAI/ACAAI drug allergy practice parameter 2022):
 * - `severe`: high criticality, a reaction stated severe, or a severe manifestation (anaphylaxis, angioedema,
 *   SJS/TEN, DRESS…) — the rule's full severity applies;
 * - `non-immune`: recorded as an intolerance, or only non-immune manifestations (nausea, headache…) — at most
 *   info, and no cross-sensitivity;
 * - `low-risk`: only benign manifestations (isolated rash, itching), or none recorded with low criticality — for
 *   penicillins a warning with de-labelling advice instead of a hard stop;
 * - `unknown`: no manifestation recorded; `immune`: other manifestations (hives, wheezing…).
 * Words and SNOMED CT codes for each kind are in `allergy.json` (`reactionKinds`).
 */
import { nameTokens } from '../../clinical/text.js';
import { SNOMED, type Allergy, type Concept } from '../../clinical/types.js';
import { containsWords } from './conditionMatch.js';
import type { KnowledgeBase } from './knowledge.js';
import type { ReactionKindSpec } from './knowledgeFiles.js';

export type AllergyReading = 'severe' | 'non-immune' | 'low-risk' | 'immune' | 'unknown';

function isKind(concept: Concept, kind: ReactionKindSpec): boolean {
  if (concept.codings.some((c) => c.system === SNOMED && c.code && kind.snomed.includes(c.code))) return true;
  const words = nameTokens(concept.text);
  return kind.names.some((n) => containsWords(words, n));
}

export function readAllergy(kb: KnowledgeBase, allergy: Allergy): AllergyReading {
  const kinds = kb.allergyReading.reactionKinds;
  const reactions = allergy.reactions ?? [];
  const manifestations = reactions.flatMap((r) => r.manifestations);
  if (
    allergy.criticality === 'high' ||
    reactions.some((r) => r.severity === 'severe') ||
    manifestations.some((m) => isKind(m, kinds.severe))
  )
    return 'severe';
  if (allergy.type === 'intolerance') return 'non-immune';
  if (manifestations.length === 0) return allergy.criticality === 'low' ? 'low-risk' : 'unknown';
  if (manifestations.every((m) => isKind(m, kinds.nonImmune))) return 'non-immune';
  if (manifestations.every((m) => isKind(m, kinds.benign) || isKind(m, kinds.nonImmune))) return 'low-risk';
  return 'immune';
}
