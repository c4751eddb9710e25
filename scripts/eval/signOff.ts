/**
 * The clinical safety committee's review of the ground truth. `reviewSheetCsv` writes one row per expectation
 * (expected finding, allowed finding, expected silence) of every scenario, with a de-identified chart summary and
 * the cited source, and empty `verdict` (agree / disagree / amend), `reviewer`, `date` and `comment` columns.
 * `readSignOffSheet` checks a filled sheet whole — every error named by its row — and turns it into one sign-off
 * record per scenario; `disagree` and `amend` stay listed as open, never applied: changing an expectation is a
 * person's edit of `scenarioSpecs.ts`, reviewed again.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { chartSummary } from './chartSummary.js';
import {
  type AboutTerm,
  type ClinicalKind,
  type Expectation,
  type ExpectationVerdict,
  type GroundTruthCase,
  SIGN_OFF_VERDICTS,
  type Silence,
  type SignOffRecord,
  type SignOffVerdict,
} from './groundTruth.js';
import { scenarioFingerprint, sha256 } from './signOffStatus.js';

export const REVIEW_COLUMNS = [
  'scenario',
  'hook',
  'description',
  'chart',
  'expectation',
  'type',
  'kind',
  'about',
  'severity',
  'source',
  'why',
  'fingerprint',
  'verdict',
  'reviewer',
  'date',
  'comment',
] as const;

type ReviewRow = Record<(typeof REVIEW_COLUMNS)[number], string>;

const TYPES = {
  expected: 'expected finding',
  acceptable: 'allowed finding',
  silences: 'expected silence',
} as const;

interface Concern {
  /** `expected[0]`: where it sits in the scenario's file. */
  readonly ref: string;
  readonly type: (typeof TYPES)[keyof typeof TYPES];
  readonly concern: Expectation | Silence;
}

export function concernsOf(c: GroundTruthCase): Concern[] {
  const e = c.expectations;
  const of = (list: keyof typeof TYPES, items: readonly (Expectation | Silence)[]): Concern[] =>
    items.map((concern, i) => ({ ref: `${list}[${i}]`, type: TYPES[list], concern }));
  return [
    ...of('expected', e.expected),
    ...of('acceptable', e.acceptable ?? []),
    ...of('silences', e.silences),
  ];
}

/**
 * Of the chart and this one expectation: a sheet exported before either changed is refused on import. Prefixed
 * so a spreadsheet never reads it as a number (`123e4567…` would become 1.23E+4570).
 */
const rowFingerprint = (c: GroundTruthCase, x: Concern): string =>
  `fp-${sha256({ request: c.request, now: c.expectations.now, ref: x.ref, concern: x.concern }).slice(0, 16)}`;

const kindText = (kind: ClinicalKind | readonly ClinicalKind[] | undefined): string =>
  kind === undefined ? 'any' : typeof kind === 'string' ? kind : kind.join(' or ');

const aboutText = (about: readonly AboutTerm[]): string =>
  about.length === 0
    ? 'anything (no advice at all)'
    : about.map((t) => (typeof t === 'string' ? t : `(${t.join(' or ')})`)).join(' + ');

function severityText(x: Expectation | Silence): string {
  if ('severity' in x) return x.severity;
  return x.severities ? `at ${x.severities.join(' or ')}` : 'at any severity';
}

export function reviewSheetCsv(cases: readonly GroundTruthCase[]): string {
  const rows: ReviewRow[] = cases.flatMap((c) => {
    const chart = chartSummary(c.request, c.expectations.now);
    return concernsOf(c).map((x) => ({
      scenario: c.name,
      hook: c.request.hook,
      description: c.expectations.description,
      chart,
      expectation: x.ref,
      type: x.type,
      kind: kindText(x.concern.kind),
      about: aboutText(x.concern.about),
      severity: severityText(x.concern),
      source: x.concern.source,
      why: 'why' in x.concern ? x.concern.why : '',
      fingerprint: rowFingerprint(c, x),
      verdict: '',
      reviewer: '',
      date: '',
      comment: '',
    }));
  });
  return stringify(rows, { header: true, columns: [...REVIEW_COLUMNS] });
}

/** Every problem of a filled sheet, each naming its row as a spreadsheet shows it (the header is row 1). */
export class SignOffSheetError extends Error {
  override readonly name = 'SignOffSheetError';
  constructor(readonly problems: readonly string[]) {
    super(
      `the sign-off sheet was not imported, nothing was written:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateProblem(date: string, today: string): string | null {
  if (date === '') return 'no date (YYYY-MM-DD)';
  const m = ISO_DATE.exec(date);
  if (!m) return `date "${date}" is not an ISO date (YYYY-MM-DD)`;
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date)
    return `date "${date}" does not exist`;
  if (date > today) return `date ${date} is in the future`;
  return null;
}

export interface SignOffSheet {
  /** One record per scenario the sheet covers; scenarios it leaves out keep what they had. */
  readonly records: ReadonlyMap<string, SignOffRecord>;
  readonly rows: number;
}

/**
 * The sign-off records a filled sheet makes, or a `SignOffSheetError` listing every problem: a scenario or an
 * expectation the set does not have, a row exported before its chart or expectation changed, a row twice, a
 * verdict missing or outside agree / disagree / amend, no reviewer, a date missing, malformed or in the future, a
 * disagree or amend without the comment saying what to change, and a scenario only partly judged (a scenario is
 * signed off whole). A sheet may cover some scenarios only: the committee can sign the set in sittings.
 */
export function readSignOffSheet(
  csv: string,
  cases: readonly GroundTruthCase[],
  sheet: string,
  today = new Date().toISOString().slice(0, 10),
): SignOffSheet {
  const parsed = parse<Record<string, string>>(csv, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
    relax_column_count: true,
  });
  const problems: string[] = [];
  const header = Object.keys(parsed[0] ?? {});
  const missing = ['scenario', 'expectation', 'fingerprint', 'verdict', 'reviewer', 'date', 'comment'].filter(
    (c) => !header.includes(c),
  );
  if (parsed.length === 0) throw new SignOffSheetError(['the sheet has no rows']);
  if (missing.length > 0)
    throw new SignOffSheetError([`the sheet has no column ${missing.join(', ')} (export it again)`]);
  const byName = new Map(cases.map((c) => [c.name, c] as const));
  const judged = new Map<string, Map<string, ExpectationVerdict>>();
  parsed.forEach((row, i) => {
    const at = `row ${i + 2}`;
    const name = row.scenario ?? '';
    const ref = row.expectation ?? '';
    const c = byName.get(name);
    if (!c) {
      problems.push(`${at}: no scenario "${name}" in the set`);
      return;
    }
    const where = `${at} (${name} ${ref})`;
    const concern = concernsOf(c).find((x) => x.ref === ref);
    if (!concern) {
      problems.push(`${where}: the scenario has no expectation "${ref}"`);
      return;
    }
    const rowProblems: string[] = [];
    if (row.fingerprint !== rowFingerprint(c, concern))
      rowProblems.push(
        'the chart or this expectation changed since the sheet was exported: export a new sheet',
      );
    const verdict = (row.verdict ?? '').toLowerCase();
    if (verdict === '') rowProblems.push(`not judged: verdict is empty (${SIGN_OFF_VERDICTS.join(', ')})`);
    else if (!(SIGN_OFF_VERDICTS as readonly string[]).includes(verdict))
      rowProblems.push(`verdict must be ${SIGN_OFF_VERDICTS.join(', ')} (got "${row.verdict}")`);
    const reviewer = row.reviewer ?? '';
    if (reviewer === '') rowProblems.push('no reviewer');
    const date = row.date ?? '';
    const badDate = dateProblem(date, today);
    if (badDate) rowProblems.push(badDate);
    const comment = row.comment ?? '';
    if ((verdict === 'disagree' || verdict === 'amend') && comment === '')
      rowProblems.push(`the verdict ${verdict} needs a comment saying what should change`);
    const seen = judged.get(name) ?? new Map<string, ExpectationVerdict>();
    judged.set(name, seen);
    if (seen.has(ref)) rowProblems.push('judged twice in this sheet');
    problems.push(...rowProblems.map((p) => `${where}: ${p}`));
    if (rowProblems.length === 0)
      seen.set(ref, {
        expectation: ref,
        verdict: verdict as SignOffVerdict,
        reviewer,
        date,
        ...(comment && { comment }),
      });
  });
  for (const [name, seen] of judged) {
    const c = byName.get(name)!;
    const absent = concernsOf(c)
      .map((x) => x.ref)
      .filter((ref) => !seen.has(ref) && !parsed.some((r) => r.scenario === name && r.expectation === ref));
    if (absent.length > 0)
      problems.push(`scenario ${name}: no row for ${absent.join(', ')} (a scenario is signed off whole)`);
  }
  if (problems.length > 0) throw new SignOffSheetError(problems);
  const records = new Map<string, SignOffRecord>();
  for (const [name, seen] of judged) {
    const c = byName.get(name)!;
    const verdicts = concernsOf(c).map((x) => seen.get(x.ref)!);
    const dates = verdicts.map((v) => v.date).sort();
    const open = verdicts.filter((v) => v.verdict !== 'agree');
    records.set(name, {
      status: open.length === 0 ? 'signed-off' : 'open',
      reviewers: [...new Set(verdicts.map((v) => v.reviewer))],
      from: dates[0]!,
      to: dates.at(-1)!,
      fingerprint: scenarioFingerprint(c),
      sheet,
      verdicts,
      open,
    });
  }
  return { records, rows: parsed.length };
}
