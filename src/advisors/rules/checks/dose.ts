/**
 * Dose checks from structured dosages (`dosage.ts`; silent for medications without one):
 * - the largest daily dose of an ingredient (`dosing.json` maxDaily), summed over every active and draft order and
 *   reported medication that contains it, combination products included (acetaminophen in Percocet and in
 *   Tylenol); a medication whose dose cannot be read adds nothing, so the sum is a lower bound and only a sum
 *   already over the limit fires. Adults only (children are checked per kilogram);
 * - drugs dosed weekly ordered more often (methotrexate daily instead of weekly);
 * - children's per-kilogram limits, with a body weight from the last 30 days (none: no check);
 * - labelled dose reductions by patient criteria (apixaban 2.5 mg with two of age 80+, 60 kg or less, creatinine
 *   1.5 mg/dL or more): the dose per administration from the structured dosage, else the strength the product
 *   name states; a full dose fires, a reduced one does not.
 * Fires only when a reviewed medication contains the ingredient.
 */
import { md } from '../../../findings/markdown.js';
import { latestLab } from '../../../clinical/observations.js';
import type { LabResult, PatientContext } from '../../../clinical/types.js';
import type { Finding } from '../../../findings/types.js';
import type { RuleCheck } from '../check.js';
import { type FindingParts, ruleFinding } from '../cardParts.js';
import { describeLab, describeMed, drugName, kbText, lowerName } from '../cardText.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { CREATININE_UMOL_PER_MGDL, RENAL_MAX_AGE_DAYS } from '../../../clinical/renal.js';
import { administrationsPerDay, mgPerAdministration, mgPerDay, strengthOf } from '../dosage.js';
import { findingKey } from '../../../findings/keys.js';
import type { MaxDailyDoseSpec, PediatricDoseSpec } from '../knowledgeFiles.js';
import { suggestionsFor } from '../suggestions.js';

/** A child's weight changes fast: only a recent one is used for a per-kilogram limit. */
const CHILD_WEIGHT_MAX_AGE_DAYS = 30;

interface Contribution {
  readonly rm: ResolvedMed;
  readonly mgPerDay: number;
}

/** What the orders add up to, when at least one reviewed medication contributes (it is this hook's concern). */
function dailyTotal(
  ctx: RuleContext,
  ingredient: string,
): { parts: Contribution[]; total: number } | undefined {
  const parts = contributions(ctx, ingredient);
  if (!parts.some((c) => ctx.focus.includes(c.rm))) return undefined;
  return { parts, total: Math.round(parts.reduce((sum, c) => sum + c.mgPerDay, 0) * 100) / 100 };
}

function contributions(ctx: RuleContext, ingredient: string): Contribution[] {
  const out: Contribution[] = [];
  for (const rm of [...ctx.focus, ...ctx.others]) {
    if (!rm.med.dosage || !rm.ingredients.includes(ingredient)) continue;
    const daily = mgPerDay(ctx.kb, rm.med, rm.ingredients, ingredient, rm.med.dosage);
    if (daily !== undefined) out.push({ rm, mgPerDay: daily });
  }
  return out;
}

function reviewedIngredients(ctx: RuleContext): Set<string> {
  return new Set(ctx.focus.flatMap((rm) => rm.ingredients));
}

function contributionLine(c: Contribution): string {
  return describeMed(c.rm) + md`: ${c.mgPerDay} mg/day`;
}

/**
 * A daily total above its limit, the adult maximum or a child's per-kilogram one: the same warning either way,
 * keyed by the ingredient, offering to change the orders that add up to it.
 */
function dailyTotalFinding(
  ctx: RuleContext,
  spec: MaxDailyDoseSpec | PediatricDoseSpec,
  ingredient: string,
  parts: readonly Contribution[],
  text: Pick<FindingParts, 'summary' | 'headline' | 'evidenceLines' | 'todo' | 'evidence'>,
): Finding {
  return ruleFinding(ctx.kb, {
    kind: 'dose',
    entry: spec,
    ruleId: `dose/${spec.id}`,
    key: findingKey('dose', [lowerName(ctx.kb, ingredient)]),
    severity: 'warning',
    ...text,
    suggestions: suggestionsFor(ctx, { meds: parts.map((c) => c.rm) }),
  });
}

function maxDailyFindings(ctx: RuleContext, reviewed: Set<string>): Finding[] {
  const { kb, patient } = ctx;
  const age = patient.patient.ageYears;
  if (age !== undefined && age < 18) return [];
  const out: Finding[] = [];
  for (const ingredient of reviewed) {
    const spec = kb.maxDailyDose.get(ingredient);
    if (!spec) continue;
    const sum = dailyTotal(ctx, ingredient);
    if (!sum) continue;
    const { parts, total } = sum;
    const limit =
      spec.fromAge && age !== undefined && age >= spec.fromAge.age
        ? spec.fromAge.maxMgPerDay
        : spec.maxMgPerDay;
    if (total <= limit) continue;
    const name = drugName(kb, ingredient);
    const ageNote = limit !== spec.maxMgPerDay ? ` (the limit from age ${spec.fromAge?.age ?? ''})` : '';
    out.push(
      dailyTotalFinding(ctx, spec, ingredient, parts, {
        summary: `${name} ${total} mg/day across ${parts.length} order${parts.length > 1 ? 's' : ''}: above ${limit} mg/day`,
        headline:
          `**${kbText(name)}**: ` +
          md`${total} mg a day from the orders below, above the label's maximum of ${limit} mg a day${ageNote}.`,
        evidenceLines: parts.map(contributionLine),
        todo: `Lower the dose or stop one of the orders so the total stays within ${limit} mg a day; check combination products for hidden ${lowerName(kb, ingredient)}.`,
        evidence: [...parts.map((c) => c.rm.med.ref), ...(spec.fromAge ? [patient.patient.ref] : [])],
      }),
    );
  }
  return out;
}

function weeklyFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    if (!rm.med.dosage) continue;
    const perDay = administrationsPerDay(rm.med.dosage);
    if (perDay === undefined) continue;
    for (const ingredient of rm.ingredients) {
      const spec = kb.weeklyDose.get(ingredient);
      if (!spec || perDay * 7 <= spec.maxAdministrationsPerWeek + 1e-9) continue;
      const name = drugName(kb, ingredient);
      const perWeek = Math.round(perDay * 7 * 10) / 10;
      out.push(
        ruleFinding(kb, {
          kind: 'dose',
          entry: spec,
          ruleId: `dose/${spec.id}`,
          key: findingKey('dose', [lowerName(kb, ingredient), 'weekly']),
          severity: spec.severity,
          summary: `${name} ordered ${perWeek} times a week: it is dosed once weekly`,
          headline:
            `**${kbText(name)}** ` + md`is ordered ${perWeek} times a week; it is a once-weekly drug.`,
          evidenceLines: [describeMed(rm)],
          why: spec.rationale,
          todo: spec.management,
          evidence: [rm.med.ref],
          suggestions: suggestionsFor(ctx, { meds: [rm], recommendRemoval: true }),
        }),
      );
    }
  }
  return out;
}

/** A child's weight from the last 30 days: from the vital signs, else from the labs. */
function childWeight(patient: PatientContext): LabResult | undefined {
  return (
    latestLab(patient.vitals ?? [], 'weight', patient.now, CHILD_WEIGHT_MAX_AGE_DAYS) ??
    latestLab(patient.labs, 'weight', patient.now, CHILD_WEIGHT_MAX_AGE_DAYS)
  );
}

/** The per-kilogram limit for a child of this age, when the knowledge base gives one for the ingredient. */
function pediatricLimit(ctx: RuleContext, ingredient: string): PediatricDoseSpec | undefined {
  const age = ctx.patient.patient.ageYears;
  const spec = ctx.kb.pediatricDose.get(ingredient);
  return age !== undefined && age < 18 && spec && age < spec.belowAge ? spec : undefined;
}

function pediatricDoseFindings(ctx: RuleContext, reviewed: Set<string>): Finding[] {
  const { kb, patient } = ctx;
  const age = patient.patient.ageYears;
  if (age === undefined || age >= 18) return [];
  const weight = childWeight(patient);
  if (weight?.value === undefined || weight.value <= 0) return [];
  const out: Finding[] = [];
  for (const ingredient of reviewed) {
    const spec = pediatricLimit(ctx, ingredient);
    if (!spec) continue;
    const sum = dailyTotal(ctx, ingredient);
    if (!sum) continue;
    const { parts, total } = sum;
    const limit = Math.min(spec.maxMgPerKgPerDay * weight.value, spec.maxMgPerDay);
    if (total <= limit) continue;
    const name = drugName(kb, ingredient);
    const perKg = Math.round((total / weight.value) * 10) / 10;
    out.push(
      dailyTotalFinding(ctx, spec, ingredient, parts, {
        summary: `${name} ${perKg} mg/kg/day in a child: above ${spec.maxMgPerKgPerDay} mg/kg/day`,
        headline:
          `**${kbText(name)}**: ` +
          md`${total} mg a day (${perKg} mg/kg/day at ${weight.value} kg), above the limit of ${spec.maxMgPerKgPerDay} mg/kg/day (at most ${spec.maxMgPerDay} mg a day).`,
        evidenceLines: [...parts.map(contributionLine), `Weight: ${describeLab(weight)}`],
        todo: `Recalculate the dose from the current weight: at most ${Math.round(limit)} mg a day for this child.`,
        evidence: [...parts.map((c) => c.rm.med.ref), weight.ref, patient.patient.ref],
      }),
    );
  }
  return out;
}

/** The dose per administration: from the structured dosage, else the per-unit strength the product name states. */
function doseMg(ctx: RuleContext, rm: ResolvedMed, ingredient: string): number | undefined {
  if (rm.med.dosage) return mgPerAdministration(ctx.kb, rm.med, rm.ingredients, ingredient, rm.med.dosage);
  const strength = strengthOf(ctx.kb, rm.med, ingredient);
  return strength && !strength.perMl ? strength.mg : undefined;
}

function reductionFindings(ctx: RuleContext): Finding[] {
  const { kb, patient } = ctx;
  const out: Finding[] = [];
  for (const rm of ctx.focus) {
    for (const ingredient of rm.ingredients) {
      const spec = kb.reductionCriteria.get(ingredient);
      if (!spec) continue;
      const met: { line: string; ref: string }[] = [];
      const age = patient.patient.ageYears;
      if (spec.criteria.minAge !== undefined && age !== undefined && age >= spec.criteria.minAge)
        met.push({ line: md`Age ${age} (${spec.criteria.minAge} or older)`, ref: patient.patient.ref });
      const w = ctx.weight();
      if (
        spec.criteria.maxWeightKg !== undefined &&
        w?.value !== undefined &&
        w.value <= spec.criteria.maxWeightKg
      )
        met.push({ line: `Weight: ${describeLab(w)}`, ref: w.ref });
      const creat = ctx.latest('creatinine', RENAL_MAX_AGE_DAYS);
      if (
        spec.criteria.minCreatinineMgDl !== undefined &&
        creat?.value !== undefined &&
        creat.value / CREATININE_UMOL_PER_MGDL >= spec.criteria.minCreatinineMgDl - 1e-9
      )
        met.push({ line: `Lab: ${describeLab(creat)}`, ref: creat.ref });
      if (met.length < spec.minMet) continue;
      const dose = doseMg(ctx, rm, ingredient);
      if (dose === undefined || dose <= spec.reducedDoseMg) continue;
      const name = drugName(kb, ingredient);
      out.push(
        ruleFinding(kb, {
          kind: 'dose',
          entry: spec,
          ruleId: `dose/${spec.id}`,
          key: findingKey('dose', [lowerName(kb, ingredient), 'reduction']),
          severity: spec.severity,
          summary: `${name} ${dose} mg: ${met.length} dose-reduction criteria met (label dose ${spec.reducedDoseMg} mg)`,
          headline:
            `**${kbText(name)}** ` +
            md`${dose} mg per dose, and the patient meets ${met.length} of the label's dose-reduction criteria: the labelled dose is ${spec.reducedDoseMg} mg.`,
          evidenceLines: [describeMed(rm), ...met.map((m) => m.line)],
          why: spec.rationale,
          todo: spec.management,
          evidence: [rm.med.ref, ...met.map((m) => m.ref)],
          suggestions: suggestionsFor(ctx, { meds: [rm] }),
        }),
      );
    }
  }
  return out;
}

export function doseFindings(ctx: RuleContext): Finding[] {
  const reductions = reductionFindings(ctx);
  if (!ctx.focus.some((rm) => rm.med.dosage)) return reductions;
  const reviewed = reviewedIngredients(ctx);
  return [
    ...reductions,
    ...maxDailyFindings(ctx, reviewed),
    ...weeklyFindings(ctx),
    ...pediatricDoseFindings(ctx, reviewed),
  ];
}

const isAdult = (ctx: RuleContext): boolean => (ctx.patient.patient.ageYears ?? 18) >= 18;

export const doseCheck: RuleCheck = {
  id: 'dose',
  label: 'dose check',
  needs: [
    {
      // The daily total sums every order and reported medication with the ingredient.
      data: 'medications',
      label: 'daily dose summed over all the orders',
      appliesTo: (ctx, rm, ingredient) =>
        rm.med.dosage !== undefined &&
        ((isAdult(ctx) && ctx.kb.maxDailyDose.has(ingredient)) ||
          pediatricLimit(ctx, ingredient) !== undefined),
    },
    {
      data: 'labs',
      label: 'children’s per-kilogram dose limit (body weight)',
      appliesTo: (ctx, rm, ingredient) =>
        rm.med.dosage !== undefined &&
        pediatricLimit(ctx, ingredient) !== undefined &&
        latestLab(ctx.patient.vitals ?? [], 'weight', ctx.patient.now, CHILD_WEIGHT_MAX_AGE_DAYS) ===
          undefined,
    },
    {
      // The weight comes from the vital signs first; one filed with the labs is used when they give none.
      data: 'vitals',
      label: 'children’s per-kilogram dose limit (body weight)',
      appliesTo: (ctx, rm, ingredient) =>
        rm.med.dosage !== undefined &&
        pediatricLimit(ctx, ingredient) !== undefined &&
        latestLab(ctx.patient.labs, 'weight', ctx.patient.now, CHILD_WEIGHT_MAX_AGE_DAYS) === undefined,
    },
    {
      data: 'labs',
      label: 'dose-reduction criteria (body weight, creatinine)',
      appliesTo: (ctx, _rm, ingredient) => {
        const criteria = ctx.kb.reductionCriteria.get(ingredient)?.criteria;
        return criteria?.maxWeightKg !== undefined || criteria?.minCreatinineMgDl !== undefined;
      },
    },
  ],
  run: doseFindings,
};
