/**
 * Results as series: one per measure (an analyte the normalizer recognised, else a LOINC code) and unit, each
 * point a number with how many days ago it was taken — what a trend needs, without a date. Bounded so that years
 * of daily panels cannot blow the prompt (and with it the deadline): the most recent results all, then older ones
 * thinned to about one a quarter, always keeping the oldest so the long view survives. Series whose latest result
 * is most recent come first.
 */
import type { LabResult } from '../../clinical/types.js';

export interface SeriesBounds {
  /** Series sent at most (the most recently measured). */
  readonly series: number;
  /** Results sent per series at most. */
  readonly points: number;
  /** Of those, the most recent ones sent as they are before thinning starts. */
  readonly recent: number;
  /** Older results are kept about this many days apart. */
  readonly spacingDays: number;
}

export const LAB_SERIES_BOUNDS: SeriesBounds = { series: 25, points: 24, recent: 10, spacingDays: 90 };
export const VITAL_SERIES_BOUNDS: SeriesBounds = { series: 8, points: 12, recent: 6, spacingDays: 90 };

/** One result of a series, as the service keeps it (the model gets the number and `daysAgo` only). */
export interface SeriesPoint {
  readonly result: LabResult;
  readonly value: number | null;
  /** Whole days before the hook; null when the result has no usable time. */
  readonly daysAgo: number | null;
}

export interface Series {
  /** What is measured: `egfr`, `potassium`, `hemoglobin`, `hba1c`, or `loinc:1234-5`; undefined when uncoded. */
  readonly measure: string | undefined;
  /** Most recent first. */
  readonly points: readonly SeriesPoint[];
}

const DAY_MS = 86_400_000;

/** Measures the claim checks and finding keys name, by LOINC, beyond the normalizer's analytes. */
const MEASURE_BY_LOINC: Readonly<Record<string, string>> = {
  '718-7': 'hemoglobin',
  '4548-4': 'hba1c',
  '17856-6': 'hba1c',
  '2345-7': 'glucose',
  '14334-7': 'lithium',
  '3016-3': 'tsh',
  '2093-3': 'cholesterol',
  '13457-7': 'ldl',
  '8480-6': 'systolic-bp',
  '8462-4': 'diastolic-bp',
  '8302-2': 'height',
  '39156-5': 'bmi',
};

export function measureOf(result: LabResult): string | undefined {
  if (result.analyte) return result.analyte;
  if (result.loinc === undefined) return undefined;
  return Object.hasOwn(MEASURE_BY_LOINC, result.loinc)
    ? MEASURE_BY_LOINC[result.loinc]
    : `loinc:${result.loinc}`;
}

function timeOf(result: LabResult): number | undefined {
  const at = Date.parse(result.effective ?? '');
  return Number.isNaN(at) ? undefined : at;
}

export function daysAgo(result: LabResult, now: Date): number | null {
  const at = timeOf(result);
  if (at === undefined || at > now.getTime() + 60_000) return null;
  return Math.max(0, Math.floor((now.getTime() - at) / DAY_MS));
}

/** The bounded selection of one series' results (most recent first). */
function thinned(points: readonly SeriesPoint[], bounds: SeriesBounds): SeriesPoint[] {
  if (points.length <= bounds.points) return [...points];
  const kept = points.slice(0, bounds.recent);
  const oldest = points[points.length - 1]!;
  let last = kept[kept.length - 1]?.daysAgo ?? 0;
  for (const point of points.slice(bounds.recent, -1)) {
    if (kept.length >= bounds.points - 1) break;
    if (point.daysAgo !== null && point.daysAgo - last >= bounds.spacingDays) {
      kept.push(point);
      last = point.daysAgo;
    }
  }
  kept.push(oldest);
  return kept;
}

/**
 * Groups results into series (by measure and unit, so a claim compares like with like; an uncoded result with no
 * analyte stands alone) and bounds them. Results with no time sort last.
 */
export function seriesOf(results: readonly LabResult[], now: Date, bounds: SeriesBounds): Series[] {
  const groups = new Map<string, SeriesPoint[]>();
  results.forEach((result, index) => {
    const measure = measureOf(result);
    const key = measure === undefined ? `#${index}` : `${measure}\n${result.unit ?? ''}`;
    const value = result.value !== undefined && Number.isFinite(result.value) ? result.value : null;
    const list = groups.get(key) ?? [];
    list.push({ result, value, daysAgo: daysAgo(result, now) });
    groups.set(key, list);
  });
  const newestFirst = (a: SeriesPoint, b: SeriesPoint): number =>
    (a.daysAgo ?? Number.MAX_SAFE_INTEGER) - (b.daysAgo ?? Number.MAX_SAFE_INTEGER);
  return [...groups.values()]
    .map((points) => {
      const sorted = [...points].sort(newestFirst);
      return { measure: measureOf(sorted[0]!.result), points: thinned(sorted, bounds) };
    })
    .sort((a, b) => newestFirst(a.points[0]!, b.points[0]!))
    .slice(0, bounds.series);
}
