import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { adjudicate } from '../../../scripts/eval/adjudicate.js';
import {
  ADJUDICATION_COLUMNS,
  adjudicationCsv,
  readVerdicts,
  VerdictsError,
} from '../../../scripts/eval/adjudication.js';
import { buildGroundTruthReport } from '../../../scripts/eval/report/model.js';
import { seededRuns } from './seed.js';

const meta = {
  set: 'seed',
  reviewedBy: 'test',
  signOff: null,
  advisors: ['rules', 'model'],
  model: 'stand-in',
  budgetMs: 2000,
  repeat: 1,
  prices: null,
  note: null,
  verdicts: "the scenario set's expectations",
  descriptions: { A: 'Warfarin, ibuprofen ordered, "quoted", with a comma', B: 'B case', C: 'C case' },
};

describe('adjudication round trip', () => {
  it('exports every model item with an empty verdict, and recomputes PPV and calibration from filled verdicts', () => {
    const report = buildGroundTruthReport(seededRuns(), meta);
    expect(report.summary.byAdvisor.model!.ppv).toMatchObject({ k: 3, n: 5 });

    const sheet = adjudicationCsv(report.runs, meta.descriptions);
    const rows = parse<Record<string, string>>(sheet, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...ADJUDICATION_COLUMNS]);
    expect(rows.map((r) => r.item_id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(rows.every((r) => r.verdict === '')).toBe(true);
    expect(rows[0]!.input_summary).toBe(meta.descriptions.A);
    expect(rows[0]!.patient).toBe('female; age 65-79; eGFR ≥60; us-core-race: Asian');
    expect(rows[4]!.guard_decisions).toBe('dropped 2 (unknown-alias)');

    // Clinicians judge: a correct, b correct (the reference said incorrect), c incorrect, d unsafe, e left blank.
    const verdicts: Record<string, string> = {
      a: 'correct',
      b: 'Correct',
      c: 'incorrect',
      d: 'unsafe',
    };
    const filled = stringify(
      rows.map((r) => ({ ...r, verdict: verdicts[r.item_id!] ?? '' })),
      { header: true, columns: [...ADJUDICATION_COLUMNS] },
    );
    const result = adjudicate(report, filled, 'filled.csv', new Date('2026-12-05T00:00:00Z'));

    expect(result.judged).toBe(4);
    expect(result.unjudged).toBe(1);
    const model = result.report.summary.byAdvisor.model!;
    // a and b correct of the 4 judged.
    expect(model.ppv).toMatchObject({ k: 2, n: 4, value: 0.5 });
    expect(model.unsafe).toMatchObject({ k: 1, n: 4 });
    // low: a, b both correct; high: c incorrect, d unsafe; moderate (e) unjudged.
    expect(result.report.summary.calibration.map((b) => [b.certainty, b.correct.k, b.correct.n])).toEqual([
      ['low', 2, 2],
      ['high', 0, 2],
    ]);
    // Sensitivity and the rules stay as the reference judged them.
    expect(model.sensitivity).toMatchObject({ k: 2, n: 3 });
    expect(result.report.summary.byAdvisor.rules!.ppv).toMatchObject({ k: 1, n: 1 });
    expect(result.report.verdicts).toMatch(
      /clinicians' adjudication \(filled\.csv: 4 model items judged, 1 left blank/,
    );
  });

  it('names the line of a verdict it does not know, and of an item judged twice', () => {
    const head = ADJUDICATION_COLUMNS.join(',');
    const blank = (id: string, verdict: string) =>
      ADJUDICATION_COLUMNS.map((c) => (c === 'item_id' ? id : c === 'verdict' ? verdict : '')).join(',');
    expect(() => readVerdicts([head, blank('x', 'correct'), blank('y', 'maybe')].join('\n'))).toThrow(
      new VerdictsError('line 3: verdict must be one of correct, incorrect, unsafe (got "maybe")'),
    );
    expect(() => readVerdicts([head, blank('x', 'correct'), blank('x', 'unsafe')].join('\n'))).toThrow(
      /line 3: x judged twice/,
    );
  });
});
