/**
 * `npm run ground-truth -- --review-sheet FILE.csv [--only TEXT]`: the committee's review sheet of the ground truth.
 * `npm run ground-truth -- --sign-off FILLED.csv`: imports the filled sheet into `eval/scenarios/*.expected.json`
 * (each covered scenario's `reviewedBy` becomes its sign-off record), or, on any problem, lists every one by row,
 * writes nothing and exits non-zero.
 * `npm run ground-truth -- --status`: the sign-off headline the reports carry.
 * `--dir DIR` works on another copy of the set.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { checkExpectations, GROUND_TRUTH_DIR, loadGroundTruthCases } from './groundTruth.js';
import { readSignOffSheet, reviewSheetCsv, SignOffSheetError, type SignOffSheet } from './signOff.js';
import { signOffStatus } from './signOffStatus.js';

/**
 * The covered scenarios' files with their sign-off records, every one checked against the schema before the first
 * is written; each written to a temporary name and renamed, so no file is left half-written.
 */
export async function writeSignOff(sheet: SignOffSheet, dir: string): Promise<string[]> {
  const updates: { file: string; text: string }[] = [];
  for (const [name, record] of sheet.records) {
    const file = path.join(dir, `${name}.expected.json`);
    const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const next = checkExpectations({ ...current, reviewedBy: record }, path.basename(file));
    // Formatted as the committed files are (`npm run eval:scenarios` runs prettier on them).
    const options = { ...(await resolveConfig(file)), filepath: file };
    updates.push({ file, text: await format(JSON.stringify(next), options) });
  }
  for (const { file, text } of updates) {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
  return updates.map((u) => u.file);
}

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE =
  'usage: npm run ground-truth -- (--review-sheet FILE.csv [--only TEXT] | --sign-off FILLED.csv | --status) [--dir DIR]';

/** The exit code: 0 done, 1 the sheet was refused (nothing written), 2 a usage error. */
export async function groundTruthSignOffMain(
  argv: readonly string[],
  io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
  today?: string,
): Promise<number> {
  let dir = GROUND_TRUTH_DIR;
  let only: string | undefined;
  let mode: { kind: 'sheet' | 'sign-off'; file: string } | { kind: 'status' } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    const v = flag === '--status' ? '' : value();
    if (v === undefined) {
      io.err(`${flag} needs a value\n${USAGE}\n`);
      return 2;
    }
    if (flag === '--dir') dir = path.resolve(v);
    else if (flag === '--only') only = v;
    else if (flag === '--review-sheet' && !mode) mode = { kind: 'sheet', file: path.resolve(v) };
    else if (flag === '--sign-off' && !mode) mode = { kind: 'sign-off', file: path.resolve(v) };
    else if (flag === '--status' && !mode) mode = { kind: 'status' };
    else {
      io.err(`unexpected option ${flag}\n${USAGE}\n`);
      return 2;
    }
  }
  if (!mode) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const cases = loadGroundTruthCases(mode.kind === 'sheet' ? only : undefined, dir);
  if (mode.kind === 'status') {
    io.out(`${signOffStatus(cases).headline}\n`);
    return 0;
  }
  if (mode.kind === 'sheet') {
    mkdirSync(path.dirname(mode.file), { recursive: true });
    writeFileSync(mode.file, reviewSheetCsv(cases));
    io.out(`review sheet for ${cases.length} scenarios: ${path.relative(process.cwd(), mode.file)}\n`);
    return 0;
  }
  let sheet: SignOffSheet;
  try {
    sheet = readSignOffSheet(readFileSync(mode.file, 'utf8'), cases, path.basename(mode.file), today);
  } catch (error: unknown) {
    if (!(error instanceof SignOffSheetError)) throw error;
    io.err(`${error.message}\n`);
    return 1;
  }
  const files = await writeSignOff(sheet, dir);
  const open = [...sheet.records.values()].reduce((n, r) => n + r.open.length, 0);
  io.out(
    `${sheet.rows} rows imported: ${files.length} scenarios recorded, ${open} open amendments\n` +
      `${signOffStatus(loadGroundTruthCases(undefined, dir)).headline}\n`,
  );
  return 0;
}
