/**
 * Clinicians' verdicts on shadow advice (the sheet `GET /audit/api/shadow/adjudication.csv` wrote, filled in):
 * PPV of what the model would have shown, with its Wilson 95 % interval, the unsafe items counted apart, and
 * calibration — for each certainty the model stated, the share judged correct. Sensitivity cannot be read from
 * shadow traffic (nobody wrote down what it should have found); the evaluation's scenario set measures that.
 */
import { parse } from 'csv-parse/sync';
import { VERDICTS, type Interval, type Verdict, wilson } from './metrics.js';
import { VerdictsError } from './adjudication.js';

export interface Rate {
  readonly k: number;
  readonly n: number;
  readonly rate: number | null;
  readonly ci: Interval | null;
}

export interface ShadowVerdicts {
  readonly judged: number;
  readonly unjudged: number;
  readonly unsafe: number;
  readonly ppv: Rate;
  /** By stated certainty (low, moderate, high…): the share judged correct. */
  readonly calibration: Readonly<Record<string, Rate>>;
  /** By the clinicians' own actions at the time (agreed, disagreed, no-signal): the share judged correct. */
  readonly byClinicianResponse: Readonly<Record<string, Rate>>;
}

const rate = (k: number, n: number): Rate => ({ k, n, rate: n === 0 ? null : k / n, ci: wilson(k, n) });

function tally(rows: readonly { group: string; verdict: Verdict }[]): Record<string, Rate> {
  const groups = new Map<string, { k: number; n: number }>();
  for (const { group, verdict } of rows) {
    const g = groups.get(group) ?? { k: 0, n: 0 };
    groups.set(group, { k: g.k + (verdict === 'correct' ? 1 : 0), n: g.n + 1 });
  }
  return Object.fromEntries([...groups].sort().map(([group, { k, n }]) => [group, rate(k, n)]));
}

export function shadowVerdicts(csv: string): ShadowVerdicts {
  const rows = parse<Record<string, string>>(csv, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  const judged: { certainty: string; response: string; verdict: Verdict }[] = [];
  const seen = new Set<string>();
  let unjudged = 0;
  rows.forEach((row, i) => {
    const line = i + 2;
    const id = row.item_id;
    if (!id?.startsWith('shadow-'))
      throw new VerdictsError(`line ${line}: not a shadow item (item_id "${id ?? ''}")`);
    if (seen.has(id)) throw new VerdictsError(`line ${line}: ${id} appears twice`);
    seen.add(id);
    const raw = (row.verdict ?? '').toLowerCase();
    if (raw === '') {
      unjudged += 1;
      return;
    }
    if (!(VERDICTS as readonly string[]).includes(raw))
      throw new VerdictsError(`line ${line}: verdict must be one of ${VERDICTS.join(', ')} (got "${raw}")`);
    judged.push({
      certainty: row.stated_certainty || 'not stated',
      response: row.clinicians_response || 'not recorded',
      verdict: raw as Verdict,
    });
  });
  const correct = judged.filter((j) => j.verdict === 'correct').length;
  return {
    judged: judged.length,
    unjudged,
    unsafe: judged.filter((j) => j.verdict === 'unsafe').length,
    ppv: rate(correct, judged.length),
    calibration: tally(judged.map((j) => ({ group: j.certainty, verdict: j.verdict }))),
    byClinicianResponse: tally(judged.map((j) => ({ group: j.response, verdict: j.verdict }))),
  };
}

const pct = (r: Rate): string =>
  r.rate === null
    ? 'n/a (nothing judged)'
    : `${(100 * r.rate).toFixed(0)} % (${r.k}/${r.n}; 95 % CI ${(100 * r.ci!.lower).toFixed(0)}–${(100 * r.ci!.upper).toFixed(0)} %)`;

export function shadowVerdictsMarkdown(v: ShadowVerdicts, sheet: string): string {
  const table = (title: string, rates: Readonly<Record<string, Rate>>): string[] => [
    `| ${title} | judged correct |`,
    '| --- | --- |',
    ...Object.entries(rates).map(([group, r]) => `| ${group} | ${pct(r)} |`),
    '',
  ];
  return [
    '# Shadow advice, adjudicated',
    '',
    `Sheet: ${sheet}. ${v.judged} items judged, ${v.unjudged} left blank and set aside.`,
    '',
    `- PPV (judged correct among judged items): ${pct(v.ppv)}`,
    `- Judged unsafe: ${v.unsafe}`,
    '',
    '## Calibration: share judged correct by the certainty the model stated',
    '',
    ...table('stated certainty', v.calibration),
    "## By what the clinicians' own actions said at the time",
    '',
    ...table('clinicians’ response', v.byClinicianResponse),
    'Sensitivity is not measured here: shadow traffic does not say what the model should have found. The',
    "evaluation's scenario set (`npm run eval`) measures that.",
    '',
  ].join('\n');
}
