/**
 * `npm run soak`: a fixed rate of mixed traffic (the three hooks and feedback, one each in turn) for a while, then
 * a graceful stop and the checks: zero errors, zero lost audit or feedback records (rows counted in the store
 * against the 200s the load generator saw), memory flat (the heap's post-GC troughs do not grow once warm).
 *
 * Two phases (SOAK_MODE=single | scale | all, default all):
 *   single  one instance on the embedded SQLite store;
 *   scale   two instances sharing one PostgreSQL database behind a round-robin proxy on 127.0.0.1, checking the
 *           same plus, where the service supports it: a JWT `jti` replayed on the other instance is refused, and
 *           the AI kill switch set through one instance is seen by the other.
 * Env: SOAK_SECONDS (default 60), SOAK_RATE (requests/s, default 200), BENCH_PG_URL (see bench/lib/postgres.ts).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { SQLITE_FILE } from '../src/store/connect.js';
import { type BenchEhr, createBenchEhr } from './lib/ehrClient.js';
import { writeMarkdown } from './lib/markdown.js';
import { dropDatabase, freshDatabase, query } from './lib/postgres.js';
import {
  AUDIT_TOKEN,
  type Child,
  ROOT,
  prepareBuild,
  removeScratch,
  scratchDir,
  spawnService,
  stopAll,
} from './lib/processes.js';
import { type Proxy, startProxy } from './lib/proxy.js';
import { azureEnv, spawnAzure } from './lib/standIns.js';
import { HOOKS, SERVICE_OF, feedbackPayload, hookPayload } from './payload.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const RATE = Number(process.env.SOAK_RATE ?? 200);
const MODE = process.env.SOAK_MODE ?? 'all';
const CONNECTIONS = 20;
const MEMORY_GROWTH_LIMIT = 0.2;
/** Seconds of samples needed before memory is judged. */
const MIN_MEMORY_SAMPLES = 40;
const PG_DATABASE = 'cds_soak';
const FEEDBACK_PATH = '/cds-services/order-sign-advice/feedback';
const MAX_KNOWN_CARDS = 10_000;
/** Tokens kept signed ahead per audience: about a second of traffic. */
const TOKENS_AHEAD = Math.max(20, Math.ceil(RATE / 2));

interface Check {
  readonly name: string;
  /** undefined: could not be checked (says why in `detail`). */
  readonly ok: boolean | undefined;
  readonly detail: string;
}

interface Traffic {
  hookOk: number;
  hookOther: Record<string, number>;
  feedbackOk: number;
  feedbackOther: Record<string, number>;
  errors: number;
  timeouts: number;
  sent: number;
  seconds: number;
  p99: number;
  max: number;
}

function log(message: string): void {
  process.stderr.write(`[soak] ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface TokenPool {
  /** A fresh token, or undefined when signing fell behind (the request then goes without and counts as a 401). */
  next(): string | undefined;
  stop(): void;
}

/**
 * Tokens for one audience, signed a little ahead of use by a background loop (autocannon's request hooks are
 * synchronous, so they cannot sign): fresh when used, whatever the length of the run.
 */
async function tokenPool(ehr: BenchEhr | undefined, aud: string, ahead: number): Promise<TokenPool> {
  if (!ehr) return { next: () => undefined, stop: () => undefined };
  const ready: string[] = [];
  while (ready.length < ahead) ready.push(await ehr.token(aud));
  let stopped = false;
  void (async () => {
    while (!stopped) {
      if (ready.length < ahead) ready.push(await ehr.token(aud));
      else await sleep(5);
    }
  })().catch((error: unknown) => {
    stopped = true;
    log(`token signing stopped: ${error instanceof Error ? error.message : String(error)}`);
  });
  return {
    next: () => ready.shift(),
    stop: () => {
      stopped = true;
    },
  };
}

interface IssuedCard {
  readonly serviceId: string;
  readonly uuid: string;
  readonly suggestion: string | undefined;
}

/** Drives the mix at a fixed overall rate through `baseUrl`; `publicBaseUrl` is what tokens name as audience. */
async function drive(baseUrl: string, publicBaseUrl: string, ehr: BenchEhr | undefined): Promise<Traffic> {
  const issued: IssuedCard[] = [];
  const traffic: Traffic = {
    hookOk: 0,
    hookOther: {},
    feedbackOk: 0,
    feedbackOther: {},
    errors: 0,
    timeouts: 0,
    sent: 0,
    seconds: 0,
    p99: 0,
    max: 0,
  };
  const count = (bucket: Record<string, number>, status: number): void => {
    bucket[String(status)] = (bucket[String(status)] ?? 0) + 1;
  };
  if (ehr) log('signing the first tokens (then a little ahead of use)');
  const requests: autocannon.Request[] = [];
  const pools: TokenPool[] = [];
  const feedbackTokens: Record<string, () => string | undefined> = {};
  for (const hook of HOOKS) {
    const serviceId = SERVICE_OF[hook];
    const pathname = `/cds-services/${serviceId}`;
    const hookTokens = await tokenPool(ehr, publicBaseUrl + pathname, TOKENS_AHEAD);
    pools.push(hookTokens);
    // Feedback goes to whichever service issued the card.
    const feedbackPool = await tokenPool(ehr, `${publicBaseUrl}${pathname}/feedback`, TOKENS_AHEAD);
    pools.push(feedbackPool);
    feedbackTokens[serviceId] = () => feedbackPool.next();
    let variant = 0;
    requests.push({
      method: 'POST',
      path: pathname,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const token = hookTokens.next();
        // A different chart now and then, so a model advisor sees both cache hits and misses.
        const body = hookPayload(hook, { variant: ++variant % 50 });
        return {
          ...req,
          body,
          headers: { ...req.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        };
      },
      onResponse: (status, body) => {
        if (status !== 200) {
          count(traffic.hookOther, status);
          return;
        }
        traffic.hookOk++;
        if (issued.length >= MAX_KNOWN_CARDS) return;
        try {
          const cards = (
            JSON.parse(body) as { cards?: { uuid?: string; suggestions?: { uuid?: string }[] }[] }
          ).cards;
          for (const card of cards ?? []) {
            if (card.uuid)
              issued.push({ serviceId, uuid: card.uuid, suggestion: card.suggestions?.[0]?.uuid });
          }
        } catch {
          // counted as a 200 all the same; the checks look at the store
        }
      },
    });
  }
  requests.push({
    method: 'POST',
    path: FEEDBACK_PATH,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => {
      // Feedback on a card the service really issued (each card once), accepting its first suggestion when it
      // has one; on an unknown card of order-sign when none is waiting.
      const card = issued.shift() ?? {
        serviceId: 'order-sign-advice',
        uuid: randomUUID(),
        suggestion: undefined,
      };
      const token = feedbackTokens[card.serviceId]?.();
      return {
        ...req,
        path: `/cds-services/${card.serviceId}/feedback`,
        body: feedbackPayload(card.uuid, card.suggestion),
        headers: { ...req.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      };
    },
    onResponse: (status) => {
      if (status === 200) traffic.feedbackOk++;
      else count(traffic.feedbackOther, status);
    },
  });

  log(`driving ${RATE} req/s for ${SECONDS} s through ${baseUrl}`);
  // A fixed count rather than a duration: autocannon then waits for every response, so the 200s counted here are
  // all the requests the service completed (with a duration it drops the ones in flight at the end).
  const run = autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    overallRate: RATE,
    amount: RATE * SECONDS,
    timeout: 10,
    requests,
  });
  const guard = setTimeout(() => (run as unknown as autocannon.Instance).stop(), (SECONDS * 3 + 30) * 1000);
  let result: autocannon.Result;
  try {
    result = await run;
  } finally {
    clearTimeout(guard);
    for (const pool of pools) pool.stop();
  }
  traffic.errors = result.errors;
  traffic.timeouts = result.timeouts;
  traffic.sent = result.requests.sent;
  traffic.seconds = result.duration;
  traffic.p99 = result.latency.p99;
  traffic.max = result.latency.max;
  return traffic;
}

/** Samples each instance's RSS once a second while `work` runs. */
interface MemorySamples {
  /** RSS in KiB, once a second. */
  readonly rss: number[];
  /** V8 heap in use in KiB (from /metrics), once a second: garbage included, so its troughs are what is kept. */
  readonly heap: number[];
}

async function heapUsedKb(instance: Child): Promise<number | undefined> {
  try {
    const res = await fetch(`${instance.url}/metrics`, {
      headers: { authorization: `Bearer ${AUDIT_TOKEN}` },
    });
    const line = (await res.text()).split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
    return line ? Number(line.split(' ').at(-1)) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples each instance's RSS and heap in use once a second while `work` runs. */
async function sampled<T>(
  instances: readonly Child[],
  work: Promise<T>,
): Promise<{ value: T; samples: MemorySamples[] }> {
  const samples: MemorySamples[] = instances.map(() => ({ rss: [], heap: [] }));
  let busy = false;
  const sample = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      await Promise.all(
        instances.map(async (c, i) => {
          const rss = c.rssKb();
          // 0: the process is gone (its exit is reported by the stop check).
          if (rss === 0) return;
          samples[i]?.rss.push(rss);
          const heap = await heapUsedKb(c);
          if (heap !== undefined) samples[i]?.heap.push(heap);
        }),
      );
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), 1000);
  try {
    return { value: await work, samples };
  } finally {
    clearInterval(timer);
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

/**
 * Flat means nothing kept growing once warm. RSS and heap in use both swing with the collector's timing (a major
 * GC can come late and free a third of the heap), so the judgement is on the heap's troughs — what survives the
 * collections: the lowest heap in use in the last quarter of the run against the lowest in the second quarter
 * (the first quarter is warm-up). RSS is reported alongside.
 */
function memoryCheck(name: string, samples: MemorySamples): Check {
  const quarterOf = (xs: readonly number[], q: number): number[] => {
    const size = Math.max(1, Math.floor(xs.length / 4));
    return q === 3 ? xs.slice(-size) : xs.slice(q * size, (q + 1) * size);
  };
  const warmTrough = Math.min(...quarterOf(samples.heap, 1));
  const lastTrough = Math.min(...quarterOf(samples.heap, 3));
  const growth = (lastTrough - warmTrough) / warmTrough;
  const rss = samples.rss;
  return {
    name: `memory flat (${name})`,
    // Shorter runs are all warm-up: nothing to judge.
    ok: samples.heap.length >= MIN_MEMORY_SAMPLES ? growth <= MEMORY_GROWTH_LIMIT : undefined,
    detail:
      `heap in use, lowest: ${mb(warmTrough)} in the second quarter, ${mb(lastTrough)} in the last ` +
      `(${(growth * 100).toFixed(1)}%, limit ${MEMORY_GROWTH_LIMIT * 100}%); RSS mean by quarter ` +
      `${[0, 1, 2, 3].map((q) => mb(mean(quarterOf(rss, q)))).join(' → ')}, peak ${mb(Math.max(0, ...rss))}; ` +
      `${samples.heap.length} samples${samples.heap.length < MIN_MEMORY_SAMPLES ? ` (too few to judge: run at least ${MIN_MEMORY_SAMPLES} s)` : ''}`,
  };
}

function trafficChecks(t: Traffic): Check[] {
  const other = (bucket: Record<string, number>): string =>
    Object.entries(bucket)
      .map(([s, n]) => `${n}×${s}`)
      .join(', ') || 'none';
  const hookBad = Object.values(t.hookOther).reduce((a, b) => a + b, 0);
  const feedbackBad = Object.values(t.feedbackOther).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'zero errors',
      ok: hookBad + feedbackBad + t.errors + t.timeouts === 0,
      detail: `${t.hookOk} hook 200s (others: ${other(t.hookOther)}), ${t.feedbackOk} feedback 200s (others: ${other(t.feedbackOther)}), ${t.errors} connection errors, ${t.timeouts} timeouts; ${(t.sent / t.seconds).toFixed(0)} req/s achieved, p99 ${t.p99} ms, max ${t.max} ms`,
    },
  ];
}

/** Hook calls answered 200 outside the driven traffic (the cross-instance checks); each is audited too. */
let extraAudited = 0;

function recordChecks(t: Traffic, invocations: number, feedback: number): Check[] {
  const expected = t.hookOk + extraAudited;
  return [
    {
      name: 'no lost audit records',
      ok: invocations === expected,
      detail: `${invocations} invocation rows for ${expected} hook 200s${extraAudited ? ` (${extraAudited} from the cross-instance checks)` : ''}`,
    },
    {
      name: 'no lost feedback',
      ok: feedback === t.feedbackOk,
      detail: `${feedback} feedback rows for ${t.feedbackOk} feedback 200s`,
    },
  ];
}

async function stopChecked(instance: Child): Promise<Check> {
  const early = instance.endedEarly();
  if (early) {
    return {
      name: `graceful stop (${instance.name})`,
      ok: false,
      detail: `the instance ended during the run at ${early.at.toISOString()} (exit code ${String(early.code)}, signal ${String(early.signal)}), not stopped by the soak: ${early.code === 0 ? 'a SIGTERM from outside (another process on the machine)' : 'it crashed'}; log: ${instance.logFile}`,
    };
  }
  const code = await instance.stop();
  const errorLines = instance
    .log()
    .split('\n')
    .filter((l) => l.includes('"level":"error"')).length;
  return {
    name: `graceful stop (${instance.name})`,
    ok: code === 0 && errorLines === 0,
    // The log path only when something is wrong: a good run's scratch folders are removed.
    detail: `exit code ${String(code)}, ${errorLines} error log lines${code === 0 && errorLines === 0 ? '' : ` (log: ${instance.logFile})`}`,
  };
}

async function single(): Promise<Check[]> {
  extraAudited = 0;
  const dataDir = scratchDir('soak-data');
  const service = await spawnService('soak-sqlite', { DATA_DIR: dataDir });
  let checks: Check[] = [];
  try {
    const { value: traffic, samples } = await sampled([service], drive(service.url, service.url, undefined));
    checks = [...trafficChecks(traffic), memoryCheck(service.name, samples[0] ?? { rss: [], heap: [] })];
    checks.push(await stopChecked(service));
    const db = new SQLite(path.join(dataDir, SQLITE_FILE), { readonly: true });
    try {
      const countOf = (table: string): number =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      checks.push(...recordChecks(traffic, countOf('invocations'), countOf('feedback')));
    } finally {
      db.close();
    }
  } finally {
    await service.stop();
  }
  return checks;
}

async function authorizedPost(
  url: string,
  pathname: string,
  body: string,
  token: string | undefined,
): Promise<number> {
  const res = await fetch(url + pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  await res.arrayBuffer();
  if (res.status === 200) extraAudited++;
  return res.status;
}

async function jtiAcrossInstances(
  a: Child,
  b: Child,
  publicBaseUrl: string,
  ehr: BenchEhr | undefined,
): Promise<Check> {
  const name = 'jti replay caught across instances';
  if (!ehr)
    return {
      name,
      ok: undefined,
      detail: 'not possible yet: the service does not enable EHR JWT auth from TRUSTED_CLIENTS_FILE',
    };
  const pathname = '/cds-services/patient-view-advice';
  const token = await ehr.token(publicBaseUrl + pathname);
  const body = hookPayload('patient-view');
  const first = await authorizedPost(a.url, pathname, body, token);
  const replay = await authorizedPost(b.url, pathname, body, token);
  return {
    name,
    ok: first === 200 && replay === 401,
    detail: `same token: instance A answered ${first}, instance B answered ${replay} (want 200 then 401)`,
  };
}

async function modelRuns(instance: Child, status: string): Promise<number> {
  const res = await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${AUDIT_TOKEN}` } });
  if (!res.ok) return Number.NaN;
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    if (
      line.startsWith('cds_advisor_runs_total{') &&
      line.includes('advisor="model"') &&
      line.includes(`status="${status}"`)
    ) {
      total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

async function killSwitchAcrossInstances(
  a: Child,
  b: Child,
  publicBaseUrl: string,
  ehr: BenchEhr | undefined,
): Promise<Check> {
  const name = 'AI kill switch seen by both instances';
  if (!a.log().includes('"model advisor on"'))
    return {
      name,
      ok: undefined,
      detail: 'not possible yet: the model advisor is not wired into the service',
    };
  const serviceId = 'order-sign-advice';
  const setSwitch = (enabled: boolean): Promise<Response> =>
    fetch(`${a.url}/admin/services/${serviceId}/ai`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${AUDIT_TOKEN}` },
      body: JSON.stringify({ enabled }),
    });
  const off = await setSwitch(false);
  await off.arrayBuffer();
  if (off.status === 404)
    return { name, ok: undefined, detail: 'not possible yet: PUT /admin/services/{id}/ai answers 404' };
  if (!off.ok)
    return {
      name,
      ok: false,
      detail: `PUT /admin/services/${serviceId}/ai on instance A answered ${off.status}`,
    };
  try {
    // The switch is cached for about a second on each instance.
    await sleep(2500);
    const seen: string[] = [];
    let allDisabled = true;
    for (const instance of [a, b]) {
      const before = await modelRuns(instance, 'disabled');
      const pathname = `/cds-services/${serviceId}`;
      const status = await authorizedPost(
        instance.url,
        pathname,
        hookPayload('order-sign'),
        await ehr?.token(publicBaseUrl + pathname),
      );
      const after = await modelRuns(instance, 'disabled');
      allDisabled &&= status === 200 && after === before + 1;
      seen.push(`${instance.name}: hook ${status}, model runs "disabled" ${before} → ${after}`);
    }
    return { name, ok: allDisabled, detail: `switched off through instance A; ${seen.join('; ')}` };
  } finally {
    await (await setSwitch(true)).arrayBuffer();
  }
}

async function scaleOut(): Promise<Check[]> {
  extraAudited = 0;
  let databaseUrl: string;
  try {
    databaseUrl = await freshDatabase(PG_DATABASE);
  } catch (error) {
    return [
      {
        name: 'scale-out',
        ok: undefined,
        detail: `PostgreSQL not reachable: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
  }
  const dir = scratchDir('soak-scale');
  const ehr = await createBenchEhr();
  let proxy: Proxy | undefined;
  let azure: Child | undefined;
  const instances: Child[] = [];
  const checks: Check[] = [];
  try {
    proxy = await startProxy();
    azure = await spawnAzure(50);
    const env = {
      DATABASE_URL: databaseUrl,
      PUBLIC_BASE_URL: proxy.url,
      TRUSTED_CLIENTS_FILE: ehr.writeTrustedClients(dir),
      ...azureEnv(azure, 2000),
    };
    // Both at once, as an orchestrator would start them: migrations must cope with a concurrent start.
    instances.push(
      ...(await Promise.all([spawnService('instance-A', env), spawnService('instance-B', env)])),
    );
    const [a, b] = instances as [Child, Child];
    const authenticated = a.log().includes('"ehr authentication enabled"');
    proxy.setTargets([a.url, b.url]);
    const { value: traffic, samples } = await sampled(
      instances,
      drive(proxy.url, proxy.url, authenticated ? ehr : undefined),
    );
    checks.push(...trafficChecks(traffic));
    checks.push({
      name: 'round robin',
      ok: proxy.failed === 0 && Math.abs((proxy.forwarded[0] ?? 0) - (proxy.forwarded[1] ?? 0)) <= 1,
      detail: `forwarded A ${proxy.forwarded[0] ?? 0}, B ${proxy.forwarded[1] ?? 0}, failed at the proxy ${proxy.failed}`,
    });
    instances.forEach((instance, i) =>
      checks.push(memoryCheck(instance.name, samples[i] ?? { rss: [], heap: [] })),
    );
    checks.push(await jtiAcrossInstances(a, b, proxy.url, authenticated ? ehr : undefined));
    checks.push(await killSwitchAcrossInstances(a, b, proxy.url, authenticated ? ehr : undefined));
    for (const instance of instances) checks.push(await stopChecked(instance));
    const [{ n: invocations } = { n: 0 }] = await query<{ n: number }>(
      databaseUrl,
      'SELECT count(*)::int AS n FROM invocations',
    );
    const [{ n: feedback } = { n: 0 }] = await query<{ n: number }>(
      databaseUrl,
      'SELECT count(*)::int AS n FROM feedback',
    );
    checks.push(...recordChecks(traffic, invocations, feedback));
  } finally {
    await stopAll([...instances, azure]);
    await proxy?.close();
    await dropDatabase(PG_DATABASE).catch(() => undefined);
  }
  return checks;
}

function report(title: string, checks: readonly Check[]): string {
  const lines = [`## ${title}`, ''];
  for (const c of checks)
    lines.push(`- ${c.ok === undefined ? 'n/a ' : c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  prepareBuild(log);
  const sections: string[] = [];
  let failed = false;
  if (MODE === 'single' || MODE === 'all') {
    const checks = await single();
    failed ||= checks.some((c) => c.ok === false);
    sections.push(report(`One instance, SQLite — ${RATE} req/s for ${SECONDS} s`, checks));
  }
  if (MODE === 'scale' || MODE === 'all') {
    const checks = await scaleOut();
    failed ||= checks.some((c) => c.ok === false);
    sections.push(
      report(`Two instances, one PostgreSQL, round-robin proxy — ${RATE} req/s for ${SECONDS} s`, checks),
    );
  }
  const [load1] = os.loadavg();
  sections.push(
    `Load average at the end: ${(load1 ?? 0).toFixed(2)} on ${os.cpus().length} cores (the soak itself adds about 1).`,
  );
  const verdict = `soak ${failed ? 'FAILED' : 'passed'}`;
  process.stdout.write(`\n${sections.join('\n\n')}\n\n${verdict}\n`);
  await writeMarkdown(
    path.join(ROOT, 'bench', 'SOAK.md'),
    [
      '# Soak',
      '',
      `Latest \`npm run soak\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, SOAK_SECONDS=${SECONDS}, SOAK_RATE=${RATE}, mix: the three hooks and feedback in turn): ${verdict}.`,
      '',
      ...sections.flatMap((section) => [section, '']),
    ].join('\n'),
  );
  process.exitCode = failed ? 1 : 0;
  if (!failed) removeScratch();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
