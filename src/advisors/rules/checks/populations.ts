/**
 * Drugs a population should avoid or use with care:
 * - pregnancy and breastfeeding (`pregnancy.json`), when the chart says so (`populationStatus.ts`);
 * - children (`pediatric.json`), by age in whole years, some only with a condition (aspirin with a viral illness);
 * - older adults (`geriatric.json`, a selection of the AGS Beers Criteria 2023), quiet below the file's `minAge`:
 *   a new order gets the entry's severity, a drug the patient already takes is reviewed at `info` (a
 *   deprescribing prompt, not an alarm).
 * A condition in `unlessConditions` (a mechanical heart valve for warfarin in pregnancy, epilepsy for a
 * benzodiazepine) lowers the finding to `unlessSeverity`, or silences it.
 */
import { md } from '../../../findings/markdown.js';
import type { Finding, Severity } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, kbText, lowerName } from '../cardText.js';
import { reviewedIn, type ResolvedMed, type RuleContext } from '../context.js';
import type { Expanded } from '../knowledge.js';
import { findingKey, type FindingKind } from '../../../findings/keys.js';
import type { PopulationRuleSpec } from '../knowledgeFiles.js';
import type { PopulationStatus } from '../populationStatus.js';
import { suggestionsFor } from '../suggestions.js';
import type { DataNeed, RuleCheck } from '../check.js';

interface Population {
  readonly kind: FindingKind & ('pregnancy' | 'lactation' | 'pediatric' | 'geriatric');
  /** "in pregnancy", "in a child of 7", "at 81". */
  readonly phrase: string;
  /** Evidence lines and refs for the population itself (pregnancy evidence; nothing for age). */
  readonly status?: PopulationStatus;
}

/** The severity after `unlessConditions`, with the problems that lowered it; undefined when silenced. */
function adjusted(
  ctx: RuleContext,
  spec: PopulationRuleSpec,
  severity: Severity,
): { severity: Severity; because: readonly string[] } | undefined {
  const because = (spec.unlessConditions ?? []).flatMap((id) => ctx.problemsWith(id).map((p) => p.ref));
  if (because.length === 0) return { severity, because };
  return spec.unlessSeverity ? { severity: spec.unlessSeverity, because } : undefined;
}

function populationFinding(
  ctx: RuleContext,
  population: Population,
  rule: PopulationRuleSpec,
  rm: ResolvedMed,
  ingredient: string,
  severity: Severity,
): Finding | undefined {
  const { kb } = ctx;
  const adjustedSeverity = adjusted(ctx, rule, severity);
  if (!adjustedSeverity) return undefined;
  const name = drugName(kb, ingredient);
  const contraindicated = rule.contraindication === true && adjustedSeverity.severity === 'critical';
  const lowered = adjustedSeverity.because.length > 0;
  return ruleFinding(kb, {
    kind: population.kind,
    entry: rule,
    ruleId: `${population.kind}/${rule.id}`,
    key: findingKey(population.kind, [lowerName(kb, ingredient)]),
    severity: adjustedSeverity.severity,
    summary: contraindicated
      ? `Contraindicated ${population.phrase}: ${name} (${rule.effect})`
      : `${name} ${population.phrase}: ${rule.effect}`,
    headline: `**${kbText(name)}** ${kbText(population.phrase)}: ${kbText(rule.effect)}.`,
    evidenceLines: [describeMed(rm), ...(population.status?.lines ?? [])],
    why: rule.rationale,
    todo: rule.management,
    extra: lowered
      ? [
          md`**Lowered:** a condition on the problem list (${adjustedSeverity.because.join(', ')}) makes this drug a considered choice.`,
        ]
      : [],
    evidence: [
      rm.med.ref,
      ...(population.status?.evidence ?? [ctx.patient.patient.ref]),
      ...adjustedSeverity.because,
    ],
    suggestions: suggestionsFor(ctx, {
      meds: [rm],
      alternatives: kb.alternatives.get(rule.id),
      avoid: new Set([ingredient]),
      recommendRemoval: adjustedSeverity.severity === 'critical',
      holdOrStop: { severity: adjustedSeverity.severity, reason: `${name} ${population.phrase}` },
    }),
  });
}

function each<T extends PopulationRuleSpec>(
  ctx: RuleContext,
  rules: readonly Expanded<T>[],
  finding: (rule: T, rm: ResolvedMed, ingredient: string) => Finding | undefined,
): Finding[] {
  const out: Finding[] = [];
  for (const { spec, drugs } of rules) {
    for (const [rm, ingredient] of reviewedIn(ctx, drugs)) {
      const f = finding(spec, rm, ingredient);
      if (f) out.push(f);
    }
  }
  return out;
}

/** Ages at which pregnancy and breastfeeding are considered (an unknown age is considered too). */
const CHILDBEARING_AGES = { from: 10, to: 60 } as const;

function childbearingAge(ctx: RuleContext): boolean {
  const age = ctx.patient.patient.ageYears;
  return age === undefined || (age >= CHILDBEARING_AGES.from && age <= CHILDBEARING_AGES.to);
}

export function pregnancyFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  if (!childbearingAge(ctx)) return [];
  if (!kb.pregnancy.some((r) => reviewedIn(ctx, r.drugs).length > 0)) return [];
  const pregnant = ctx.pregnancy();
  const lactating = ctx.lactation();
  if (!pregnant && !lactating) return [];
  return each(ctx, kb.pregnancy, (rule, rm, ingredient) => {
    const status = rule.population === 'pregnancy' ? pregnant : lactating;
    if (!status) return undefined;
    const population: Population =
      rule.population === 'pregnancy'
        ? { kind: 'pregnancy', phrase: 'in pregnancy', status }
        : { kind: 'lactation', phrase: 'while breastfeeding', status };
    return populationFinding(ctx, population, rule, rm, ingredient, rule.severity);
  });
}

export function pediatricFindings(ctx: RuleContext): Finding[] {
  const age = ctx.patient.patient.ageYears;
  if (age === undefined || age >= 19) return [];
  return each(ctx, ctx.kb.pediatric, (rule, rm, ingredient) => {
    if (age >= rule.belowAge) return undefined;
    const problems = rule.condition ? ctx.problemsWith(rule.condition) : [];
    if (rule.condition && problems.length === 0) return undefined;
    const phrase = `in a child under ${rule.belowAge} (age ${age})`;
    const status: PopulationStatus = {
      evidence: [ctx.patient.patient.ref, ...problems.map((p) => p.ref)],
      lines: problems.map((p) => md`Problem: ${p.concept.text} (${p.ref})`),
    };
    return populationFinding(ctx, { kind: 'pediatric', phrase, status }, rule, rm, ingredient, rule.severity);
  });
}

export function geriatricFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const age = ctx.patient.patient.ageYears;
  if (age === undefined || age < kb.geriatricMinAge) return [];
  return each(ctx, kb.geriatric, (rule, rm, ingredient) => {
    const newOrder = rm.med.origin === 'draft';
    if ((rule.newOrdersOnly && !newOrder) || (rule.takenOnly && newOrder)) return undefined;
    return populationFinding(
      ctx,
      { kind: 'geriatric', phrase: `at age ${age} (Beers Criteria)` },
      rule,
      rm,
      ingredient,
      newOrder ? rule.severity : 'info',
    );
  });
}

/** Pregnancy and breastfeeding are read from the problem list and from status observations and hCG in the labs. */
const pregnancyApplies: DataNeed['appliesTo'] = (ctx, _rm, ingredient) =>
  childbearingAge(ctx) && ctx.kb.pregnancy.some(({ drugs }) => drugs.has(ingredient));

export const pregnancyCheck: RuleCheck = {
  id: 'pregnancy',
  label: 'pregnancy and breastfeeding check',
  needs: [
    { data: 'conditions', appliesTo: pregnancyApplies },
    { data: 'labs', appliesTo: pregnancyApplies },
  ],
  run: pregnancyFindings,
};

export const pediatricCheck: RuleCheck = {
  id: 'pediatric',
  label: 'children’s check',
  needs: [
    {
      // Rules that hold only with a condition (aspirin with a viral illness); the others need only the age.
      data: 'conditions',
      appliesTo: (ctx, _rm, ingredient) => {
        const age = ctx.patient.patient.ageYears;
        return (
          age !== undefined &&
          ctx.kb.pediatric.some(
            ({ spec, drugs }) => spec.condition !== undefined && age < spec.belowAge && drugs.has(ingredient),
          )
        );
      },
    },
  ],
  run: pediatricFindings,
};

export const geriatricCheck: RuleCheck = {
  id: 'geriatric',
  label: 'older adults’ check (Beers Criteria)',
  // The age alone decides; a condition on the problem list can only make a finding quieter.
  needs: [],
  run: geriatricFindings,
};
