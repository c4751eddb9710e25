/**
 * The clinical safety committee's path to sign-off, on a temporary copy of three scenarios: the review sheet out,
 * filled, back in; the records in the scenario files; the status in every rendering of the report; and a filled
 * sheet refused whole, naming its rows, when anything in it is wrong.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { PROJECT_ROOT } from '../../../src/paths.js';
import {
  CLINICAL_KINDS,
  checkExpectations,
  GROUND_TRUTH_DIR,
  loadGroundTruthCases,
  SIGN_OFF_VERDICTS,
  signOffRecordIn,
  type SignOffRecord,
} from '../../../scripts/eval/groundTruth.js';
import { groundTruthHtml } from '../../../scripts/eval/report/html.js';
import { groundTruthMarkdown } from '../../../scripts/eval/report/markdown.js';
import { buildGroundTruthReport } from '../../../scripts/eval/report/model.js';
import { REVIEW_COLUMNS } from '../../../scripts/eval/signOff.js';
import { groundTruthSignOffMain } from '../../../scripts/eval/signOffCli.js';
import { reviewedByText, signOffStatus } from '../../../scripts/eval/signOffStatus.js';
import { seededRuns } from './seed.js';

const SCENARIOS = ['acetaminophen-healthy-quiet', 'aki-creatinine-rise', 'warfarin-ibuprofen'];
const TODAY = '2027-02-01';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'signoff-'));
  for (const name of SCENARIOS)
    for (const suffix of ['.request.json', '.expected.json'])
      copyFileSync(path.join(GROUND_TRUTH_DIR, `${name}${suffix}`), path.join(dir, `${name}${suffix}`));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await groundTruthSignOffMain(
    [...argv, '--dir', dir],
    { out: (t) => (out += t), err: (t) => (err += t) },
    TODAY,
  );
  return { code, out, err };
}

type Row = Record<(typeof REVIEW_COLUMNS)[number], string>;

async function exportSheet(): Promise<Row[]> {
  const file = path.join(dir, 'review.csv');
  expect((await run('--review-sheet', file)).code).toBe(0);
  return parse<Row>(readFileSync(file, 'utf8'), { columns: true });
}

/** Every row agreed by one reviewer, then `change` applied; written as the committee would hand it back. */
function fill(rows: readonly Row[], change: (rows: Row[]) => void = () => {}): string {
  const filled = rows.map((r, i) => ({
    ...r,
    verdict: 'agree',
    reviewer: i % 2 ? 'Dr B. Okafor (pharmacist)' : 'Dr A. Lindqvist (GP)',
    date: i === 0 ? '2027-01-10' : '2027-01-12',
  }));
  change(filled);
  const file = path.join(dir, 'filled.csv');
  writeFileSync(file, stringify(filled, { header: true, columns: [...REVIEW_COLUMNS] }));
  return file;
}

const expectationFiles = (): string[] =>
  SCENARIOS.map((n) => readFileSync(path.join(dir, `${n}.expected.json`), 'utf8'));

function reportOf(d: string) {
  const cases = loadGroundTruthCases(undefined, d);
  return buildGroundTruthReport(seededRuns(), {
    set: 'copy',
    reviewedBy: reviewedByText(cases),
    signOff: signOffStatus(cases),
    advisors: ['rules', 'model'],
    model: null,
    budgetMs: 2000,
    repeat: 1,
    prices: null,
    note: null,
    verdicts: "the scenario set's expectations",
    descriptions: {},
  });
}

describe('the review sheet', () => {
  it('has one row per expectation, allowed finding and expected silence, with a de-identified chart and empty judgement columns', async () => {
    const rows = await exportSheet();
    expect(Object.keys(rows[0]!)).toEqual([...REVIEW_COLUMNS]);
    expect(rows.map((r) => `${r.scenario} ${r.expectation} ${r.type}`)).toEqual([
      'acetaminophen-healthy-quiet silences[0] expected silence',
      'aki-creatinine-rise expected[0] expected finding',
      'aki-creatinine-rise acceptable[0] allowed finding',
      'aki-creatinine-rise acceptable[1] allowed finding',
      'warfarin-ibuprofen expected[0] expected finding',
    ]);
    const warfarin = rows[4]!;
    expect(warfarin).toMatchObject({
      hook: 'order-sign',
      kind: 'interaction',
      about: 'warfarin + ibuprofen',
      severity: 'critical',
      verdict: '',
      reviewer: '',
      date: '',
      comment: '',
    });
    expect(warfarin.source).toMatch(/warfarin/i);
    expect(warfarin.fingerprint).toMatch(/^fp-[0-9a-f]{16}$/);
    expect(warfarin.chart).toMatch(
      /^female, age 65-79; medications: warfarin; ordering: ibuprofen; problems:/,
    );
    expect(rows[1]!.chart).toContain('creatinine 82 → 88 → 142 umol/L');
    expect(rows[0]).toMatchObject({ about: 'anything (no advice at all)', severity: 'at any severity' });
    // No identifier, no birth date: bands only.
    const text = rows.map((r) => r.chart).join(' ');
    expect(text).not.toMatch(/pt-|\d{4}-\d{2}-\d{2}/);
  });

  it('covers every scenario of the published set, each with at least one row to judge', () => {
    const cases = loadGroundTruthCases();
    for (const c of cases) {
      const e = c.expectations;
      expect(e.expected.length + (e.acceptable ?? []).length + e.silences.length).toBeGreaterThan(0);
    }
  });
});

describe('importing the filled sheet', () => {
  it('round trip: every row agreed → each scenario signed off, and the reports lead with it', async () => {
    const before = loadGroundTruthCases(undefined, dir);
    expect(signOffStatus(before).headline).toBe(
      "0 of 3 scenarios signed off by clinicians; 0 open amendments. The figures rest on an unsigned reference: 3 of 3 scenarios' expectations are not signed off (3 awaiting the committee's review).",
    );

    const result = await run('--sign-off', fill(await exportSheet()));
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('5 rows imported: 3 scenarios recorded, 0 open amendments');

    const aki = signOffRecordIn('aki-creatinine-rise', dir)!;
    expect(aki).toMatchObject({
      status: 'signed-off',
      reviewers: ['Dr B. Okafor (pharmacist)', 'Dr A. Lindqvist (GP)'],
      from: '2027-01-12',
      to: '2027-01-12',
      sheet: 'filled.csv',
      open: [],
    });
    expect(aki.verdicts.map((v) => `${v.expectation} ${v.verdict}`)).toEqual([
      'expected[0] agree',
      'acceptable[0] agree',
      'acceptable[1] agree',
    ]);
    // The files stay valid against their schema and formatted as committed.
    for (const text of expectationFiles()) {
      expect(() => checkExpectations(JSON.parse(text), 'x')).not.toThrow();
      expect(text.endsWith('}\n')).toBe(true);
    }

    const report = reportOf(dir);
    const headline =
      '3 of 3 scenarios signed off by clinicians (2027-01-10 to 2027-01-12); 0 open amendments.';
    expect(report.signOff?.headline).toBe(headline);
    expect(report.figures).toContainEqual({ label: 'Reference signed off', value: headline });
    // Escaped as every text in the Markdown report is.
    expect(groundTruthMarkdown(report)).toContain(`**${headline.replace(/[()]/g, '\\$&')}**`);
    expect(groundTruthHtml(report)).toContain(`<p class="signoff"><strong>${headline}</strong></p>`);
    expect(report.reviewedBy).toBe('signed off by Dr A. Lindqvist (GP), Dr B. Okafor (pharmacist)');
  });

  it('a disagreement stays open: listed in the record, the expectation untouched, and the reference still unsigned', async () => {
    const unchanged = JSON.parse(
      readFileSync(path.join(dir, 'warfarin-ibuprofen.expected.json'), 'utf8'),
    ) as Record<string, unknown>;
    const file = fill(await exportSheet(), (rows) => {
      rows[4]!.verdict = 'Disagree';
      rows[4]!.comment = 'Major, not critical: the label says avoid, monitor INR if unavoidable.';
      rows[2]!.verdict = 'amend';
      rows[2]!.comment = 'Add "ACE inhibitor" as an alternative term.';
    });
    expect((await run('--sign-off', file)).code).toBe(0);

    const warfarin = signOffRecordIn('warfarin-ibuprofen', dir)!;
    expect(warfarin.status).toBe('open');
    expect(warfarin.open).toEqual([
      {
        expectation: 'expected[0]',
        verdict: 'disagree',
        reviewer: 'Dr A. Lindqvist (GP)',
        date: '2027-01-12',
        comment: 'Major, not critical: the label says avoid, monitor INR if unavoidable.',
      },
    ]);
    const after = JSON.parse(
      readFileSync(path.join(dir, 'warfarin-ibuprofen.expected.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect({ ...after, reviewedBy: null }).toEqual({ ...unchanged, reviewedBy: null });

    const status = signOffStatus(loadGroundTruthCases(undefined, dir));
    expect(status).toMatchObject({ signedOff: 1, open: 2, openAmendments: 2 });
    expect(status.byCase['warfarin-ibuprofen']).toBe('open');
    expect(status.headline).toBe(
      "1 of 3 scenarios signed off by clinicians (2027-01-10); 2 open amendments. The figures rest on an unsigned reference: 2 of 3 scenarios' expectations are not signed off (2 with amendments open).",
    );
    expect(groundTruthMarkdown(reportOf(dir))).toContain('The figures rest on an unsigned reference');
  });

  it('a scenario whose chart or expectations change after sign-off is no longer counted as signed off, and its old sheet is refused', async () => {
    const rows = await exportSheet();
    expect((await run('--sign-off', fill(rows))).code).toBe(0);
    const file = path.join(dir, 'warfarin-ibuprofen.expected.json');
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { expected: { severity: string }[] };
    edited.expected[0]!.severity = 'warning';
    writeFileSync(file, JSON.stringify(edited));

    const status = signOffStatus(loadGroundTruthCases(undefined, dir));
    expect(status).toMatchObject({ signedOff: 2, stale: 1 });
    expect(status.headline).toContain('1 changed since they were signed off');

    const again = await run('--sign-off', fill(rows));
    expect(again.code).toBe(1);
    expect(again.err).toContain(
      'row 6 (warfarin-ibuprofen expected[0]): the chart or this expectation changed since the sheet was exported: export a new sheet',
    );
  });
});

describe('a filled sheet with problems is refused whole', () => {
  async function refused(change: (rows: Row[]) => void): Promise<string> {
    const file = fill(await exportSheet(), change);
    const before = expectationFiles();
    const result = await run('--sign-off', file);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(expectationFiles()).toEqual(before);
    expect(result.err).toContain('the sign-off sheet was not imported, nothing was written');
    return result.err;
  }

  it('names the row without a reviewer', async () => {
    const err = await refused((rows) => {
      rows[2]!.reviewer = '  ';
    });
    expect(err).toContain('row 4 (aki-creatinine-rise acceptable[0]): no reviewer');
  });

  it('names a verdict outside agree, disagree, amend', async () => {
    const err = await refused((rows) => {
      rows[0]!.verdict = 'ok';
    });
    expect(err).toContain(
      'row 2 (acetaminophen-healthy-quiet silences[0]): verdict must be agree, disagree, amend (got "ok")',
    );
  });

  it('names a row for a scenario the set does not have', async () => {
    const err = await refused((rows) => {
      rows.push({ ...rows[0]!, scenario: 'no-such-chart' });
    });
    expect(err).toContain('row 7: no scenario "no-such-chart" in the set');
  });

  it('names an unjudged row, and lists every problem at once', async () => {
    const err = await refused((rows) => {
      rows[4]!.verdict = '';
      rows[1]!.date = '12/01/2027';
      rows[3]!.date = '2027-02-30';
      rows[0]!.date = '2027-03-01';
      rows[2]!.verdict = 'amend';
    });
    expect(err).toContain(
      'row 6 (warfarin-ibuprofen expected[0]): not judged: verdict is empty (agree, disagree, amend)',
    );
    expect(err).toContain('row 3 (aki-creatinine-rise expected[0]): date "12/01/2027" is not an ISO date');
    expect(err).toContain('row 5 (aki-creatinine-rise acceptable[1]): date "2027-02-30" does not exist');
    expect(err).toContain(
      'row 2 (acetaminophen-healthy-quiet silences[0]): date 2027-03-01 is in the future',
    );
    expect(err).toContain(
      'row 4 (aki-creatinine-rise acceptable[0]): the verdict amend needs a comment saying what should change',
    );
  });

  it('refuses a scenario judged in part, and a row judged twice', async () => {
    const err = await refused((rows) => {
      rows.splice(3, 1);
      rows.push({ ...rows[0]! });
    });
    expect(err).toContain(
      'scenario aki-creatinine-rise: no row for acceptable[1] (a scenario is signed off whole)',
    );
    expect(err).toContain('row 6 (acetaminophen-healthy-quiet silences[0]): judged twice in this sheet');
  });

  it('a sheet covering some scenarios only signs those, and leaves the rest as they were', async () => {
    const rows = (await exportSheet()).filter((r) => r.scenario === 'warfarin-ibuprofen');
    expect((await run('--sign-off', fill(rows))).code).toBe(0);
    const status = signOffStatus(loadGroundTruthCases(undefined, dir));
    expect(status).toMatchObject({ signedOff: 1, unsigned: 2, from: '2027-01-10', to: '2027-01-10' });
    expect(typeof loadGroundTruthCases(undefined, dir)[0]!.expectations.reviewedBy).toBe('string');
  });
});

describe('the expectation file schema', () => {
  it('names the same kinds and verdicts as the types', () => {
    const schema = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'schemas/eval/expectations.schema.json'), 'utf8'),
    ) as {
      definitions: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }>;
    };
    expect(schema.definitions.kind!.enum).toEqual([...CLINICAL_KINDS]);
    expect(schema.definitions.verdict!.properties!.verdict!.enum).toEqual([...SIGN_OFF_VERDICTS]);
  });

  it('still takes the original sentence, and refuses a record without reviewers', () => {
    const file = JSON.parse(
      readFileSync(path.join(GROUND_TRUTH_DIR, 'warfarin-ibuprofen.expected.json'), 'utf8'),
    ) as { reviewedBy: unknown };
    expect(typeof checkExpectations(file, 'x').reviewedBy).toBe('string');
    const record: Partial<SignOffRecord> = {
      status: 'signed-off',
      reviewers: [],
      from: '2027-01-10',
      to: '2027-01-10',
      fingerprint: `sha256:${'0'.repeat(64)}`,
      sheet: 's.csv',
      verdicts: [],
      open: [],
    };
    expect(() => checkExpectations({ ...file, reviewedBy: record }, 'x.expected.json')).toThrow(
      /x\.expected\.json: .*reviewers/,
    );
  });
});
