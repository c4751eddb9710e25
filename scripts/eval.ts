/**
 * `npm run eval`: replays the scenario suite through the configured advisors and writes a report a hospital can
 * read before turning advice on — per scenario and service: expected findings found and missed, false alarms,
 * latency and each advisor's outcome; the same totals broken down by age band and sex so uneven performance shows.
 *
 * Advisors: the built-in rules always; the model when MODEL_* or AZURE_OPENAI_* is set (the model under evaluation).
 * `npm run eval:stand-in -- [options]` runs the same against the scripted stand-in server from the tests
 * (tests/fakes/eval-stand-in.ts; not a model: its scores measure nothing clinical).
 *
 *   npm run eval -- [--out DIR] [--budget-ms N] [--only TEXT] [--repeat N]
 *                   [--adjudication-csv FILE] [--price-prompt-per-1k X --price-completion-per-1k Y]
 *   npm run eval -- --suite rules [--out DIR] [--budget-ms N] [--only TEXT]
 *
 * By default the clinical ground truth in `eval/scenarios/` (`scripts/eval/cli.ts`): expectations written from
 * guidelines and labels, not from the rules, scored with intervals, calibration and subgroups. `--suite rules`
 * replays the rules' own suite as below (a regression check of the rules against their expected findings).
 *
 * Scenarios of `--suite rules`: the rules' suite in `tests/fixtures/scenarios/` (a CDS Hooks request, and
 * `*.expected.json` with the clock and the findings expected per service), read with the suite's own loader so both
 * agree on the format; and the insight charts in `scripts/lib/insightScenarios.ts` (patient-view: histories a specialist
 * would remark on, and charts where the right answer is silence). A finding matches an expected one by key (the
 * scheme both advisors share) or by rule id.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { SERVICES } from '../hooks/index.js';
import { createModelAdvisor, type ModelAdvisor } from '../src/advisors/model/index.js';
import { modelEndpointOf } from '../src/advisors/model/gateway/index.js';
import { createRulesAdvisor } from '../src/advisors/rules/index.js';
import type { Advisor } from '../src/advisors/types.js';
import type { AdvisorName, Finding } from '../src/findings/types.js';
import type { HookRequest } from '../src/cds/types.js';
import { loadConfig } from '../src/config.js';
import { adviseWithin, findingsOf, reviewOf } from '../src/pipeline/review.js';
import { validateHookRequest } from '../src/pipeline/validateRequest.js';
import { resolveAsSent } from '../src/prefetch/resolve.js';
import { createLogger } from '../src/logger.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { listScenarios, loadScenario, requestFor } from './lib/scenarios.js';
import { INSIGHT_NOW, INSIGHT_SCENARIOS } from './lib/insightScenarios.js';
import { requestOf } from './lib/synthFhir.js';
import { type StandIn, groundTruthMain } from './eval/cli.js';
import { ageBand } from './eval/metrics.js';
import { readFlags } from './lib/flags.js';

// ---------------------------------------------------------------------------------------------------------------
// Cases and scoring (pure; exported for tests)

export interface ExpectedFinding {
  readonly key: string;
  readonly ruleId?: string;
}

/** One replay: a scenario on one of the services its expectations name. */
export interface Case {
  readonly scenario: string;
  readonly serviceId: string;
  readonly request: HookRequest;
  /** The clock the scenario was written for (relative lab dates, ages). */
  readonly now: Date;
  readonly expected: readonly ExpectedFinding[];
}

export interface Score {
  readonly found: readonly string[];
  readonly missed: readonly string[];
  readonly falseAlarms: readonly {
    readonly key: string;
    readonly advisor: AdvisorName;
    readonly summary: string;
  }[];
}

export function matches(expected: ExpectedFinding, finding: Finding): boolean {
  return (
    expected.key === finding.key || (expected.ruleId !== undefined && expected.ruleId === finding.ruleId)
  );
}

export function score(expected: readonly ExpectedFinding[], findings: readonly Finding[]): Score {
  const found = expected.filter((e) => findings.some((f) => matches(e, f)));
  return {
    found: found.map((e) => e.key),
    missed: expected.filter((e) => !found.includes(e)).map((e) => e.key),
    falseAlarms: findings
      .filter((f) => !expected.some((e) => matches(e, f)))
      .map((f) => ({ key: f.key, advisor: f.advisor, summary: f.summary })),
  };
}

/** The insight charts, on patient-view. */
export function insightCases(only?: string): Case[] {
  return INSIGHT_SCENARIOS.filter((s) => !only || s.spec.name.includes(only)).map((s) => ({
    scenario: s.spec.name,
    serviceId: 'patient-view-advice',
    request: requestOf(s.spec) as unknown as HookRequest,
    now: new Date(INSIGHT_NOW),
    expected: s.expected,
  }));
}

export function loadCases(only?: string): Case[] {
  const rules = listScenarios()
    .filter((name) => !only || name.includes(only))
    .map(loadScenario)
    .flatMap((s) =>
      Object.entries(s.services).map(([serviceId, expected]) => ({
        scenario: s.name,
        serviceId,
        request: s.request,
        now: s.now,
        expected,
      })),
    );
  return [...rules, ...insightCases(only)];
}

// ---------------------------------------------------------------------------------------------------------------
// Running

export interface ScenarioResult extends Score {
  readonly name: string;
  readonly serviceId: string;
  readonly ageBand: string;
  readonly sex: string;
  readonly expected: number;
  readonly latencyMs: number;
  readonly advisors: Partial<
    Record<AdvisorName, { status: string; reason?: string; latencyMs: number } & Score>
  >;
}

/** The production path from request to findings (`src/pipeline/review.ts`), on the prefetch as the scenario sent it. */
async function runCase(c: Case, advisors: readonly Advisor[], budgetMs: number): Promise<ScenarioResult> {
  const service = SERVICES.find((s) => s.definition.id === c.serviceId);
  if (!service) throw new Error(`${c.scenario}: no service ${c.serviceId}`);
  const { definition } = service;
  const request = validateHookRequest(definition, requestFor(c.request, definition.hook));
  const data = resolveAsSent(
    Object.keys(definition.prefetch),
    request.prefetch,
    definition.historyPrefetch ?? [],
  );
  const review = reviewOf(service, request, data, c.now);
  const patient = review.patient;
  const t0 = performance.now();
  const outcomes = await adviseWithin(advisors, review, AbortSignal.timeout(budgetMs));
  const latencyMs = performance.now() - t0;
  const merged = findingsOf(outcomes, definition);
  const advisorsResult: ScenarioResult['advisors'] = {};
  for (const o of outcomes) {
    advisorsResult[o.advisor] = {
      status: o.status,
      ...(o.reason && { reason: o.reason }),
      latencyMs: o.latencyMs,
      ...score(c.expected, o.findings),
    };
  }
  return {
    name: c.scenario,
    serviceId: c.serviceId,
    ageBand: ageBand(patient.patient.ageYears),
    sex: patient.patient.sex ?? 'unknown',
    expected: c.expected.length,
    latencyMs,
    advisors: advisorsResult,
    ...score(c.expected, merged),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Totals {
  /** Scenario × service replays. */
  cases: number;
  expected: number;
  found: number;
  missed: number;
  falseAlarms: number;
  recall: number | null;
  meanLatencyMs: number;
  maxLatencyMs: number;
  outcomes: Record<string, Record<string, number>>;
  /** Each advisor scored on its own findings: where a model's performance is uneven, this is where it shows. */
  byAdvisor: Record<string, AdvisorTotals>;
}

interface AdvisorTotals {
  found: number;
  missed: number;
  falseAlarms: number;
  recall: number | null;
}

function advisorTotals(results: readonly ScenarioResult[]): Record<string, AdvisorTotals> {
  const out: Record<string, AdvisorTotals> = {};
  for (const r of results) {
    for (const [advisor, o] of Object.entries(r.advisors)) {
      const t = (out[advisor] ??= { found: 0, missed: 0, falseAlarms: 0, recall: null });
      t.found += o.found.length;
      t.missed += o.missed.length;
      t.falseAlarms += o.falseAlarms.length;
      t.recall = t.found + t.missed === 0 ? null : t.found / (t.found + t.missed);
    }
  }
  return out;
}

export function totals(results: readonly ScenarioResult[]): Totals {
  const sum = (f: (r: ScenarioResult) => number): number => results.reduce((acc, r) => acc + f(r), 0);
  const outcomes: Record<string, Record<string, number>> = {};
  for (const r of results) {
    for (const [advisor, o] of Object.entries(r.advisors)) {
      const byStatus = (outcomes[advisor] ??= {});
      byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    }
  }
  const expected = sum((r) => r.expected);
  const found = sum((r) => r.found.length);
  return {
    cases: results.length,
    expected,
    found,
    missed: sum((r) => r.missed.length),
    falseAlarms: sum((r) => r.falseAlarms.length),
    recall: expected === 0 ? null : found / expected,
    meanLatencyMs: results.length === 0 ? 0 : sum((r) => r.latencyMs) / results.length,
    maxLatencyMs: Math.max(0, ...results.map((r) => r.latencyMs)),
    outcomes,
    byAdvisor: advisorTotals(results),
  };
}

function breakdown(
  results: readonly ScenarioResult[],
  by: (r: ScenarioResult) => string,
): Record<string, Totals> {
  const groups = new Map<string, ScenarioResult[]>();
  for (const r of results) groups.set(by(r), [...(groups.get(by(r)) ?? []), r]);
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, totals(v)]),
  );
}

const pct = (x: number | null): string => (x === null ? '—' : `${Math.round(x * 100)}%`);
const ms = (x: number): string => `${Math.round(x)} ms`;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const outcomeText = (o: Record<string, Record<string, number>>): string =>
  Object.entries(o)
    .map(
      ([advisor, s]) =>
        `${advisor}: ${Object.entries(s)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    )
    .join('; ');

const advisorText = (by: Record<string, AdvisorTotals>): string =>
  Object.entries(by)
    .map(([a, t]) => `${a} ${t.found}/${t.found + t.missed} (${pct(t.recall)}), ${t.falseAlarms} FA`)
    .join('; ');

function totalsTable(title: string, groups: Record<string, Totals>): string {
  const rows = Object.entries(groups).map(
    ([k, t]) =>
      `| ${cell(k)} | ${t.cases} | ${t.expected} | ${t.found} | ${t.missed} | ${t.falseAlarms} | ${pct(t.recall)} | ${cell(advisorText(t.byAdvisor))} | ${ms(t.meanLatencyMs)} | ${cell(outcomeText(t.outcomes))} |`,
  );
  return [
    `### ${title}`,
    '',
    '| group | cases | expected | found | missed | false alarms | recall | per advisor: found/expected, false alarms | mean latency | outcomes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export interface EvalReport {
  readonly generatedAt: string;
  readonly advisors: readonly string[];
  readonly model: string | null;
  readonly budgetMs: number;
  readonly note: string | null;
  /** Model output removed on arrival or by the guards, by reason (invalid, unknown alias, link, suggestion …). */
  readonly modelGuardDrops: Readonly<Record<string, number>> | null;
  readonly totals: Totals;
  readonly byAgeBand: Record<string, Totals>;
  readonly bySex: Record<string, Totals>;
  readonly byAdvisor: Record<string, AdvisorTotals>;
  readonly scenarios: readonly ScenarioResult[];
}

export function buildReport(
  results: readonly ScenarioResult[],
  meta: Pick<EvalReport, 'advisors' | 'model' | 'budgetMs' | 'note' | 'modelGuardDrops'>,
  generatedAt = new Date(),
): EvalReport {
  const all = totals(results);
  return {
    generatedAt: generatedAt.toISOString(),
    ...meta,
    totals: all,
    byAgeBand: breakdown(results, (r) => r.ageBand),
    bySex: breakdown(results, (r) => r.sex),
    byAdvisor: all.byAdvisor,
    scenarios: results,
  };
}

export function reportMarkdown(report: EvalReport): string {
  const t = report.totals;
  const scenarioRows = report.scenarios.map(
    (r) =>
      `| ${cell(r.name)} | ${r.serviceId} | ${r.ageBand} | ${r.sex} | ${r.found.length}/${r.expected} | ${cell(r.missed.join(', ') || '—')} | ${cell(r.falseAlarms.map((f) => `${f.advisor}:${f.key}`).join(', ') || '—')} | ${ms(r.latencyMs)} | ${cell(
        Object.entries(r.advisors)
          .map(([a, o]) => `${a} ${o.status}`)
          .join(', '),
      )} |`,
  );
  return [
    '# CDS Advisor evaluation',
    '',
    `Generated ${report.generatedAt}. Advisors: ${report.advisors.join(', ')}${report.model ? ` (model: ${report.model})` : ''}. Budget ${report.budgetMs} ms.`,
    ...(report.note ? ['', `> ${report.note}`] : []),
    ...(report.modelGuardDrops
      ? [
          '',
          `Model output removed by validation and guards: ${
            Object.entries(report.modelGuardDrops)
              .map(([reason, n]) => `${reason} ${n}`)
              .join(', ') || 'none'
          }.`,
        ]
      : []),
    '',
    `**${t.found}/${t.expected} expected findings found (${pct(t.recall)}), ${t.missed} missed, ${t.falseAlarms} false alarms** over ${t.cases} cases (scenario × service); mean latency ${ms(t.meanLatencyMs)}, max ${ms(t.maxLatencyMs)}.`,
    '',
    '| advisor | found | missed | false alarms | recall |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(report.byAdvisor).map(
      ([a, s]) => `| ${a} | ${s.found} | ${s.missed} | ${s.falseAlarms} | ${pct(s.recall)} |`,
    ),
    '',
    totalsTable('By age band', report.byAgeBand),
    '',
    totalsTable('By sex', report.bySex),
    '',
    'Small groups give unstable rates: read a difference between groups as a question, not an answer.',
    '',
    '### Scenarios',
    '',
    '| scenario | service | age | sex | found | missed | false alarms | latency | outcomes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...scenarioRows,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

interface Args {
  out: string;
  budgetMs?: number;
  only?: string;
  standIn: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    out: path.join(PROJECT_ROOT, 'reports/eval'),
    standIn: false,
  };
  readFlags(argv, (flag, value) => {
    if (flag === '--out') args.out = path.resolve(value());
    else if (flag === '--budget-ms') args.budgetMs = Number(value());
    else if (flag === '--only') args.only = value();
    else if (flag === '--stand-in') args.standIn = true;
    else throw new Error(`unknown option ${flag}`);
  });
  return args;
}

/** Without a stand-in provider: the scripted stand-in lives with the tests (`npm run eval:stand-in`). */
const noStandIn: StandIn = () =>
  Promise.reject(new Error('--stand-in runs the test stand-in: use npm run eval:stand-in -- [options]'));

async function guardDrops(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'cds_model_items_dropped_total');
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [String(v.labels.reason), v.value] as const).filter(([, n]) => n > 0),
  );
}

export async function main(argv: readonly string[], standIn: StandIn = noStandIn): Promise<void> {
  const suite = argv.indexOf('--suite');
  if (suite < 0) return groundTruthMain(argv, standIn);
  if (argv[suite + 1] !== 'rules')
    throw new Error('--suite takes "rules" (the default is the clinical ground truth)');
  const args = parseArgs(argv.filter((_, i) => i !== suite && i !== suite + 1));
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let config = loadConfig();
  let closeStandIn: (() => Promise<void>) | undefined;
  if (args.standIn) ({ config, close: closeStandIn } = await standIn(config));
  const budgetMs = args.budgetMs ?? config.adviceBudgetMs;

  const cases = loadCases(args.only);
  if (cases.length === 0) {
    process.stderr.write('no scenarios to replay\n');
    process.exitCode = 1;
    return;
  }
  // The rules always (a bad knowledge base stops here, naming file and path); the model when configured.
  const advisors: Advisor[] = [createRulesAdvisor()];
  const metricsRegistry = new Registry();
  const model: ModelAdvisor | undefined = createModelAdvisor(config, { logger, metricsRegistry });
  if (model) advisors.push(model);

  const results: ScenarioResult[] = [];
  try {
    // One at a time: latency is measured per scenario, not under load (that is `npm run bench`).
    for (const c of cases) results.push(await runCase(c, advisors, budgetMs));
  } finally {
    model?.close();
    await closeStandIn?.();
  }

  const lane = model?.health();
  const report = buildReport(results, {
    advisors: advisors.map((a) => a.name),
    model: lane
      ? `${lane.model}${lane.answeredBy ? ` (answered by ${lane.answeredBy})` : ''} @ ${new URL(modelEndpointOf(config)?.baseUrl ?? 'http://unknown').host}, ${lane.kind} endpoint, ${lane.outputMode} output`
      : null,
    budgetMs,
    modelGuardDrops: model ? await guardDrops(metricsRegistry) : null,
    note: args.standIn
      ? 'Model results come from the scripted test stand-in server, not a model: they measure the harness only.'
      : null,
  });
  mkdirSync(args.out, { recursive: true });
  const jsonFile = path.join(args.out, 'eval.json');
  const mdFile = path.join(args.out, 'eval.md');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(mdFile, reportMarkdown(report));
  const t = report.totals;
  process.stdout.write(
    `${t.found}/${t.expected} expected found (${pct(t.recall)}), ${t.missed} missed, ${t.falseAlarms} false alarms, ` +
      `${t.cases} cases, mean ${ms(t.meanLatencyMs)}; ${outcomeText(t.outcomes)}\n` +
      `report: ${path.relative(process.cwd(), mdFile)} and ${path.relative(process.cwd(), jsonFile)}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`eval failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
