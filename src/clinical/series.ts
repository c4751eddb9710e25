/**
 * The long view of one analyte: its usable numeric results over time, oldest first, in one unit. What the
 * longitudinal rules (eGFR decline, AKI, potassium rise, haemoglobin drop, HbA1c) read.
 *
 * Haemoglobin and HbA1c are recognised here rather than in `units.ts` `Analyte`: they matter only to the trend
 * rules, and HbA1c's IFCC unit (mmol/mol) converts to NGSP % by an affine equation, not a factor.
 */
import { USABLE_STATUSES } from './observations.js';
import { normalizeName } from './text.js';
import type { LabResult } from './types.js';
import { type Analyte, unitKey } from './units.js';

export type TrendAnalyte = 'hemoglobin' | 'hba1c';

interface TrendAnalyteSpec {
  readonly loinc: readonly string[];
  readonly unit: string;
  /** The value in `unit`, or undefined for a unit we do not know. */
  convert(value: number, unitKey: string): number | undefined;
  /** Recognizes text-only results (no LOINC). */
  readonly text: (name: string) => boolean;
}

const byFactor =
  (factors: Readonly<Record<string, number>>) =>
  (value: number, unit: string): number | undefined => {
    const factor = factors[unit];
    return factor === undefined ? undefined : Math.round(value * factor * 1000) / 1000;
  };

export const TREND_ANALYTES: Readonly<Record<TrendAnalyte, TrendAnalyteSpec>> = {
  hemoglobin: {
    // 718-7 Hemoglobin [Mass/volume] in Blood; 59260-0 Hemoglobin [Moles/volume] in Blood (mmol/L, monomer).
    loinc: ['718-7', '59260-0'],
    unit: 'g/dL',
    // 1 mmol/L of haemoglobin (monomer, 16.11 g/mol·10³) = 1.611 g/dL.
    convert: byFactor({ 'g/dl': 1, 'g/l': 0.1, 'mmol/l': 1.611 }),
    text: (n) =>
      /\b(hemoglobin|haemoglobin|hgb)\b/.test(n) && !/\b(a1c|glycated|glycosylated|urine)\b/.test(n),
  },
  hba1c: {
    // 4548-4 HbA1c/Hemoglobin.total in Blood; 17856-6 … by HPLC; 59261-8 … by IFCC protocol (mmol/mol).
    loinc: ['4548-4', '17856-6', '59261-8'],
    unit: '%',
    convert: (value, unit) => {
      if (unit === '%') return value;
      // NGSP % = 0.09148 × IFCC mmol/mol + 2.152 (the IFCC–NGSP master equation).
      if (unit === 'mmol/mol') return Math.round((0.09148 * value + 2.152) * 10) / 10;
      return undefined;
    },
    text: (n) => /\b(a1c|hba1c|hemoglobin a1c|glycated hemoglobin|glycosylated hemoglobin)\b/.test(n),
  },
};

const TREND_BY_LOINC = new Map<string, TrendAnalyte>(
  (Object.keys(TREND_ANALYTES) as TrendAnalyte[]).flatMap((a) =>
    TREND_ANALYTES[a].loinc.map((code) => [code, a] as const),
  ),
);

/** Which trend-only analyte a result measures: by LOINC, or by name when it carries no LOINC at all. */
export function trendAnalyteOf(lab: LabResult): TrendAnalyte | undefined {
  if (lab.loinc) return TREND_BY_LOINC.get(lab.loinc);
  const name = normalizeName(lab.concept.text);
  // HbA1c first: "hemoglobin a1c" names haemoglobin too.
  if (TREND_ANALYTES.hba1c.text(name)) return 'hba1c';
  if (TREND_ANALYTES.hemoglobin.text(name)) return 'hemoglobin';
  return undefined;
}

export interface SeriesPoint {
  readonly lab: LabResult;
  /** Epoch milliseconds of the observation. */
  readonly at: number;
  /** In the analyte's one unit (`units.ts` for `Analyte`, `TREND_ANALYTES` for the others). */
  readonly value: number;
}

const DAY_MS = 86_400_000;

function valueOf(lab: LabResult, analyte: Analyte | TrendAnalyte): number | undefined {
  if (analyte === 'hemoglobin' || analyte === 'hba1c') {
    if (trendAnalyteOf(lab) !== analyte || lab.originalValue === undefined) return undefined;
    const value = TREND_ANALYTES[analyte].convert(lab.originalValue, unitKey(lab.originalUnit));
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  }
  return lab.analyte === analyte ? lab.value : undefined;
}

/**
 * Every usable result for the analyte, oldest first: final, amended, corrected or preliminary, with a numeric
 * value in a unit we understand, no comparator (a bound like "<15" is not a point on a curve), dated, and not
 * later than a day past `now`. The same resource twice (sent in `labs` and `labHistory`) counts once.
 */
export function seriesOf(
  labs: readonly LabResult[],
  analyte: Analyte | TrendAnalyte,
  now: Date,
): SeriesPoint[] {
  const latest = now.getTime() + DAY_MS;
  const seen = new Set<string>();
  const points: SeriesPoint[] = [];
  for (const lab of labs) {
    if (!lab.effective || lab.comparator) continue;
    if (lab.status && !USABLE_STATUSES.has(lab.status)) continue;
    const value = valueOf(lab, analyte);
    if (value === undefined) continue;
    const at = Date.parse(lab.effective);
    if (Number.isNaN(at) || at > latest) continue;
    if (!lab.ref.endsWith('/unknown')) {
      if (seen.has(lab.ref)) continue;
      seen.add(lab.ref);
    }
    points.push({ lab, at, value });
  }
  return points.sort((a, b) => a.at - b.at);
}

/** The newest point, or undefined for an empty series. */
export function newest(series: readonly SeriesPoint[]): SeriesPoint | undefined {
  return series[series.length - 1];
}

export function daysBetween(earlier: number, later: number): number {
  return (later - earlier) / DAY_MS;
}
