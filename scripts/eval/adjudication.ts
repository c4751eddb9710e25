/**
 * Adjudication: every AI item of an evaluation as CSV for clinicians to judge (a de-identified summary of the
 * input, the item, the guards' decisions on that hook, an empty `verdict` column: correct / incorrect / unsafe),
 * and their verdicts read back to recompute PPV and calibration from clinicians' judgement instead of the
 * scenario set's expectations. The reference judgement is left out of the sheet so it does not lead the reader.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CaseRun, JudgedItem, Verdict } from './metrics.js';
import { VERDICTS } from './metrics.js';

export const ADJUDICATION_COLUMNS = [
  'item_id',
  'case',
  'hook',
  'patient',
  'input_summary',
  'kind',
  'severity',
  'stated_certainty',
  'summary',
  'key',
  'guard_decisions',
  'verdict',
  'comment',
] as const;

/** PHI-free by construction: bands, not values; the case description is written for the synthetic chart. */
function patientOf(run: CaseRun): string {
  const s = run.subgroups;
  const ext = Object.entries(s.extensions).map(([k, v]) => `${k}: ${v}`);
  return [s.sex, `age ${s.ageBand}`, s.renalBand, ...ext].join('; ');
}

const guardText = (drops: Readonly<Record<string, number>>): string =>
  Object.entries(drops)
    .map(([reason, n]) => `dropped ${n} (${reason})`)
    .join('; ') || 'nothing dropped';

/**
 * The CSV sheet of every model item the figures count: each case's first run (repeats measure stability, not
 * accuracy, so their items would be judged for nothing).
 */
export function adjudicationCsv(
  runs: readonly CaseRun[],
  descriptions: Readonly<Record<string, string>>,
): string {
  const rows = runs
    .filter((run) => run.run === 1)
    .flatMap((run) =>
      run.items
        .filter((i) => i.advisor === 'model')
        .map((i) => ({
          item_id: i.id,
          case: run.caseName,
          hook: run.hook,
          patient: patientOf(run),
          input_summary: descriptions[run.caseName] ?? '',
          kind: i.kind,
          severity: i.severity,
          stated_certainty: i.certainty ?? '',
          summary: i.summary,
          key: i.key,
          guard_decisions: guardText(run.guardDrops),
          verdict: '',
          comment: '',
        })),
    );
  return stringify(rows, { header: true, columns: [...ADJUDICATION_COLUMNS] });
}

export class VerdictsError extends Error {
  override readonly name = 'VerdictsError';
}

/** Verdicts by item id from a filled sheet; rows left blank are not judged. Names the line of a bad verdict. */
export function readVerdicts(csv: string): Map<string, Verdict> {
  const rows = parse<Record<string, string>>(csv, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  const verdicts = new Map<string, Verdict>();
  rows.forEach((row, i) => {
    const line = i + 2;
    const id = row.item_id;
    if (!id) throw new VerdictsError(`line ${line}: no item_id`);
    const raw = (row.verdict ?? '').toLowerCase();
    if (raw === '') return;
    if (!(VERDICTS as readonly string[]).includes(raw))
      throw new VerdictsError(`line ${line}: verdict must be one of ${VERDICTS.join(', ')} (got "${raw}")`);
    if (verdicts.has(id)) throw new VerdictsError(`line ${line}: ${id} judged twice`);
    verdicts.set(id, raw as Verdict);
  });
  return verdicts;
}

export interface Adjudicated {
  readonly runs: CaseRun[];
  readonly judged: number;
  readonly unjudged: number;
  /** Verdicts for items this evaluation does not have (a sheet from another run). */
  readonly unknown: readonly string[];
}

/**
 * The runs with the model's items judged by the clinicians' verdicts; model items without a verdict are set aside
 * (counted as unjudged), so PPV and calibration rest on clinicians' judgement only. Other advisors' items and every
 * expectation stay as the reference judged them.
 */
export function applyVerdicts(runs: readonly CaseRun[], verdicts: ReadonlyMap<string, Verdict>): Adjudicated {
  const seen = new Set<string>();
  let unjudged = 0;
  const out = runs.map((run) => ({
    ...run,
    items: run.items.flatMap((item): JudgedItem[] => {
      if (item.advisor !== 'model') return [item];
      const verdict = verdicts.get(item.id);
      if (!verdict) {
        unjudged++;
        return [];
      }
      seen.add(item.id);
      return [{ ...item, verdict, basis: 'adjudicated' }];
    }),
  }));
  return {
    runs: out,
    judged: seen.size,
    unjudged,
    unknown: [...verdicts.keys()].filter((id) => !seen.has(id)),
  };
}
