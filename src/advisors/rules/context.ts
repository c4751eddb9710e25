/**
 * What one rule run looks at, resolved once: the medications under review (`focus`) and the rest of the chart's
 * medications (`others`), each with its knowledge ingredient ids, whether it acts systemically and whether the
 * patient reported it (a MedicationStatement) rather than it being ordered; problems, labs, kidney function,
 * pregnancy and breastfeeding looked up lazily.
 */
import type { LabResult, Medication, PatientContext, Problem } from '../../clinical/types.js';
import type { Analyte } from '../../clinical/units.js';
import { latestLab } from '../../clinical/observations.js';
import { type SeriesPoint, seriesOf, type TrendAnalyte } from '../../clinical/series.js';
import { isActiveAllergy, isActiveProblem } from '../../clinical/records.js';
import { assessRenalFunction, latestWeight, type RenalFunction } from '../../clinical/renal.js';
import type { Allergy } from '../../clinical/types.js';
import type { Review } from '../types.js';
import { problemMatches, type ProblemTerms, termsOf } from './conditionMatch.js';
import type { KnowledgeBase } from './knowledge.js';
import { type Allergen, allergenOf, ingredientsOfMedication } from './matcher.js';
import { populationStatus, type PopulationStatus } from './populationStatus.js';
import { isSystemic } from './systemic.js';

export interface ResolvedMed {
  readonly med: Medication;
  readonly ingredients: readonly string[];
  /** False for eye, ear and skin forms and catheter lock flushes: only allergy checks apply to them. */
  readonly systemic: boolean;
  /** A MedicationStatement: what the patient says they take, not an order. */
  readonly reported: boolean;
}

export interface RuleContext {
  readonly kb: KnowledgeBase;
  readonly review: Review;
  readonly patient: PatientContext;
  /** Every reviewed medication (allergy checks). */
  readonly reviewed: readonly ResolvedMed[];
  /** Reviewed medications that act systemically: every check but allergies looks at these. */
  readonly focus: readonly ResolvedMed[];
  /** The chart's other systemic medications (active and draft), context for pairs and sums. */
  readonly others: readonly ResolvedMed[];
  renal(): RenalFunction;
  /** Active allergies with what each covers (ingredients and classes). */
  allergens(): readonly { readonly allergy: Allergy; readonly allergen: Allergen }[];
  latest(analyte: Analyte, maxAgeDays: number): LabResult | undefined;
  /** Every usable result for the analyte, oldest first (`seriesOf`), made once per run. */
  series(analyte: Analyte | TrendAnalyte): readonly SeriesPoint[];
  weight(): LabResult | undefined;
  /** Active problems that are the condition (a `conditions.json` definition id). */
  problemsWith(conditionId: string): readonly Problem[];
  pregnancy(): PopulationStatus | undefined;
  lactation(): PopulationStatus | undefined;
}

/** The shared empty answer (frozen: no caller can add to it). */
const NONE: readonly never[] = Object.freeze([]);

function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

export function buildContext(kb: KnowledgeBase, review: Review): RuleContext {
  const { patient } = review;
  const resolve = (med: Medication): ResolvedMed => {
    const ingredients = ingredientsOfMedication(kb, med);
    return {
      med,
      ingredients,
      systemic: isSystemic(kb, med, ingredients),
      reported: med.ref.startsWith('MedicationStatement/'),
    };
  };
  const reviewed = review.focus.map(resolve);
  const focusRefs = new Set(review.focus.map((m) => m.ref));
  const others = [...patient.activeMedications, ...patient.draftOrders]
    .filter((m) => !focusRefs.has(m.ref))
    .map(resolve)
    .filter((rm) => rm.systemic);
  const labs = new Map<string, LabResult | undefined>();
  const series = new Map<Analyte | TrendAnalyte, readonly SeriesPoint[]>();
  const activeProblems = lazy((): ProblemTerms[] => patient.problems.filter(isActiveProblem).map(termsOf));
  const byCondition = new Map<string, readonly Problem[]>();
  const ctx: RuleContext = {
    kb,
    review,
    patient,
    reviewed,
    focus: reviewed.filter((rm) => rm.systemic),
    others,
    renal: lazy(() => assessRenalFunction(patient)),
    allergens: lazy(() =>
      patient.allergies
        .filter(isActiveAllergy)
        .map((allergy) => ({ allergy, allergen: allergenOf(kb, allergy) })),
    ),
    latest: (analyte, maxAgeDays) => {
      const key = `${analyte}/${maxAgeDays}`;
      if (!labs.has(key)) labs.set(key, latestLab(patient.labs, analyte, patient.now, maxAgeDays));
      return labs.get(key);
    },
    series: (analyte) => {
      let points = series.get(analyte);
      if (!points) {
        points = seriesOf(patient.labs, analyte, patient.now);
        series.set(analyte, points);
      }
      return points;
    },
    weight: lazy(() => latestWeight(patient)),
    problemsWith: (conditionId) => {
      let found = byCondition.get(conditionId);
      if (!found) {
        const definition = kb.conditionDefinitions.get(conditionId);
        const matching: Problem[] = [];
        if (definition)
          for (const p of activeProblems()) if (problemMatches(definition, p)) matching.push(p.problem);
        found = matching.length > 0 ? matching : NONE;
        byCondition.set(conditionId, found);
      }
      return found;
    },
    pregnancy: lazy(() => populationStatus(ctx, kb.pregnancyStatus.pregnancy)),
    lactation: lazy(() => populationStatus(ctx, kb.pregnancyStatus.lactation)),
  };
  return ctx;
}

/** Focus drafts can be removed or replaced by a suggestion; active orders and other drafts are left alone. */
export function isReviewedDraft(ctx: RuleContext, rm: ResolvedMed): boolean {
  return rm.med.origin === 'draft' && ctx.reviewed.includes(rm);
}

/** Each reviewed systemic medication paired with each of its ingredients that a rule covers. */
export function reviewedIn(
  ctx: RuleContext,
  drugs: ReadonlySet<string>,
): readonly (readonly [ResolvedMed, string])[] {
  // Asked by most checks on every review, and nearly always empty: no arrays unless something is covered.
  let found: [ResolvedMed, string][] | undefined;
  for (const rm of ctx.focus) for (const i of rm.ingredients) if (drugs.has(i)) (found ??= []).push([rm, i]);
  return found ?? NONE;
}
