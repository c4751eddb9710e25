/**
 * What one rule run looks at, resolved once: the medications under review (`focus`) and the rest of the chart's
 * medications (`others`), each with its knowledge ingredient ids; labs and kidney function looked up lazily.
 */
import type { LabResult, Medication, PatientContext } from '../../clinical/types.js';
import type { Analyte } from '../../clinical/units.js';
import { latestLab } from '../../clinical/observations.js';
import { assessRenalFunction, type RenalFunction } from '../../clinical/renal.js';
import type { Review } from '../types.js';
import type { KnowledgeBase } from './knowledge.js';
import { type Allergen, allergenOf, ingredientsOfMedication } from './matcher.js';
import { isActiveAllergy } from '../../clinical/records.js';
import type { Allergy } from '../../clinical/types.js';

export interface ResolvedMed {
  readonly med: Medication;
  readonly ingredients: readonly string[];
}

export interface RuleContext {
  readonly kb: KnowledgeBase;
  readonly review: Review;
  readonly patient: PatientContext;
  readonly focus: readonly ResolvedMed[];
  readonly others: readonly ResolvedMed[];
  renal(): RenalFunction;
  /** Active allergies with what each covers (ingredients and classes). */
  allergens(): readonly { readonly allergy: Allergy; readonly allergen: Allergen }[];
  latest(analyte: Analyte, maxAgeDays: number): LabResult | undefined;
}

export function buildContext(kb: KnowledgeBase, review: Review): RuleContext {
  const { patient } = review;
  const resolve = (med: Medication): ResolvedMed => ({ med, ingredients: ingredientsOfMedication(kb, med) });
  const focus = review.focus.map(resolve);
  const focusRefs = new Set(review.focus.map((m) => m.ref));
  const others = [...patient.activeMedications, ...patient.draftOrders]
    .filter((m) => !focusRefs.has(m.ref))
    .map(resolve);
  let renal: RenalFunction | undefined;
  let allergens: { allergy: Allergy; allergen: Allergen }[] | undefined;
  const labs = new Map<string, LabResult | undefined>();
  return {
    kb,
    review,
    patient,
    focus,
    others,
    renal: () => (renal ??= assessRenalFunction(patient)),
    allergens: () =>
      (allergens ??= patient.allergies
        .filter(isActiveAllergy)
        .map((allergy) => ({ allergy, allergen: allergenOf(kb, allergy) }))),
    latest: (analyte, maxAgeDays) => {
      const key = `${analyte}/${maxAgeDays}`;
      if (!labs.has(key)) labs.set(key, latestLab(patient.labs, analyte, patient.now, maxAgeDays));
      return labs.get(key);
    },
  };
}

/** Focus drafts can be removed or replaced by a suggestion; active orders and other drafts are left alone. */
export function isReviewedDraft(ctx: RuleContext, rm: ResolvedMed): boolean {
  return rm.med.origin === 'draft' && ctx.focus.includes(rm);
}

/** Each reviewed medication paired with each of its ingredients that a rule covers. */
export function reviewedIn(ctx: RuleContext, drugs: ReadonlySet<string>): [ResolvedMed, string][] {
  return ctx.focus.flatMap((rm) =>
    rm.ingredients.filter((i) => drugs.has(i)).map((i): [ResolvedMed, string] => [rm, i]),
  );
}
