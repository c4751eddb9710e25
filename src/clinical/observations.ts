/** Observation → `LabResult`: value and unit normalized to UCUM for the analytes we reason about (`units.ts`). */
import { codeIn, conceptOf, textsOf } from './concept.js';
import { asMember, asNumber, asRecord, asRecords, asString, type JsonRecord } from './guards.js';
import { type Analyte, analyteOf, normalizeQuantity } from './units.js';
import { LOINC, type LabResult } from './types.js';
import {
  OBSERVATION_INTERPRETATION,
  OBSERVATION_INTERPRETATION_SYSTEMS,
  type ObservationInterpretation,
} from './valueSets.js';

const UCUM = 'http://unitsofmeasure.org';

function effectiveOf(obs: JsonRecord): string | undefined {
  const period = asRecord(obs.effectivePeriod);
  return (
    asString(obs.effectiveDateTime) ??
    asString(period?.end) ??
    asString(period?.start) ??
    asString(obs.effectiveInstant) ??
    asString(obs.issued)
  );
}

/**
 * The first interpretation's code from v3 ObservationInterpretation (or v2 table 0078, or a coding without a
 * system). Its text, and a code outside the code system, are not an interpretation we can vouch for.
 */
function interpretationOf(obs: JsonRecord): ObservationInterpretation | undefined {
  for (const interpretation of asRecords(obs.interpretation)) {
    for (const coding of asRecords(interpretation.coding)) {
      const system = asString(coding.system);
      if (system !== undefined && !asMember(system, OBSERVATION_INTERPRETATION_SYSTEMS)) continue;
      const code = asMember(coding.code, OBSERVATION_INTERPRETATION);
      if (code) return code;
    }
  }
  return undefined;
}

/** `o`: an Observation as sent. */
export function labFromObservation(o: unknown): LabResult {
  const obs: JsonRecord = asRecord(o) ?? {};
  const concept = conceptOf(obs.code);
  const loinc = codeIn(concept, LOINC);
  const analyte = analyteOf(loinc, textsOf(concept));
  const quantity = asRecord(obs.valueQuantity);
  // A value sent as a string ("5.4") is not read as a number: the lab did not say it was one.
  const originalValue = asNumber(quantity?.value);
  const system = asString(quantity?.system);
  const code = asString(quantity?.code);
  // The UCUM code is the machine-readable unit; other systems' codes (e.g. a SNOMED unit concept) are not, so
  // then the human-readable `unit` is the better guess.
  const ucum = system === undefined || system === UCUM;
  const originalUnit = (ucum ? code : undefined) ?? asString(quantity?.unit) ?? code;
  const normalized =
    analyte && originalValue !== undefined
      ? normalizeQuantity(analyte, originalValue, originalUnit)
      : undefined;
  const range = asRecords(obs.referenceRange)[0];
  const coded = asRecord(obs.valueCodeableConcept) ? conceptOf(obs.valueCodeableConcept) : undefined;
  return {
    ref: `Observation/${asString(obs.id) ?? 'unknown'}`,
    concept,
    loinc,
    value: analyte ? normalized?.value : originalValue,
    valueCode: coded?.codings.find((c) => c.code)?.code,
    valueText: asString(obs.valueString) ?? coded?.text,
    unit: analyte ? (normalized?.unit ?? originalUnit) : originalUnit,
    comparator: asString(quantity?.comparator),
    effective: effectiveOf(obs),
    status: asString(obs.status),
    interpretation: interpretationOf(obs),
    analyte,
    originalValue,
    originalUnit,
    referenceLow: asNumber(asRecord(range?.low)?.value),
    referenceHigh: asNumber(asRecord(range?.high)?.value),
  };
}

/** Results that count: final or amended ones, plus preliminary (a critical preliminary potassium matters). */
export const USABLE_STATUSES: ReadonlySet<string> = new Set(['final', 'amended', 'corrected', 'preliminary']);

const DAY_MS = 86_400_000;

/**
 * The most recent usable result for an analyte taken within `maxAgeDays` of `now`, with a numeric normalized
 * value. Undefined when there is none: absent is not normal, and callers must treat it as "unknown".
 */
export function latestLab(
  labs: readonly LabResult[],
  analyte: Analyte,
  now: Date,
  maxAgeDays: number,
): LabResult | undefined {
  let best: LabResult | undefined;
  let bestTime = -Infinity;
  const oldest = now.getTime() - maxAgeDays * DAY_MS;
  for (const lab of labs) {
    if (lab.analyte !== analyte || lab.value === undefined || !lab.effective) continue;
    if (lab.status && !USABLE_STATUSES.has(lab.status)) continue;
    const t = Date.parse(lab.effective);
    if (Number.isNaN(t) || t < oldest || t > now.getTime() + DAY_MS) continue;
    if (t > bestTime) {
      best = lab;
      bestTime = t;
    }
  }
  return best;
}

/** Whether any result (any value) for the analyte was taken within `days` — for "is it being monitored?". */
export function hasLabWithin(labs: readonly LabResult[], analyte: Analyte, now: Date, days: number): boolean {
  const oldest = now.getTime() - days * DAY_MS;
  return labs.some((lab) => {
    if (lab.analyte !== analyte || !lab.effective) return false;
    if (lab.status === 'entered-in-error' || lab.status === 'cancelled') return false;
    const t = Date.parse(lab.effective);
    return !Number.isNaN(t) && t >= oldest;
  });
}
