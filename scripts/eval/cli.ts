/**
 * `npm run eval` on the clinical ground truth (`eval/scenarios/`): runs every case (`--repeat N` times, each on a
 * fresh model cache), writes `eval.json`, `eval.md` and `eval.html` to `--out`, and with `--adjudication-csv FILE`
 * the sheet of AI items for clinicians to judge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { modelEndpointOf } from '../../src/advisors/model/gateway/index.js';
import { createRulesAdvisor } from '../../src/advisors/rules/index.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { adjudicationCsv } from './adjudication.js';
import { GROUND_TRUTH_DIR, loadGroundTruthCases } from './groundTruth.js';
import type { Prices } from './metrics.js';
import { groundTruthHtml, reportPlots } from './report/html.js';
import { groundTruthMarkdown } from './report/markdown.js';
import { buildGroundTruthReport, type GroundTruthReport, rateText } from './report/model.js';
import { runGroundTruth } from './runner.js';
import { reviewedByText, signOffStatus } from './signOffStatus.js';
import { readFlags } from '../lib/flags.js';

export interface GroundTruthArgs {
  readonly out: string;
  readonly budgetMs?: number;
  readonly only?: string;
  readonly standIn: boolean;
  readonly repeat: number;
  readonly adjudicationCsv?: string;
  readonly prices: Prices | null;
}

function price(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got "${value}")`);
  return n;
}

/** Prices from the command line, else `EVAL_PRICE_PROMPT_PER_1K` / `EVAL_PRICE_COMPLETION_PER_1K`; both or none. */
export function pricesOf(
  prompt: string | undefined,
  completion: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Prices | null {
  const p = price(prompt ?? env.EVAL_PRICE_PROMPT_PER_1K, 'price per 1K prompt tokens');
  const c = price(completion ?? env.EVAL_PRICE_COMPLETION_PER_1K, 'price per 1K completion tokens');
  if (p === undefined && c === undefined) return null;
  if (p === undefined || c === undefined)
    throw new Error('give both prices: per 1K prompt tokens and per 1K completion tokens');
  return { promptPer1k: p, completionPer1k: c };
}

export function parseGroundTruthArgs(argv: readonly string[]): GroundTruthArgs {
  let out = path.join(PROJECT_ROOT, 'reports/eval');
  let budgetMs: number | undefined;
  let only: string | undefined;
  let standIn = false;
  let repeat = 1;
  let csv: string | undefined;
  let promptPrice: string | undefined;
  let completionPrice: string | undefined;
  readFlags(argv, (flag, value) => {
    if (flag === '--out') out = path.resolve(value());
    else if (flag === '--budget-ms') budgetMs = Number(value());
    else if (flag === '--only') only = value();
    else if (flag === '--stand-in') standIn = true;
    else if (flag === '--repeat') repeat = Number(value());
    else if (flag === '--adjudication-csv') csv = path.resolve(value());
    else if (flag === '--price-prompt-per-1k') promptPrice = value();
    else if (flag === '--price-completion-per-1k') completionPrice = value();
    else throw new Error(`unknown option ${flag}`);
  });
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a whole number ≥ 1');
  if (budgetMs !== undefined && !(budgetMs > 0)) throw new Error('--budget-ms must be a positive number');
  return {
    out,
    ...(budgetMs !== undefined && { budgetMs }),
    ...(only !== undefined && { only }),
    standIn,
    repeat,
    ...(csv !== undefined && { adjudicationCsv: csv }),
    prices: pricesOf(promptPrice, completionPrice),
  };
}

export const STAND_IN_NOTE =
  'Model results come from the scripted test stand-in server, not a model: they show the harness works and measure nothing clinical.';

/** The three report files in `dir`, and the plots as SVG files beside them (the Markdown shows them). */
export function writeReports(report: GroundTruthReport, dir: string, base = 'eval'): string[] {
  mkdirSync(dir, { recursive: true });
  const plots = reportPlots(report);
  const files = [
    [`${base}.json`, `${JSON.stringify(report, null, 2)}\n`],
    [
      `${base}.md`,
      groundTruthMarkdown(report, Object.fromEntries(plots.map((p) => [p.name, `${base}-${p.name}.svg`]))),
    ],
    [`${base}.html`, groundTruthHtml(report)],
    ...plots.map((p) => [`${base}-${p.name}.svg`, `${p.svg}\n`] as const),
  ] as const;
  for (const [name, content] of files) writeFileSync(path.join(dir, name), content);
  return files.map(([name]) => path.join(dir, name));
}

export type StandIn = (config: Config) => Promise<{ config: Config; close: () => Promise<void> }>;

export async function groundTruthMain(argv: readonly string[], standIn: StandIn): Promise<void> {
  const args = parseGroundTruthArgs(argv);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let config = loadConfig();
  let closeStandIn: (() => Promise<void>) | undefined;
  if (args.standIn) ({ config, close: closeStandIn } = await standIn(config));
  const budgetMs = args.budgetMs ?? config.adviceBudgetMs;
  const cases = loadGroundTruthCases(args.only);
  if (cases.length === 0) throw new Error('no scenarios to replay');
  const endpoint = modelEndpointOf(config);
  // The rules always (a bad knowledge base stops here, naming file and path); the model when configured.
  const rules = createRulesAdvisor();
  let runs;
  try {
    runs = await runGroundTruth(cases, rules, {
      config,
      logger,
      budgetMs,
      repeat: args.repeat,
      withModel: endpoint !== undefined,
    });
  } finally {
    await closeStandIn?.();
  }
  const descriptions = Object.fromEntries(cases.map((c) => [c.name, c.expectations.description]));
  const report = buildGroundTruthReport(runs, {
    set: path.relative(PROJECT_ROOT, GROUND_TRUTH_DIR),
    reviewedBy: reviewedByText(cases),
    signOff: signOffStatus(cases),
    advisors: endpoint ? ['rules', 'model'] : ['rules'],
    model: endpoint
      ? `${endpoint.model} @ ${new URL(endpoint.baseUrl).host}, ${endpoint.kind} endpoint`
      : null,
    budgetMs,
    repeat: args.repeat,
    prices: args.prices,
    note: args.standIn ? STAND_IN_NOTE : null,
    verdicts: "the scenario set's expectations",
    descriptions,
  });
  const files = writeReports(report, args.out);
  if (args.adjudicationCsv) {
    mkdirSync(path.dirname(args.adjudicationCsv), { recursive: true });
    writeFileSync(args.adjudicationCsv, adjudicationCsv(runs, descriptions));
    files.push(args.adjudicationCsv);
  }
  const shown = report.summary.byAdvisor.shown;
  process.stdout.write(
    `${report.summary.cases} cases, ${report.summary.hooks} hooks; shown: sensitivity ${rateText(shown?.sensitivity)}, PPV ${rateText(shown?.ppv)}\n` +
      `report: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`,
  );
}
