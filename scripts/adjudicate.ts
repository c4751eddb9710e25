/**
 * `npm run adjudicate -- --verdicts FILE [--report DIR/eval.json] [--out DIR]`: reads clinicians' verdicts (the
 * sheet `npm run eval -- --adjudication-csv FILE` wrote, filled in) and recomputes PPV and calibration from them,
 * writing `eval-adjudicated.json`, `.md` and `.html` beside the report.
 *
 * `npm run adjudicate -- --shadow --verdicts FILE [--out DIR]`: the same for shadow traffic (the sheet
 * `GET /audit/api/shadow/adjudication.csv` wrote, filled in): PPV and calibration of what the model would have
 * shown, written as `shadow-adjudicated.json` and `.md`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../src/paths.js';
import { adjudicate } from './eval/adjudicate.js';
import { writeReports } from './eval/cli.js';
import type { GroundTruthReport } from './eval/report/model.js';
import { shadowVerdicts, shadowVerdictsMarkdown } from './eval/shadowVerdicts.js';
import { rateText } from './eval/report/model.js';
import { readFlags } from './lib/flags.js';

function main(argv: readonly string[]): void {
  let reportFile = path.join(PROJECT_ROOT, 'reports/eval/eval.json');
  let verdictsFile: string | undefined;
  let out: string | undefined;
  let shadow = false;
  readFlags(argv, (flag, value) => {
    if (flag === '--report') reportFile = path.resolve(value());
    else if (flag === '--verdicts') verdictsFile = path.resolve(value());
    else if (flag === '--out') out = path.resolve(value());
    else if (flag === '--shadow') shadow = true;
    else throw new Error(`unknown option ${flag}`);
  });
  if (!verdictsFile) throw new Error('--verdicts FILE is required (the filled adjudication sheet)');
  if (shadow) return shadowMain(verdictsFile, out ?? path.dirname(verdictsFile));
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as GroundTruthReport;
  const result = adjudicate(report, readFileSync(verdictsFile, 'utf8'), path.basename(verdictsFile));
  const files = writeReports(result.report, out ?? path.dirname(reportFile), 'eval-adjudicated');
  const model = result.report.summary.byAdvisor.model;
  process.stdout.write(
    `${result.judged} items judged, ${result.unjudged} left blank${result.unknown.length ? `, ${result.unknown.length} verdicts for items not in this report (ignored)` : ''}; model PPV ${rateText(model?.ppv)}\n` +
      `report: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`,
  );
}

function shadowMain(verdictsFile: string, out: string): void {
  const figures = shadowVerdicts(readFileSync(verdictsFile, 'utf8'));
  mkdirSync(out, { recursive: true });
  const json = path.join(out, 'shadow-adjudicated.json');
  const md = path.join(out, 'shadow-adjudicated.md');
  writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(md, shadowVerdictsMarkdown(figures, path.basename(verdictsFile)));
  process.stdout.write(
    `${figures.judged} shadow items judged, ${figures.unjudged} left blank, ${figures.unsafe} unsafe; PPV ${figures.ppv.k}/${figures.ppv.n}\n` +
      `report: ${[json, md].map((f) => path.relative(process.cwd(), f)).join(', ')}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (error: unknown) {
    process.stderr.write(`adjudicate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
