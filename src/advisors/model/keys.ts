/**
 * Finding keys in the rules' scheme (`src/findings/keys.ts`, built with their `findingKey`), so the
 * pipeline can fold a model finding that repeats a rule finding into the rule's card (`src/findings/merge.ts`). The
 * key says what the advice is about: the model's kind picks the rule kind it may match (interaction →
 * `interaction`, duplication → `duplicate`, allergy → `allergy`, dose with a renal lab → `renal`, monitoring with
 * one lab → `monitoring`), and the cited items pick the parts, ingredient names from the rules' knowledge base
 * through a `DrugVocabulary`, never the model's words. Advice of another kind, or whose citations say no more,
 * gets `model:<hash>` of its kind and evidence: stable across calls, and never a rule's key.
 *
 * Insights take the longitudinal rules' keys when their checked claim says the same thing: a fall of eGFR
 * `trend:egfr-decline`, a rise of creatinine `aki:creatinine-rise`, a rise of potassium or a fall of haemoglobin
 * with one medication `trend:potassium-rise|<ingredient>` / `trend:hemoglobin-drop|<ingredient>`, an overdue
 * series with one medication `monitoring-overdue:<analyte>|<ingredient>`, and a care gap resting on an HbA1c at or
 * above 6.5 % `care-gap:undiagnosed-diabetes`. These keys are written out as the rules write them (the measure
 * first, not sorted as `findingKey` sorts). Any other checked claim on a named measure is `insight:<measure>-<change>`
 * (`insight:weight-fall`): the same concern on the same measure is one card, and no rule uses the kind.
 */
import { createHash } from 'node:crypto';
import type { Medication } from '../../clinical/types.js';
import { findingKey, keyPart } from '../../findings/keys.js';
import type { AliasTarget, OurNames } from './deidentify.js';
import type { GuardedClaim } from './guards.js';
import type { AdviceKind } from './output.js';

/** The knowledge base's names (`OurNames`, what the model is sent), and the rules' keys for drug pairs. */
export interface DrugVocabulary extends OurNames {
  /**
   * The rules' key for a pair of medications when the rules know a concern about that pair (`interaction:…`,
   * or `duplicate:…` when they know only duplicate therapy).
   */
  pairKey(a: Medication, b: Medication): string | undefined;
}

/** Without the knowledge base: no names (the model gets codes only) and no rule-shaped keys (nothing folds). */
export const FALLBACK_VOCABULARY: DrugVocabulary = {
  ingredientsOf: () => [],
  allergenNames: () => [],
  conditionName: () => undefined,
  pairKey: () => undefined,
};

const RENAL_ANALYTES = new Set(['creatinine', 'egfr', 'crcl']);

function hashKey(kind: string, evidence: readonly string[]): string {
  const hash = createHash('sha256')
    .update(`${kind}\n${[...evidence].sort().join('\n')}`)
    .digest('hex');
  return `model:${hash.slice(0, 16)}`;
}

/** The key a rule would give the same concern, when the citations say which concern it is. */
function ruleShapedKey(
  kind: AdviceKind,
  cited: readonly AliasTarget[],
  vocabulary: DrugVocabulary,
): string | undefined {
  const meds = cited.flatMap((t) => (t.medication ? [t.medication] : []));
  const first = (m: Medication | undefined): string | undefined =>
    m ? vocabulary.ingredientsOf(m)[0] : undefined;
  const labs = cited.filter((t) => t.kind === 'lab');
  const [a, b] = [first(meds[0]), first(meds[1])];
  const onlyTwoDrugs = meds.length === 2 && cited.length === 2;
  if (onlyTwoDrugs && (kind === 'interaction' || kind === 'duplication')) {
    // The rules' key for the pair names the ingredients that interact (a combination product has several), but
    // only advice of the same kind may take it: advice of another kind about the same drugs is another finding.
    const known = vocabulary.pairKey(meds[0]!, meds[1]!);
    if (known?.startsWith(kind === 'interaction' ? 'interaction:' : 'duplicate:')) return known;
  }
  switch (kind) {
    case 'interaction':
      return meds.length === 2 && a && b && a !== b ? findingKey('interaction', [a, b]) : undefined;
    case 'duplication':
      return meds.length === 2 && a && b ? findingKey('duplicate', [a, b]) : undefined;
    case 'allergy':
      return meds.length === 1 && a && cited.some((t) => t.kind === 'allergy')
        ? findingKey('allergy', [a])
        : undefined;
    case 'dose':
      return meds.length === 1 && a && labs.some((l) => RENAL_ANALYTES.has(l.analyte ?? ''))
        ? findingKey('renal', [a])
        : undefined;
    case 'monitoring': {
      const analyte = labs.length === 1 ? labs[0]?.analyte : undefined;
      return meds.length === 1 && a && analyte ? findingKey('monitoring', [analyte, a]) : undefined;
    }
    case 'contraindication':
    case 'trend':
    case 'care-gap':
    case 'treatment':
    case 'differential':
    case 'other':
      // The rules key conditions by their knowledge ids, which a chart's coding does not carry: no safe match.
      return undefined;
  }
}

/** ADA diagnostic threshold for diabetes, HbA1c in %. */
const HBA1C_DIABETES_PERCENT = 6.5;

/** The longitudinal rules' key for an insight whose checked claim (or care gap) says what the rule says. */
function insightKey(
  kind: AdviceKind,
  cited: readonly AliasTarget[],
  claim: GuardedClaim | null,
  vocabulary: DrugVocabulary,
): string | undefined {
  const meds = cited.flatMap((t) => (t.medication ? [t.medication] : []));
  const ingredient = meds.length === 1 ? vocabulary.ingredientsOf(meds[0]!)[0] : undefined;
  const measure = claim?.series.analyte;
  if (claim?.change === 'fall' && measure === 'egfr') return 'trend:egfr-decline';
  if (claim?.change === 'rise' && measure === 'creatinine') return 'aki:creatinine-rise';
  if (claim?.change === 'rise' && measure === 'potassium' && ingredient)
    return `trend:potassium-rise|${keyPart(ingredient)}`;
  if (claim?.change === 'fall' && measure === 'hemoglobin' && ingredient)
    return `trend:hemoglobin-drop|${keyPart(ingredient)}`;
  if (claim?.change === 'overdue' && measure && !measure.startsWith('loinc:') && ingredient)
    return `monitoring-overdue:${keyPart(measure)}|${keyPart(ingredient)}`;
  const hba1c = cited.find((t) => t.analyte === 'hba1c')?.series?.[0]?.value;
  if (kind === 'care-gap' && !claim && hba1c != null && hba1c >= HBA1C_DIABETES_PERCENT)
    return 'care-gap:undiagnosed-diabetes';
  if (claim && measure && !measure.startsWith('loinc:')) return `insight:${keyPart(measure)}-${claim.change}`;
  return undefined;
}

export function modelFindingKey(
  kind: AdviceKind,
  cited: readonly AliasTarget[],
  evidence: readonly string[],
  vocabulary: DrugVocabulary,
  claim: GuardedClaim | null = null,
): string {
  return (
    insightKey(kind, cited, claim, vocabulary) ??
    ruleShapedKey(kind, cited, vocabulary) ??
    hashKey(kind, evidence)
  );
}
