/**
 * `npm run bench`: the service's numbers, measured side by side in one run on this machine, printed as one table
 * and written to bench/RESULTS.md. Every server (the service, the bare-Express anchor, the FHIR and Azure OpenAI
 * stand-ins) runs as its own child process on 127.0.0.1; autocannon drives them from this process.
 *
 * Env: BENCH_SECONDS (per measurement, default 4), BENCH_REPEATS (rules/bare: best of N runs, default 2), BENCH_BUILD=0 (skip `npm run build` and run the service from its sources through tsx),
 * BENCH_CPU_PROF=1 (write V8 CPU profiles of every service process to a temporary folder), BENCH_PG_URL (the
 * PostgreSQL server, default postgres://postgres@127.0.0.1:5432/test), BENCH_ONLY=rules,bare,longview,… (a subset, printed but not written to RESULTS.md).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { type LoadResult, load, warmUp } from './lib/load.js';
import { writeMarkdown } from './lib/markdown.js';
import { benchRules } from './rules.bench.js';
import { type StageCost, benchStages } from './stages.bench.js';
import { createBenchEhr } from './lib/ehrClient.js';
import { dropDatabase, freshDatabase } from './lib/postgres.js';
import {
  AUDIT_TOKEN,
  type Child,
  ROOT,
  machineBusyMs,
  prepareBuild,
  removeScratch,
  scratchDir,
  serviceScript,
  spawnChild,
  spawnService,
  startNodeFlags,
  stopAll,
} from './lib/processes.js';
import { ENDPOINT_KINDS, type EndpointKind } from '../src/modelEndpoint.js';
import { azureEnv, modelEnv, spawnAzure, spawnFhirServer, spawnModelHang } from './lib/standIns.js';
import { type BenchHook, HOOKS, SERVICE_OF, feedbackPayload, hookPayload, payloadSizes } from './payload.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = [1, 16, 64] as const;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
const MODEL_BUDGET_MS = 1500;
const MODEL_DELAY_MS = 800;
const PG_DATABASE = 'cds_bench';
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
const wanted = (section: string): boolean => ONLY.size === 0 || ONLY.has(section);

interface Row {
  readonly scenario: string;
  readonly hook: string;
  readonly connections: number | string;
  readonly result?: LoadResult;
  readonly vsBare?: string;
  /** CPU used by the measured server during the run, in % of one core. */
  readonly cpu?: number;
  /** The part of it on the server's main thread (the event loop): near 100%, the event loop is the limit. */
  readonly mainCpu?: number;
  /** CPU used meanwhile by other work on the machine (neither the servers nor the load generator). */
  readonly others?: number;
  readonly note?: string;
}

const rows: Row[] = [];
let stageCosts: StageCost[] = [];
const facts: string[] = [];
const targets: { name: string; met: boolean | undefined; detail: string }[] = [];

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function failures(r: LoadResult): string {
  const bad = Object.entries(r.statusCounts).filter(([status]) => !status.startsWith('2'));
  const parts = bad.map(([status, count]) => `${count}×${status}`);
  if (r.errors) parts.push(`${r.errors} errors`);
  if (r.timeouts) parts.push(`${r.timeouts} timeouts`);
  if (r.firstMax > r.max)
    parts.push(`first request per connection up to ${fmt(r.firstMax, 0)} ms (accepts at start)`);
  return parts.join(', ');
}

const pct = (n: number | undefined): string => (n === undefined ? '' : `${fmt(n, 0)}%`);

function table(): string {
  const header =
    '| scenario | hook | conn | req/s | p50 ms | p99 ms | max ms | vs bare | server CPU (main thread) | other CPU | notes |';
  const lines = [header, '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|'];
  for (const row of rows) {
    const r = row.result;
    const notes = [r ? failures(r) : '', row.note ?? ''].filter(Boolean).join('; ');
    lines.push(
      `| ${row.scenario} | ${row.hook} | ${row.connections} | ${r ? fmt(r.rps, 0) : 'n/a'} | ${r ? fmt(r.p50) : ''} | ${
        r ? fmt(r.p99) : ''
      } | ${r ? fmt(r.max) : ''} | ${row.vsBare ?? ''} | ${pct(row.cpu)}${
        row.mainCpu === undefined ? '' : ` (${pct(row.mainCpu)})`
      } | ${pct(row.others)} | ${notes} |`,
    );
  }
  return lines.join('\n');
}

const hookPath = (hook: BenchHook): string => `/cds-services/${SERVICE_OF[hook]}`;

async function probe(url: string, pathname: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url + pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Counts from the service's Prometheus endpoint, e.g. the model advisor's outcomes. */
async function advisorRuns(service: Child, advisor: string): Promise<Record<string, number>> {
  const res = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${AUDIT_TOKEN}` } });
  if (!res.ok) return {};
  const counts: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('cds_advisor_runs_total{') || !line.includes(`advisor="${advisor}"`)) continue;
    const status = /status="([^"]+)"/.exec(line)?.[1] ?? '?';
    counts[status] = (counts[status] ?? 0) + Number(line.split(' ').at(-1));
  }
  return counts;
}

/** The service's FHIR reads by outcome (`cds_prefetch_fetches_total`), summed over prefetch keys. */
async function prefetchOutcomes(service: Child): Promise<Record<string, number>> {
  const res = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${AUDIT_TOKEN}` } });
  if (!res.ok) return {};
  const counts: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('cds_prefetch_fetches_total{')) continue;
    const outcome = /outcome="([^"]+)"/.exec(line)?.[1] ?? '?';
    counts[outcome] = (counts[outcome] ?? 0) + Number(line.split(' ').at(-1));
  }
  return counts;
}

/** What went other than 'ok' between two `prefetchOutcomes` readings, e.g. "12 timeout, 30 optional-deadline". */
function failedReads(before: Record<string, number>, after: Record<string, number>): string {
  const parts = Object.entries(after)
    .filter(([outcome]) => outcome !== 'ok')
    .map(([outcome, n]) => [outcome, n - (before[outcome] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * Runs one load and measures the CPU each given server used meanwhile, and what everything else on the machine
 * (not the servers, not this process) used: other work competing for the two cores. All in % of one core.
 */
async function measured(
  servers: readonly Child[],
  options: Parameters<typeof load>[0],
): Promise<{ result: LoadResult; cpu: number[]; mainCpu: number[]; others: number }> {
  const before = servers.map((s) => s.cpuMs());
  const mainBefore = servers.map((s) => s.mainThreadCpuMs());
  const machineBefore = machineBusyMs();
  const selfBefore = process.cpuUsage();
  const result = await load(options);
  const used = servers.map((s, i) => s.cpuMs() - (before[i] ?? 0));
  const mainUsed = servers.map((s, i) => s.mainThreadCpuMs() - (mainBefore[i] ?? 0));
  const self = process.cpuUsage(selfBefore);
  const othersMs =
    machineBusyMs() - machineBefore - used.reduce((a, b) => a + b, 0) - (self.user + self.system) / 1000;
  const percent = (ms: number): number => (ms / (result.seconds * 1000)) * 100;
  return {
    result,
    cpu: used.map(percent),
    mainCpu: mainUsed.map(percent),
    others: Math.max(0, percent(othersMs)),
  };
}

const bareResults = new Map<string, LoadResult>();
/** Node flags for every service process (CPU profiles with BENCH_CPU_PROF=1). */
let profileFlags: readonly string[] = [];
const peaks: Record<string, number> = {};

/** One measurement of one server: its load result and the CPU it used, in % of one core. */
interface Best {
  readonly result: LoadResult;
  readonly cpu: number;
  readonly mainCpu: number;
  readonly others: number;
}

/** A measurement's columns of a table row. */
const measuredColumns = ({
  result,
  cpu,
  mainCpu,
  others,
}: Best): Pick<Row, 'result' | 'cpu' | 'mainCpu' | 'others'> => ({
  result,
  cpu,
  mainCpu,
  others,
});

/** Best of `REPEATS` runs by throughput: other work on the machine only ever slows a run down. */
async function best(server: Child, options: Parameters<typeof load>[0]): Promise<Best> {
  let top: Best | undefined;
  for (let i = 0; i < REPEATS; i++) {
    const { result, cpu, mainCpu, others } = await measured([server], options);
    if (!top || result.rps > top.result.rps)
      top = { result, cpu: cpu[0] ?? 0, mainCpu: mainCpu[0] ?? 0, others };
  }
  return top as Best;
}

/**
 * The service (rules only) and the bare-Express anchor, measured back to back for each hook and concurrency so
 * that both see the same conditions on the machine.
 */
async function rulesAndBare(service: Child, bare: Child | undefined): Promise<void> {
  for (const hook of HOOKS) {
    const body = hookPayload(hook);
    const check = await probe(service.url, hookPath(hook), body);
    if (check.status !== 200) {
      throw new Error(`${hook}: the service answered ${check.status}: ${check.text.slice(0, 300)}`);
    }
    const cards = (JSON.parse(check.text) as { cards: unknown[] }).cards.length;
    await warmUp(service.url, hookPath(hook), body);
    if (bare) await warmUp(bare.url, hookPath(hook), body);
    for (const connections of CONCURRENCY) {
      const options = { path: hookPath(hook), body, connections, seconds: SECONDS };
      log(`rules-only ${hook} c=${connections}`);
      // At 64 connections, how long /healthz waits too: the reference for the model runs below.
      const { value: ours, worstHealthzMs } =
        connections === 64
          ? await healthzWhile(service, best(service, { url: service.url, ...options }))
          : { value: await best(service, { url: service.url, ...options }), worstHealthzMs: undefined };
      const notes = [
        connections === 1 ? `${cards} cards` : '',
        worstHealthzMs === undefined ? '' : `slowest /healthz meanwhile ${fmt(worstHealthzMs, 0)} ms`,
      ];
      const row: Row = {
        scenario: 'rules only',
        hook,
        connections,
        ...measuredColumns(ours),
        note: notes.filter(Boolean).join('; '),
      };
      rows.push(row);
      if (!bare) continue;
      log(`bare express ${hook} c=${connections}`);
      const anchor = await best(bare, { url: bare.url, ...options });
      bareResults.set(`${hook}@${connections}`, anchor.result);
      rows.push({
        scenario: 'bare Express (limit)',
        hook,
        connections,
        result: anchor.result,
        cpu: anchor.cpu,
        mainCpu: anchor.mainCpu,
      });
    }
  }
}

/**
 * Where an order-sign call's time goes: the in-process stages next to what a request costs the main thread under
 * load (its measured CPU over the throughput) for the service and for bare Express.
 */
function timeBreakdown(): string[] {
  if (stageCosts.length === 0) return [];
  const ours = rows.find(
    (r) => r.scenario === 'rules only' && r.hook === 'order-sign' && r.connections === 16,
  );
  const bare = bareResults.get('order-sign@16');
  const total = stageCosts.reduce((sum, s) => sum + s.meanUs, 0);
  const lines = [
    '',
    "## Where an order-sign call's time goes",
    '',
    'Each stage run in-process on the same 21 KB body (bench/stages.bench.ts, mean µs per call, one core):',
    '',
    '| stage | µs per call |',
    '|---|--:|',
    ...stageCosts.map((s) => `| ${s.stage} | ${fmt(s.meanUs)} |`),
    `| **sum** | **${fmt(total, 0)}** |`,
  ];
  if (ours?.result && bare) {
    // The main thread's CPU per answered request: its busy share of each second over the requests in it.
    const perRequest = (rps: number, mainCpu: number | undefined): number =>
      (1e6 * (mainCpu ?? 100)) / 100 / rps;
    const anchor = rows.find(
      (r) => r.scenario === 'bare Express (limit)' && r.hook === 'order-sign' && r.connections === 16,
    );
    lines.push(
      '',
      `Under load (order-sign, 16 connections) the service's main thread was busy ${pct(ours.mainCpu)} of the time: ` +
        `${fmt(perRequest(ours.result.rps, ours.mainCpu), 0)} µs of it per request, against ` +
        `${fmt(perRequest(bare.rps, anchor?.mainCpu), 0)} µs for bare Express (parsing the same body included). ` +
        `The audit rows run on the store's writer thread, not the main one. ` +
        `What the stages do not account for is the HTTP server and Express themselves, the middleware every request ` +
        `passes (security headers, CORS, request id and its async context, authentication, the access-log line and ` +
        `request metrics), garbage collection, and the hand-off of each audit record to the writer thread.`,
    );
  }
  return lines;
}

function addRatios(): void {
  const ratios: number[] = [];
  for (const row of rows) {
    if (row.scenario !== 'rules only' || !row.result) continue;
    const bare = bareResults.get(`${row.hook}@${row.connections}`);
    if (!bare) continue;
    const ratio = row.result.rps / bare.rps;
    if (row.connections !== 1) ratios.push(ratio);
    Object.assign(row, { vsBare: `${fmt(ratio * 100, 0)}%` });
  }
  if (ratios.length > 0) {
    const worst = Math.min(...ratios);
    targets.push({
      name: 'rules-only throughput ≥ 40% of bare Express (c=16 and c=64)',
      met: worst >= 0.4,
      detail: `lowest ${fmt(worst * 100, 0)}%`,
    });
  }
  const c16 = rows.filter((r) => r.scenario === 'rules only' && r.connections === 16 && r.result);
  if (c16.length > 0) {
    const worst = Math.max(...c16.map((r) => r.result?.p99 ?? 0));
    targets.push({
      name: 'p99 < 50 ms at concurrency 16 (rules only)',
      met: worst < 50,
      detail: `worst p99 ${fmt(worst)} ms`,
    });
  }
}

/**
 * patient-view with the optional keys sent: five years of monthly panels in `labHistory` (300 Observations) and
 * vitals (120), beside today's patient-view row, so what the long view costs is one subtraction.
 */
async function longView(service: Child): Promise<void> {
  const hook = 'patient-view';
  const body = hookPayload(hook, { longView: true });
  const check = await probe(service.url, hookPath(hook), body);
  if (check.status !== 200) {
    throw new Error(
      `${hook} with history: the service answered ${check.status}: ${check.text.slice(0, 300)}`,
    );
  }
  const cards = (JSON.parse(check.text) as { cards: unknown[] }).cards.length;
  await warmUp(service.url, hookPath(hook), body);
  for (const connections of [1, 16] as const) {
    log(`long view ${hook} c=${connections}`);
    const ours = await best(service, {
      url: service.url,
      path: hookPath(hook),
      body,
      connections,
      seconds: SECONDS,
    });
    rows.push({
      scenario: 'rules only, 5 years of history (labHistory, vitals)',
      hook,
      connections,
      ...measuredColumns(ours),
      note: `${fmt(Buffer.byteLength(body) / 1024)} KB body: 300 history labs, 120 vitals${connections === 1 ? `; ${cards} cards` : ''}`,
    });
  }
}

async function prefetchMissing(service: Child): Promise<void> {
  const fhir = await spawnFhirServer();
  try {
    const fhirServer = `${fhir.url}/fhir`;
    for (const hook of ['patient-view', 'order-sign'] as const) {
      const body = hookPayload(hook, { fhirServer });
      const check = await probe(service.url, hookPath(hook), body);
      if (check.status !== 200) {
        rows.push({
          scenario: 'prefetch fetched from FHIR',
          hook,
          connections: '–',
          note: `service answered ${check.status}`,
        });
        continue;
      }
      await warmUp(service.url, hookPath(hook), body, 1);
      for (const connections of [1, 16]) {
        log(`prefetch missing ${hook} c=${connections}`);
        const readsBefore = await prefetchOutcomes(service);
        const { result, cpu, others } = await measured([service, fhir], {
          url: service.url,
          path: hookPath(hook),
          body,
          connections,
          seconds: SECONDS,
        });
        rows.push({
          scenario: 'prefetch fetched from FHIR',
          hook,
          connections,
          result,
          cpu: cpu[0],
          others,
          note: `7 reads per hook from the fake FHIR server (Medplum in-memory), which used ${fmt(cpu[1] ?? 0, 0)}% CPU; reads not ok: ${failedReads(readsBefore, await prefetchOutcomes(service))}`,
        });
      }
    }
  } finally {
    await fhir.stop();
  }
}

async function feedback(service: Child, label: string): Promise<void> {
  const pathname = '/cds-services/order-sign-advice/feedback';
  const check = await probe(service.url, pathname, feedbackPayload(randomUUID()));
  if (check.status === 404) {
    rows.push({
      scenario: `feedback writes (${label})`,
      hook: 'order-sign',
      connections: 16,
      note: 'n/a (feedback route not available yet)',
    });
    return;
  }
  if (check.status !== 200) {
    rows.push({
      scenario: `feedback writes (${label})`,
      hook: 'order-sign',
      connections: 16,
      note: `n/a (service answered ${check.status}: ${check.text.slice(0, 120)})`,
    });
    return;
  }
  log(`feedback ${label} c=16`);
  const { result, cpu, others } = await measured([service], {
    url: service.url,
    path: pathname,
    body: () => feedbackPayload(randomUUID()),
    connections: 16,
    seconds: SECONDS,
  });
  rows.push({
    scenario: `feedback writes (${label})`,
    hook: 'order-sign',
    connections: 16,
    result,
    cpu: cpu[0],
    others,
    note: `1 item per request, durable before the 200${label === 'PostgreSQL' ? '; other CPU is mostly the PostgreSQL server itself' : ''}`,
  });
}

async function withService(
  name: string,
  env: Record<string, string>,
  fn: (service: Child) => Promise<void>,
  flags: readonly string[] = profileFlags,
): Promise<void> {
  const service = await spawnService(name, env, flags);
  service.resetPeak();
  try {
    await fn(service);
    peaks[name] = service.peakRssKb();
  } finally {
    const code = await service.stop();
    if (code !== 0) log(`${name} exited with ${code}; log: ${service.logFile}`);
  }
}

/**
 * Asks `/healthz` every 100 ms while `work` runs and returns the slowest answer (ms): how long the event loop was
 * ever busy while the model was thinking.
 */
async function healthzWhile<T>(
  service: Child,
  work: Promise<T>,
): Promise<{ value: T; worstHealthzMs: number }> {
  let done = false;
  let worst = 0;
  const loop = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(`${service.url}/healthz`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      worst = Math.max(worst, performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return { value: await work, worstHealthzMs: worst };
  } finally {
    done = true;
    await loop;
  }
}

async function model(): Promise<void> {
  const azure = await spawnAzure(MODEL_DELAY_MS);
  try {
    await withService('service (model 800 ms)', azureEnv(azure, MODEL_BUDGET_MS), async (service) => {
      if (!service.log().includes('"model advisor on"')) {
        rows.push({
          scenario: `model ${MODEL_DELAY_MS} ms, budget ${MODEL_BUDGET_MS} ms`,
          hook: 'order-sign',
          connections: 64,
          note: 'n/a (model advisor not available)',
        });
        return;
      }
      // Every request a different chart, so the advice cache cannot answer for the model.
      let variant = 0;
      const body = (): string => hookPayload('order-sign', { variant: ++variant });
      await load({ url: service.url, path: hookPath('order-sign'), body, connections: 16, seconds: 2 });
      const before = await advisorRuns(service, 'model');
      log('model 800 ms c=64');
      const {
        value: { result, cpu, others },
        worstHealthzMs,
      } = await healthzWhile(
        service,
        measured([service], {
          url: service.url,
          path: hookPath('order-sign'),
          body,
          connections: 64,
          seconds: Math.max(SECONDS, 8),
        }),
      );
      const after = await advisorRuns(service, 'model');
      const outcomes = Object.entries(after)
        .map(([status, n]) => [status, n - (before[status] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ');
      rows.push({
        scenario: `model ${MODEL_DELAY_MS} ms, budget ${MODEL_BUDGET_MS} ms`,
        hook: 'order-sign',
        connections: 64,
        result,
        cpu: cpu[0],
        others,
        note: `every chart different (no cache hits); model outcomes: ${outcomes || 'none counted'}; slowest /healthz meanwhile ${fmt(worstHealthzMs, 0)} ms`,
      });
    });
  } finally {
    await azure.stop();
  }
}

/**
 * The model hanging, for every endpoint kind the gateway speaks: the deployments route configured the contract's
 * way (AZURE_OPENAI_*), the others through MODEL_*. The worst answer must stay within the budget for each.
 */
async function hanging(kind: EndpointKind): Promise<void> {
  const model = kind === 'azure-openai' ? await spawnAzure('hang') : await spawnModelHang(kind);
  const scenario = `model hangs (${kind}), budget ${MODEL_BUDGET_MS} ms`;
  const env =
    kind === 'azure-openai' ? azureEnv(model, MODEL_BUDGET_MS) : modelEnv(model, kind, MODEL_BUDGET_MS);
  try {
    await withService(`service (model hangs, ${kind})`, env, async (service) => {
      if (!service.log().includes('"model advisor on"')) {
        rows.push({
          scenario,
          hook: 'order-sign',
          connections: 16,
          note: 'n/a (model advisor not available)',
        });
        return;
      }
      let variant = 0;
      const body = (): string => hookPayload('order-sign', { variant: ++variant });
      log(`model hangs (${kind}) c=16`);
      const { result, cpu, others } = await measured([service], {
        url: service.url,
        path: hookPath('order-sign'),
        body,
        connections: 16,
        seconds: Math.max(SECONDS, 6),
        // The deadline is about every request: first requests of connections included.
        includeFirstRequests: true,
      });
      const over = result.max - MODEL_BUDGET_MS;
      rows.push({
        scenario,
        hook: 'order-sign',
        connections: 16,
        result,
        cpu: cpu[0],
        others,
        note: `worst ${fmt(result.max, 0)} ms = budget ${over >= 0 ? '+' : ''}${fmt(over, 0)} ms`,
      });
      targets.push({
        name: `deadline never exceeded by > 100 ms (p100), ${kind}`,
        met: over <= 100,
        detail: `max ${fmt(result.max, 0)} ms vs budget ${MODEL_BUDGET_MS} ms`,
      });
    });
  } finally {
    await model.stop();
  }
}

/** The audience the bench's EHR tokens name: the service is reached on its own port, the check is on this value. */
const AUTH_BASE_URL = 'http://127.0.0.1:9';

/**
 * Rules-only order-sign at 16 connections as a production EHR calls it: every request carries a fresh ES384 client
 * JWT (signature, claims, and its jti remembered so a replay is refused). Tokens are signed before the run, so that
 * signing them does not compete with the measured server for the two cores.
 */
async function authenticated(): Promise<void> {
  const hook: BenchHook = 'order-sign';
  const pathname = hookPath(hook);
  const body = hookPayload(hook);
  const open = rows.find(
    (r) => r.scenario === 'rules only' && r.hook === hook && r.connections === 16,
  )?.result;
  // A fixed number of requests (one token each): about SECONDS at the unauthenticated rate, after a warm-up.
  const warmUpRequests = 1000;
  const measuredRequests = Math.ceil((open?.rps ?? 1000) * SECONDS);
  const count = warmUpRequests + measuredRequests + 200; // autocannon may send a few past `amount`
  const ehr = await createBenchEhr();
  log(`signing ${count} EHR tokens`);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await ehr.token(AUTH_BASE_URL + pathname));
  const headersFor = (): Record<string, string> => {
    const token = tokens.shift();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  await withService(
    'service, authenticated',
    {
      TRUSTED_CLIENTS_FILE: ehr.writeTrustedClients(scratchDir('bench-auth')),
      PUBLIC_BASE_URL: AUTH_BASE_URL,
    },
    async (service) => {
      const base = { url: service.url, path: pathname, body, headersFor };
      await load({ ...base, connections: 16, seconds: SECONDS, amount: warmUpRequests });
      log(`rules-only ${hook} c=16, authenticated`);
      const { result, cpu, others } = await measured([service], {
        ...base,
        connections: 16,
        seconds: SECONDS,
        amount: measuredRequests,
      });
      rows.push({
        scenario: 'rules only, authenticated (ES384 JWT, jti replay check)',
        hook,
        connections: 16,
        result,
        cpu: cpu[0] ?? 0,
        others,
        note: open
          ? `${fmt((result.rps / open.rps) * 100, 0)}% of the unauthenticated rate; a fresh token per request`
          : 'a fresh token per request',
      });
    },
  );
}

/**
 * order-sign as rules only, with AUDIT_BEFORE_ANSWER=true: each answer waits for its audit row to be committed
 * (SQLite, synchronous=FULL, through the writer thread). Beside the default rows, what that durability costs.
 */
async function auditBeforeAnswer(): Promise<void> {
  const hook: BenchHook = 'order-sign';
  const body = hookPayload(hook);
  await withService(
    'service (audit row before the answer)',
    { AUDIT_BEFORE_ANSWER: 'true' },
    async (service) => {
      await warmUp(service.url, hookPath(hook), body);
      for (const connections of [1, 16] as const) {
        log(`rules-only ${hook} c=${connections}, audit row before the answer`);
        const ours = await best(service, {
          url: service.url,
          path: hookPath(hook),
          body,
          connections,
          seconds: SECONDS,
        });
        const usual = rows.find(
          (r) => r.scenario === 'rules only' && r.hook === hook && r.connections === connections,
        )?.result;
        rows.push({
          scenario: 'rules only, AUDIT_BEFORE_ANSWER=true',
          hook,
          connections,
          ...measuredColumns(ours),
          note: usual
            ? `${fmt((ours.result.rps / usual.rps) * 100, 0)}% of the default's rate, p50 ${fmt(ours.result.p50 - usual.p50)} ms more; each answer waits for its audit row's commit`
            : "each answer waits for its audit row's commit (default not measured in this run)",
        });
      }
    },
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  prepareBuild(log);
  const sizes = payloadSizes();
  facts.push(
    `Payloads (compact JSON): ${HOOKS.map((h) => `${h} ${fmt(sizes[h] / 1024)} KB`).join(', ')} — 8 active medications (RxNorm), 6 problems, 2 allergies, 30 labs (LOINC), 2 draft orders on the order hooks.`,
  );
  log(facts[0] ?? '');
  if (wanted('rules')) {
    // In-process, before any server starts: the rules advisor alone on a typical patient (bench/rules.bench.ts).
    const micro = await benchRules();
    facts.push(
      `Rules advisor alone (bench/rules.bench.ts, in-process, typical patient): mean ${micro.meanUs} µs, p50 ${micro.p50Us} µs, p99 ${micro.p99Us} µs per review once warm; the first ${micro.cold.reviews} reviews after start p50 ${micro.cold.p50Us} µs, p99 ${micro.cold.p99Us} µs.`,
    );
    stageCosts = await benchStages();
  }
  const profileDir =
    process.env.BENCH_CPU_PROF === '1'
      ? mkdtempSync(path.join(os.tmpdir(), 'cds-bench-profiles-'))
      : undefined;
  if (profileDir) profileFlags = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  if (profileDir) log(`CPU profiles of the service processes go to ${profileDir}`);

  if (wanted('rules') || wanted('feedback') || wanted('prefetch') || wanted('longview')) {
    await withService('service (rules, SQLite)', {}, async (service) => {
      if (wanted('rules')) {
        const bare = wanted('bare')
          ? await spawnChild({ name: 'bare-express', script: 'bench/children/bare-express.ts' })
          : undefined;
        try {
          await rulesAndBare(service, bare);
          if (bare) peaks['bare Express'] = bare.peakRssKb();
        } finally {
          await bare?.stop();
        }
        peaks['service, rules-only load'] = service.peakRssKb();
        service.resetPeak();
      }
      if (wanted('rules') || wanted('longview')) await longView(service);
      if (wanted('prefetch')) await prefetchMissing(service);
      if (wanted('feedback')) await feedback(service, 'SQLite');
      if (wanted('prefetch') || wanted('feedback'))
        peaks['service, prefetch and feedback load'] = service.peakRssKb();
    });
    // Reported per phase above.
    delete peaks['service (rules, SQLite)'];
  }
  addRatios();
  if (wanted('durable')) await auditBeforeAnswer();
  if (wanted('auth')) await authenticated();
  if (wanted('model')) await model();
  if (wanted('model')) for (const kind of ENDPOINT_KINDS) await hanging(kind);
  if (wanted('feedback')) {
    let databaseUrl: string | undefined;
    try {
      databaseUrl = await freshDatabase(PG_DATABASE);
    } catch (error) {
      rows.push({
        scenario: 'feedback writes (PostgreSQL)',
        hook: 'order-sign',
        connections: 16,
        note: `n/a (PostgreSQL: ${error instanceof Error ? error.message : String(error)})`,
      });
    }
    if (databaseUrl) {
      try {
        await withService('service (PostgreSQL)', { DATABASE_URL: databaseUrl }, (service) =>
          feedback(service, 'PostgreSQL'),
        );
      } finally {
        await dropDatabase(PG_DATABASE).catch(() => undefined);
      }
    }
  }

  const peakLines = Object.entries(peaks).map(([name, kb]) => `${name} ${fmt(kb / 1024, 0)} MB`);
  const servicePeak = Math.max(
    0,
    ...Object.entries(peaks)
      .filter(([n]) => n.startsWith('service'))
      .map(([, kb]) => kb),
  );
  if (servicePeak > 0) {
    facts.push(`Peak RSS under load (VmHWM of each process): ${peakLines.join(', ')}.`);
    targets.push({
      name: 'RSS < 300 MB',
      met: servicePeak < 300 * 1024,
      detail: `peak ${fmt(servicePeak / 1024, 0)} MB, run as npm start runs it (${startNodeFlags().join(' ')})`,
    });
  }
  if (!targets.some((t) => t.name.startsWith('deadline'))) {
    targets.push({
      name: 'deadline never exceeded by > 100 ms (p100)',
      met: undefined,
      detail: 'not measured (model advisor not available)',
    });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const [load1, load5] = os.loadavg();
  facts.push(
    `Machine: ${os.cpus().length} × ${cpu}, Node ${process.version}; ${SECONDS} s per measurement after a warm-up; service run from ${
      serviceScript().startsWith('dist/')
        ? `${serviceScript()} (npm run build)`
        : 'sources via tsx (no build)'
    } with LOG_LEVEL=info (one access-log line per request), SQLite store unless noted; rules-only and bare Express measured back to back, best of ${REPEATS}; whole run ${fmt((Date.now() - started) / 1000, 0)} s; load average at the end ${fmt(load1 ?? 0, 2)} (1 min), ${fmt(load5 ?? 0, 2)} (5 min).`,
    `"server CPU" is what the measured server used (in brackets its main thread, the event loop: near 100% it is the limit, the rest being the store's writer thread and V8's garbage-collection helpers), "other CPU" what everything else on the machine used meanwhile (neither the servers nor the load generator), both in % of one core: where other CPU is high, other work was competing for the 2 cores and that row is pessimistic.`,
  );

  const targetLines = targets.map(
    (t) => `- ${t.met === undefined ? '–' : t.met ? 'met' : 'MISSED'}: ${t.name} — ${t.detail}`,
  );
  const output = [table(), '', ...facts, '', 'Targets:', ...targetLines, ...timeBreakdown()].join('\n');
  process.stdout.write(`\n${output}\n`);
  // Only a full run replaces bench/RESULTS.md; a subset (BENCH_ONLY) is printed only.
  if (ONLY.size === 0) await writeResults(output);
  removeScratch();
}

async function writeResults(output: string): Promise<void> {
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  const text = [
    '# Performance',
    '',
    `Latest \`npm run bench\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC). Every server runs as its own`,
    'process on 127.0.0.1; autocannon drives them from the bench process, on the same 2-core machine. Latencies',
    'are per request (autocannon response times); max is the worst case (p100) over all requests but the first of',
    'each connection: autocannon opens them all at once and a saturated Node server accepts one new connection per',
    'event-loop turn, so at 64 connections the last first request waits for its accept (shown in the notes where',
    'it is slower). The deadline row counts every request.',
    '',
    output,
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm run bench                      # about 3–4 minutes; writes this file',
    'BENCH_SECONDS=8 npm run bench      # longer measurements',
    'BENCH_ONLY=rules,bare npm run bench   # sections: rules, bare, longview, durable, auth, prefetch, feedback, model',
    'BENCH_CPU_PROF=1 BENCH_ONLY=rules npm run bench   # V8 CPU profiles of the service (folder printed)',
    'npm run soak                       # fixed-rate soak: errors, lost records, memory, scale-out (bench/SOAK.md)',
    '```',
    '',
    'PostgreSQL figures need a local server (`BENCH_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`);',
    'the bench creates and drops its own database `cds_bench` there.',
    '',
  ].join('\n');
  await writeMarkdown(file, text);
  log(`wrote ${path.relative(ROOT, file)}`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await stopAll([]);
  process.exit(1);
});
