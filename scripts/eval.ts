/**
 * `npm run eval`: replays the scenario suite through the configured advisors and writes a report a hospital can
 * read before turning advice on — per scenario: expected findings found and missed, false alarms, latency and
 * each advisor's outcome; the same totals broken down by age band and sex so uneven performance shows.
 *
 * Advisors: the built-in rules always; the model when AZURE_OPENAI_* is set (the deployment under evaluation),
 * or `--stand-in` to exercise the harness against the scripted stand-in server from the tests (not a model:
 * its scores measure nothing clinical).
 *
 *   npm run eval -- [--scenarios DIR] [--out DIR] [--budget-ms N] [--only TEXT] [--stand-in]
 *
 * Scenarios: `DIR/*.json` (a CDS Hooks request: hook, hookInstance, context, prefetch) next to
 * `*.expected.json` (the findings it must produce: `key`, `ruleId` or `evidence` each identify one).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bundle, FhirResource, Patient } from 'fhir/r4.js';
import { SERVICES } from '../hooks/index.js';
import { createModelAdvisor, type ModelAdvisor } from '../src/advisors/model/index.js';
import { createRulesAdvisor } from '../src/advisors/rules/index.js';
import type { Advisor, AdvisorName, AdvisorOutcome, Finding } from '../src/advisors/types.js';
import { mergeFindings } from '../src/cards/merge.js';
import type { HookRequest, PrefetchKey } from '../src/cds/types.js';
import { PREFETCH_KEYS } from '../src/cds/types.js';
import { normalizePatientContext } from '../src/clinical/normalize.js';
import type { PatientContext } from '../src/clinical/types.js';
import { type Config, loadConfig } from '../src/config.js';
import { raceDeadline } from '../src/invocation/raceDeadline.js';
import { createLogger } from '../src/logger.js';
import { PROJECT_ROOT } from '../src/paths.js';

// ---------------------------------------------------------------------------------------------------------------
// Scenarios and scoring (pure; exported for tests)

export interface ExpectedFinding {
  readonly key?: string;
  readonly ruleId?: string;
  /** `Type/id` refs the finding must cite (all of them). */
  readonly evidence?: readonly string[];
}

export interface Scenario {
  readonly name: string;
  readonly request: HookRequest;
  readonly expected: readonly ExpectedFinding[];
  /** The clock the scenario was written for (relative lab dates, ages); now when not given. */
  readonly now?: string;
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

export function describeExpected(e: ExpectedFinding): string {
  return e.key ?? e.ruleId ?? `evidence:${(e.evidence ?? []).join('+')}`;
}

export function matches(expected: ExpectedFinding, finding: Finding): boolean {
  if (expected.key !== undefined && expected.key === finding.key) return true;
  if (expected.ruleId !== undefined && expected.ruleId === finding.ruleId) return true;
  const evidence = expected.evidence ?? [];
  return evidence.length > 0 && evidence.every((ref) => finding.evidence.includes(ref));
}

export function score(expected: readonly ExpectedFinding[], findings: readonly Finding[]): Score {
  const found = expected.filter((e) => findings.some((f) => matches(e, f)));
  return {
    found: found.map(describeExpected),
    missed: expected.filter((e) => !found.includes(e)).map(describeExpected),
    falseAlarms: findings
      .filter((f) => !expected.some((e) => matches(e, f)))
      .map((f) => ({ key: f.key, advisor: f.advisor, summary: f.summary })),
  };
}

export function ageBand(age: number | undefined): string {
  if (age === undefined) return 'unknown';
  if (age < 18) return '0-17';
  if (age < 45) return '18-44';
  if (age < 65) return '45-64';
  if (age < 80) return '65-79';
  return '80+';
}

/** The expected findings, whichever of the plausible shapes the file uses. */
export function expectedOf(json: unknown): { expected: ExpectedFinding[]; now?: string } {
  const obj = (Array.isArray(json) ? { findings: json } : (json ?? {})) as Record<string, unknown>;
  const list = (obj.findings ?? obj.expected ?? obj.cards ?? []) as unknown[];
  const expected = list.flatMap((raw): ExpectedFinding[] => {
    if (typeof raw === 'string') return [{ key: raw }];
    if (typeof raw !== 'object' || raw === null) return [];
    const r = raw as Record<string, unknown>;
    const e: ExpectedFinding = {
      ...(typeof r.key === 'string' && { key: r.key }),
      ...(typeof r.ruleId === 'string' && { ruleId: r.ruleId }),
      ...(Array.isArray(r.evidence) && {
        evidence: r.evidence.filter((x): x is string => typeof x === 'string'),
      }),
    };
    return Object.keys(e).length > 0 ? [e] : [];
  });
  return { expected, ...(typeof obj.now === 'string' && { now: obj.now }) };
}

export function loadScenarios(dir: string, only?: string): Scenario[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
  } catch {
    return [];
  }
  return files
    .filter((f) => !only || f.includes(only))
    .sort()
    .map((file) => {
      const name = file.replace(/\.json$/, '');
      const raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as HookRequest & {
        request?: HookRequest;
        now?: string;
      };
      const request = raw.request ?? raw;
      let expectedJson: unknown = [];
      try {
        expectedJson = JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8'));
      } catch {
        // A scenario without expectations scores every finding as a false alarm: what a negative case wants.
      }
      const { expected, now } = expectedOf(expectedJson);
      const when = raw.now ?? now;
      return { name, request, expected, ...(when && { now: when }) };
    });
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

function bundleOrUndefined(value: unknown): Bundle | undefined {
  return (value as FhirResource | null)?.resourceType === 'Bundle' ? (value as Bundle) : undefined;
}

function patientContextOf(scenario: Scenario): PatientContext {
  const { request } = scenario;
  const prefetch = (request.prefetch ?? {}) as Record<string, unknown>;
  const context = request.context as unknown as Record<string, unknown>;
  const patient = prefetch.patient as Patient | undefined;
  return normalizePatientContext({
    hook: request.hook,
    now: scenario.now ? new Date(scenario.now) : new Date(),
    patientId: String(context.patientId),
    ...(patient?.resourceType === 'Patient' && { patient }),
    medications: bundleOrUndefined(prefetch.medications),
    conditions: bundleOrUndefined(prefetch.conditions),
    allergies: bundleOrUndefined(prefetch.allergies),
    labs: bundleOrUndefined(prefetch.labs),
    draftOrders: bundleOrUndefined(context.draftOrders),
    selections: Array.isArray(context.selections) ? (context.selections as string[]) : undefined,
    missing: PREFETCH_KEYS.filter((k: PrefetchKey) => prefetch[k] === undefined || prefetch[k] === null),
  });
}

async function runScenario(
  scenario: Scenario,
  advisors: readonly Advisor[],
  budgetMs: number,
): Promise<ScenarioResult> {
  const service = SERVICES.find((s) => s.definition.hook === scenario.request.hook);
  if (!service) throw new Error(`${scenario.name}: no service for hook ${scenario.request.hook}`);
  const patient = patientContextOf(scenario);
  const review = service.review(patient, { hookInstance: scenario.request.hookInstance });
  const t0 = performance.now();
  const signal = AbortSignal.timeout(budgetMs);
  const outcomes: AdvisorOutcome[] = await Promise.all(
    advisors.map((a) => raceDeadline(a.name, a.advise(review, signal), signal, performance.now())),
  );
  const latencyMs = performance.now() - t0;
  const merged = mergeFindings(
    outcomes.flatMap((o) => o.findings),
    service.definition.minSeverity,
  );
  const advisorsResult: ScenarioResult['advisors'] = {};
  for (const o of outcomes) {
    advisorsResult[o.advisor] = {
      status: o.status,
      ...(o.reason && { reason: o.reason }),
      latencyMs: o.latencyMs,
      ...score(scenario.expected, o.findings),
    };
  }
  return {
    name: scenario.name,
    serviceId: service.definition.id,
    ageBand: ageBand(patient.patient.ageYears),
    sex: patient.patient.sex ?? 'unknown',
    expected: scenario.expected.length,
    latencyMs,
    advisors: advisorsResult,
    ...score(scenario.expected, merged),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Totals {
  scenarios: number;
  expected: number;
  found: number;
  missed: number;
  falseAlarms: number;
  recall: number | null;
  meanLatencyMs: number;
  maxLatencyMs: number;
  outcomes: Record<string, Record<string, number>>;
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
    scenarios: results.length,
    expected,
    found,
    missed: sum((r) => r.missed.length),
    falseAlarms: sum((r) => r.falseAlarms.length),
    recall: expected === 0 ? null : found / expected,
    meanLatencyMs: results.length === 0 ? 0 : sum((r) => r.latencyMs) / results.length,
    maxLatencyMs: Math.max(0, ...results.map((r) => r.latencyMs)),
    outcomes,
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

function totalsTable(title: string, groups: Record<string, Totals>): string {
  const rows = Object.entries(groups).map(
    ([k, t]) =>
      `| ${cell(k)} | ${t.scenarios} | ${t.expected} | ${t.found} | ${t.missed} | ${t.falseAlarms} | ${pct(t.recall)} | ${ms(t.meanLatencyMs)} | ${cell(outcomeText(t.outcomes))} |`,
  );
  return [
    `### ${title}`,
    '',
    '| group | scenarios | expected | found | missed | false alarms | recall | mean latency | outcomes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export interface EvalReport {
  readonly generatedAt: string;
  readonly advisors: readonly string[];
  readonly model: string | null;
  readonly budgetMs: number;
  readonly note: string | null;
  readonly totals: Totals;
  readonly byAgeBand: Record<string, Totals>;
  readonly bySex: Record<string, Totals>;
  readonly byAdvisor: Record<
    string,
    { found: number; missed: number; falseAlarms: number; recall: number | null }
  >;
  readonly scenarios: readonly ScenarioResult[];
}

export function buildReport(
  results: readonly ScenarioResult[],
  meta: Pick<EvalReport, 'advisors' | 'model' | 'budgetMs' | 'note'>,
  generatedAt = new Date(),
): EvalReport {
  const byAdvisor: EvalReport['byAdvisor'] = {};
  for (const advisor of meta.advisors) {
    const rs = results.flatMap((r) =>
      r.advisors[advisor as AdvisorName] ? [r.advisors[advisor as AdvisorName]!] : [],
    );
    const found = rs.reduce((n, r) => n + r.found.length, 0);
    const missed = rs.reduce((n, r) => n + r.missed.length, 0);
    byAdvisor[advisor] = {
      found,
      missed,
      falseAlarms: rs.reduce((n, r) => n + r.falseAlarms.length, 0),
      recall: found + missed === 0 ? null : found / (found + missed),
    };
  }
  return {
    generatedAt: generatedAt.toISOString(),
    ...meta,
    totals: totals(results),
    byAgeBand: breakdown(results, (r) => r.ageBand),
    bySex: breakdown(results, (r) => r.sex),
    byAdvisor,
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
    '',
    `**${t.found}/${t.expected} expected findings found (${pct(t.recall)}), ${t.missed} missed, ${t.falseAlarms} false alarms** over ${t.scenarios} scenarios; mean latency ${ms(t.meanLatencyMs)}, max ${ms(t.maxLatencyMs)}.`,
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
  scenarios: string;
  out: string;
  budgetMs?: number;
  only?: string;
  standIn: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    scenarios: path.join(PROJECT_ROOT, 'tests/fixtures/scenarios'),
    out: path.join(PROJECT_ROOT, 'reports/eval'),
    standIn: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--scenarios') args.scenarios = path.resolve(value());
    else if (flag === '--out') args.out = path.resolve(value());
    else if (flag === '--budget-ms') args.budgetMs = Number(value());
    else if (flag === '--only') args.only = value();
    else if (flag === '--stand-in') args.standIn = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return args;
}

async function standInConfig(config: Config): Promise<{ config: Config; close: () => Promise<void> }> {
  const { startFakeAzureOpenAI, patientDataOf } = await import('../tests/fakes/azure-openai-server.js');
  const fake = await startFakeAzureOpenAI({ deployment: 'stand-in', apiKey: 'stand-in' });
  // Scripted, not clinical: flags the first draft against the first active medication whenever both exist.
  fake.behaviour = {
    kind: 'advice',
    delayMs: 50,
    advice: (request) => {
      const data = patientDataOf(request);
      const draft = data.draftOrders[0]?.alias;
      const active = data.activeMedications[0]?.alias;
      if (!draft || !active) return { advice: [] };
      return {
        advice: [
          {
            kind: 'interaction',
            summary: 'Stand-in advice: scripted, not clinical.',
            detail: 'Produced by the test stand-in server to exercise the evaluation harness.',
            severity: 'info',
            cites: [draft, active],
            certainty: 'low',
            suggestion: null,
          },
        ],
      };
    },
  };
  return {
    config: {
      ...config,
      azureOpenAI: {
        endpoint: fake.endpoint,
        deployment: 'stand-in',
        apiKey: 'stand-in',
        apiVersion: '2024-10-21',
      },
    },
    close: () => fake.close(),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let config = loadConfig();
  let closeStandIn: (() => Promise<void>) | undefined;
  if (args.standIn) ({ config, close: closeStandIn } = await standInConfig(config));
  const budgetMs = args.budgetMs ?? config.adviceBudgetMs;

  const scenarios = loadScenarios(args.scenarios, args.only);
  if (scenarios.length === 0) {
    process.stderr.write(`no scenarios in ${args.scenarios}\n`);
    process.exitCode = 1;
    return;
  }
  // The rules always (a bad knowledge base stops here, naming file and path); the model when configured.
  const advisors: Advisor[] = [createRulesAdvisor()];
  const model: ModelAdvisor | undefined = createModelAdvisor(config, { logger });
  if (model) advisors.push(model);

  const results: ScenarioResult[] = [];
  try {
    // One at a time: latency is measured per scenario, not under load (that is `npm run bench`).
    for (const scenario of scenarios) results.push(await runScenario(scenario, advisors, budgetMs));
  } finally {
    model?.close();
    await closeStandIn?.();
  }

  const report = buildReport(results, {
    advisors: advisors.map((a) => a.name),
    model: config.azureOpenAI
      ? `${config.azureOpenAI.deployment} @ ${new URL(config.azureOpenAI.endpoint).host}`
      : null,
    budgetMs,
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
      `${t.scenarios} scenarios, mean ${ms(t.meanLatencyMs)}; ${outcomeText(t.outcomes)}\n` +
      `report: ${path.relative(process.cwd(), mdFile)} and ${path.relative(process.cwd(), jsonFile)}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`eval failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
