/**
 * Dose arithmetic on the normalized structured dosage (`Medication.dosage`: FHIR Dosage doseAndRate.doseQuantity,
 * timing.repeat, route — `src/clinical/medications.ts`): administrations per day, and milligrams of one ingredient
 * per day — for a combination product from the strengths its RxNorm name states ("Acetaminophen 325 MG /
 * oxyCODONE Hydrochloride 5 MG Oral Tablet", two tablets four times a day → 2,600 mg acetaminophen).
 */
import { nameTokens } from '../../clinical/text.js';
import type { Dosage, Medication } from '../../clinical/types.js';
import { ucumUnit } from '../../clinical/units.js';
import type { UnitOfTime } from '../../clinical/valueSets.js';
import type { KnowledgeBase } from './knowledge.js';

const DAYS_PER: Readonly<Record<UnitOfTime, number>> = {
  s: 1 / 86_400,
  min: 1 / 1_440,
  h: 1 / 24,
  d: 1,
  wk: 7,
  mo: 30,
  a: 365,
};

/** Administrations per day (twice weekly = 2/7); undefined when the timing is not fully stated. */
export function administrationsPerDay(dosage: Dosage): number | undefined {
  const { frequency = 1, period, periodUnit } = dosage;
  if (period === undefined || periodUnit === undefined || period <= 0 || frequency <= 0) return undefined;
  return frequency / (period * DAYS_PER[periodUnit]);
}

/** Milligrams per unit of mass (UCUM codes, as `ucumUnit` spells them). */
const MASS_TO_MG: Readonly<Record<string, number>> = { mg: 1, g: 1000, ug: 0.001 };
/** One unit of the product (a tablet, a capsule…): UCUM annotations and the words sigs use for them. */
const UNIT_DOSES = new Set([
  '{tbl}',
  '{capsule}',
  '{patch}',
  '1',
  'tbl',
  'each',
  'ea',
  'dose',
  'lozenge',
  'suppository',
  'patch',
]);

/** A dose unit as we reason about it: the UCUM unit when we recognise it (`tablets` → `{tbl}`), else its words. */
function doseUnit(unit: string | undefined): string {
  return ucumUnit(unit) ?? nameTokens(unit ?? '').join(' ');
}

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
  dosage: Dosage,
): number | undefined {
  const dose = dosage.dose;
  if (!dose || dose.value <= 0) return undefined;
  const unit = doseUnit(dose.unit);
  const mass = MASS_TO_MG[unit];
  if (mass !== undefined) return ingredients.length === 1 ? dose.value * mass : undefined;
  const strength = strengthOf(kb, med, ingredient);
  if (!strength) return undefined;
  if (unit === 'mL') return strength.perMl ? dose.value * strength.mg : undefined;
  return UNIT_DOSES.has(unit) && !strength.perMl ? dose.value * strength.mg : undefined;
}

export function mgPerDay(
  kb: KnowledgeBase,
  med: Medication,
  ingredients: readonly string[],
  ingredient: string,
  dosage: Dosage,
): number | undefined {
  const perAdministration = mgPerAdministration(kb, med, ingredients, ingredient, dosage);
  const perDay = administrationsPerDay(dosage);
  return perAdministration === undefined || perDay === undefined
    ? undefined
    : Math.round(perAdministration * perDay * 100) / 100;
}
