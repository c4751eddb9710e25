/**
 * The rules' own view of a structured dosage (FHIR Dosage: doseAndRate.doseQuantity, timing.repeat, route), and
 * the arithmetic the dose checks need: administrations per day, and milligrams of one ingredient per day — for
 * a combination product from the strengths its RxNorm name states ("Acetaminophen 325 MG / oxyCODONE
 * Hydrochloride 5 MG Oral Tablet", two tablets four times a day → 2,600 mg acetaminophen).
 *
 * `dosageFromMedication` is the one adapter from the normalized `Medication`: the normalizer does not expose a
 * structured dosage yet, so it returns nothing and every dose check stays silent until it does.
 */
import { nameTokens } from '../../clinical/text.js';
import type { Medication } from '../../clinical/types.js';
import type { KnowledgeBase } from './knowledge.js';

/** UCUM units of time FHIR allows in `Timing.repeat.periodUnit`. */
export type PeriodUnit = 's' | 'min' | 'h' | 'd' | 'wk' | 'mo' | 'a';

export interface RuleDosage {
  /** One administration: 500 mg, 2 tablets, 5 mL. */
  readonly doseQuantity?: { readonly value: number; readonly unit: string };
  /** `frequency` administrations every `period` `periodUnit` (2 per 1 d = twice daily). */
  readonly frequency?: number;
  readonly period?: number;
  readonly periodUnit?: PeriodUnit;
  /** Route as text or display (oral, topical, intravenous…). */
  readonly route?: string;
  readonly asNeeded?: boolean;
}

/** The structured dosage of a normalized medication, once the normalizer provides one. */
export function dosageFromMedication(_med: Medication): RuleDosage | undefined {
  return undefined;
}

const DAYS_PER: Readonly<Record<PeriodUnit, number>> = {
  s: 1 / 86_400,
  min: 1 / 1_440,
  h: 1 / 24,
  d: 1,
  wk: 7,
  mo: 30,
  a: 365,
};

/** Administrations per day (twice weekly = 2/7); undefined when the timing is not fully stated. */
export function administrationsPerDay(dosage: RuleDosage): number | undefined {
  const { frequency = 1, period, periodUnit } = dosage;
  if (period === undefined || periodUnit === undefined || period <= 0 || frequency <= 0) return undefined;
  return frequency / (period * DAYS_PER[periodUnit]);
}

const MASS_TO_MG: Readonly<Record<string, number>> = { mg: 1, g: 1000, mcg: 0.001, ug: 0.001 };
const UNIT_DOSE_WORDS = new Set([
  'tablet',
  'tablets',
  'tab',
  'tabs',
  'capsule',
  'capsules',
  'cap',
  'caps',
  'tbl',
  'each',
  'ea',
  '1',
  'dose',
  'lozenge',
  'suppository',
  'patch',
]);

export interface Strength {
  readonly mg: number;
  /** Per millilitre (`MG/ML`) or per unit (tablet, capsule). */
  readonly perMl: boolean;
}

/** `Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet` → strengths per knowledge ingredient. */
export function strengthsOf(kb: KnowledgeBase, productName: string): Map<string, Strength> {
  const out = new Map<string, Strength>();
  for (const part of productName.split(' / ')) {
    const m = /(\d+(?:\.\d+)?)\s*(MG|MCG|G)(\/ML)?\b/i.exec(part);
    if (!m) continue;
    const mg = Number(m[1]) * (MASS_TO_MG[(m[2] as string).toLowerCase()] ?? NaN);
    if (!Number.isFinite(mg)) continue;
    for (const ingredient of kb.drugNames.scan(part)) {
      if (!out.has(ingredient)) out.set(ingredient, { mg, perMl: m[3] !== undefined });
    }
  }
  return out;
}

/** The strength of `ingredient` the medication's name (its text, else a coding display) states. */
export function strengthOf(kb: KnowledgeBase, med: Medication, ingredient: string): Strength | undefined {
  for (const name of [med.concept.text, ...med.concept.codings.map((c) => c.display)]) {
    const strength = name ? strengthsOf(kb, name).get(ingredient) : undefined;
    if (strength) return strength;
  }
  return undefined;
}

/**
 * Milligrams of `ingredient` in one administration: a dose in mg of a single-ingredient product, or a count of
 * tablets (or millilitres) times the strength the product name states. Undefined when it cannot be told.
 */
export function mgPerAdministration(
  kb: KnowledgeBase,
  med: Medication,
  ingredients: readonly string[],
  ingredient: string,
  dosage: RuleDosage,
): number | undefined {
  const dose = dosage.doseQuantity;
  if (!dose || dose.value <= 0) return undefined;
  const unit = nameTokens(dose.unit).join(' ');
  const mass = MASS_TO_MG[unit];
  if (mass !== undefined) return ingredients.length === 1 ? dose.value * mass : undefined;
  const strength = strengthOf(kb, med, ingredient);
  if (!strength) return undefined;
  if (unit === 'ml') return strength.perMl ? dose.value * strength.mg : undefined;
  return UNIT_DOSE_WORDS.has(unit) && !strength.perMl ? dose.value * strength.mg : undefined;
}

export function mgPerDay(
  kb: KnowledgeBase,
  med: Medication,
  ingredients: readonly string[],
  ingredient: string,
  dosage: RuleDosage,
): number | undefined {
  const perAdministration = mgPerAdministration(kb, med, ingredients, ingredient, dosage);
  const perDay = administrationsPerDay(dosage);
  return perAdministration === undefined || perDay === undefined
    ? undefined
    : Math.round(perAdministration * perDay * 100) / 100;
}
