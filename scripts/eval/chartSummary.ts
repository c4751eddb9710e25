/**
 * A short, de-identified description of a scenario's chart for the committee's review sheet: age band and sex
 * (no birth date, no identifiers), then the medications, draft orders, problems, allergies and lab series by their
 * coded names. Read through the service's own normalizer, so the sheet shows the chart as the advisors see it.
 */
import type { HookRequest } from '../../src/cds/types.js';
import { normalizePatientContext } from '../../src/clinical/normalize.js';
import type { Concept, LabResult } from '../../src/clinical/types.js';
import { ageBand } from './metrics.js';

/** The coded name (the first coding's display), else the text. */
const nameOf = (c: Concept): string => c.codings.find((x) => x.display)?.display ?? c.text;

const DAY_MS = 86_400_000;

function labSeries(results: readonly LabResult[], now: Date): string[] {
  const byName = new Map<string, LabResult[]>();
  for (const r of results) {
    if (r.value === undefined) continue;
    // The analyte the advisors know it as ("egfr", "potassium") is shorter than a LOINC long name.
    // A LOINC long name cut before its property and system ("Sodium [Moles/volume] in Serum" → "Sodium").
    const name = r.analyte ?? nameOf(r.concept).split(/ \[| in /)[0]!;
    byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  return [...byName.entries()].map(([name, series]) => {
    const sorted = [...series].sort((a, b) => (a.effective ?? '').localeCompare(b.effective ?? ''));
    const unit = sorted.at(-1)?.originalUnit ?? sorted.at(-1)?.unit ?? '';
    const values = sorted.map((r) => String(r.originalValue ?? r.value)).join(' → ');
    const daysAgo = (r: LabResult | undefined): number =>
      r?.effective ? Math.round((now.getTime() - Date.parse(r.effective)) / DAY_MS) : 0;
    const first = daysAgo(sorted[0]);
    const last = daysAgo(sorted.at(-1));
    const when = sorted.length > 1 ? `over ${first - last} d, latest ${last} d ago` : `${last} d ago`;
    return `${name} ${values} ${unit} (${when})`.replace(/ {2,}/g, ' ');
  });
}

export function chartSummary(request: HookRequest, now: string): string {
  const prefetch = (request.prefetch ?? {}) as Record<string, unknown>;
  const context = request.context as unknown as Record<string, unknown>;
  const clock = new Date(now);
  const chart = normalizePatientContext({
    hook: request.hook,
    now: clock,
    patientId: String(context.patientId),
    patient: prefetch.patient,
    medications: prefetch.medications,
    conditions: prefetch.conditions,
    allergies: prefetch.allergies,
    labs: prefetch.labs,
    labHistory: prefetch.labHistory,
    vitals: prefetch.vitals,
    draftOrders: context.draftOrders,
    selections: context.selections as string[] | undefined,
    missing: [],
  });
  const list = (label: string, names: readonly string[]): string[] =>
    names.length === 0 ? [] : [`${label}: ${names.join(', ')}`];
  const weight = chart.vitals?.find((v) => v.loinc === '29463-7');
  return [
    `${chart.patient.sex ?? 'unknown'}, age ${ageBand(chart.patient.ageYears)}`,
    ...list(
      'medications',
      chart.activeMedications.map((m) => nameOf(m.concept)),
    ),
    ...list(
      'ordering',
      chart.draftOrders.map((m) => nameOf(m.concept)),
    ),
    ...list(
      'problems',
      chart.problems.map((p) => nameOf(p.concept)),
    ),
    ...list(
      'allergies',
      chart.allergies.map((a) => nameOf(a.concept)),
    ),
    ...list('labs', labSeries(chart.labs, clock)),
    ...(weight?.value !== undefined ? [`weight ${weight.value} ${weight.unit ?? ''}`.trim()] : []),
  ].join('; ');
}
