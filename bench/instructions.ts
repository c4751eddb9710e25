/**
 * `npm run bench:instructions`: instructions per hook call, counted by valgrind's callgrind: a speed measure that
 * does not move with whatever else this 2-core machine is doing, unlike `npm run bench`'s wall-clock figures
 * (±15–20 % from one minute to the next). For before/after comparisons of changes that should not change speed.
 *
 * It builds nothing: run `npm run build` first (in every checkout given with `--root`). Each service runs as
 * `npm start` runs it (dist/src/index.js, its heap flags), rules only (no model configured), SQLite in a temporary
 * folder, under `valgrind --tool=callgrind`; the requests come from this process, which is not under valgrind.
 * Per service process: W warm-up calls of every hook (round robin), an idle window, then per hook: settle,
 * `callgrind_control --zero`, N calls one after another on one connection, settle, `callgrind_control --dump`, and
 * the dump's total Ir over N. R such processes per checkout, the checkouts taken in turn (interleaved).
 *
 * Each window's instructions are split (by function name, bench/lib/callgrind.ts) into V8 compiling and
 * deoptimizing, V8 collecting garbage, and the rest: the work. The service's JIT does not settle (functions are
 * deoptimized and re-optimized every few hundred calls, see docs/performance.md), and whether a wave of
 * re-optimization or a mark-compact falls into a window is chance: the total moved by 3–36 % between processes of
 * one build, the work by 2–7 %. Compare the work (medians too), and read the other two for what they are.
 *
 * Args: --root DIR (repeatable; a checkout whose dist/ to run, `label=DIR` to name it; default this checkout),
 * --json FILE (write the figures), --dumps DIR (keep the callgrind dumps there, for callgrind_annotate),
 * --reanalyze FILE (no new run: the figures again from a --json file of a run whose dumps were kept).
 * Env: BENCH_INSTR_WARMUP (calls per hook before measuring, default 200), BENCH_INSTR_CALLS (measured calls per
 * hook, default 100), BENCH_INSTR_REPEATS (service processes per checkout, default 3), BENCH_INSTR_HOOKS
 * (e.g. order-sign,patient-view; default all three), BENCH_INSTR_NODE_FLAGS (more node flags, e.g. --max-opt=1).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Parts,
  callgrindControl,
  dump,
  dumpHasMarkCompact,
  dumpParts,
  dumpTotal,
} from './lib/callgrind.js';
import { load } from './lib/load.js';
import {
  type Child,
  ROOT,
  removeScratch,
  scratchDir,
  serviceEnv,
  spawnChild,
  startNodeFlags,
} from './lib/processes.js';
import { type BenchHook, HOOKS, SERVICE_OF, hookPayload } from './payload.js';

const WARMUP = Number(process.env.BENCH_INSTR_WARMUP ?? 200);
const CALLS = Number(process.env.BENCH_INSTR_CALLS ?? 100);
const REPEATS = Number(process.env.BENCH_INSTR_REPEATS ?? 3);
const SELECTED: readonly BenchHook[] = process.env.BENCH_INSTR_HOOKS
  ? process.env.BENCH_INSTR_HOOKS.split(',').map((h) => {
      if (!HOOKS.includes(h as BenchHook)) throw new Error(`BENCH_INSTR_HOOKS: unknown hook ${h}`);
      return h as BenchHook;
    })
  : HOOKS;

/**
 * Before zeroing and before dumping, wait this long with no calls, so the audit queue (50 ms flush timer) has
 * handed every record of the window to the writer thread and the thread has written it: each window holds the
 * audit work of its own N calls, no more, no less. The idle cost of this wait is measured and reported.
 */
const SETTLE_MS = 1500;
/** The idle window: what the process spends per second doing nothing (timers), to size the settle's share. */
const IDLE_MS = 3000;
/** A service under callgrind starts in ~1–2 min on this machine; a call takes ~0.1–1 s once warm. */
const STARTUP_TIMEOUT_MS = 600_000;
const CALL_TIMEOUT_S = 300;

/**
 * valgrind: `--smc-check=all-non-file` because V8 writes and rewrites machine code in anonymous memory.
 * node: `--single-threaded` keeps V8's compiler and garbage collector on the main thread (no helper threads whose
 * share of the work depends on scheduling), and fixed hash and random seeds make hash tables lay out alike.
 */
const VALGRIND_FLAGS = [
  '--tool=callgrind',
  '--smc-check=all-non-file',
  '--vgdb=yes',
  // Start and warm up uninstrumented (several times faster); `callgrind_control --instr=on` before measuring.
  '--instr-atstart=no',
] as const;
const NODE_FLAGS = [
  '--single-threaded',
  '--hash-seed=1',
  '--random-seed=1',
  // More node flags, e.g. `--max-opt=1` (no optimizing compiler: a steadier count, but not what runs in production).
  ...(process.env.BENCH_INSTR_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
];

function log(message: string): void {
  process.stderr.write(`[instructions ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Target {
  readonly label: string;
  readonly root: string;
}

function targetsFrom(roots: readonly string[]): Target[] {
  const given = roots.length > 0 ? roots : [ROOT];
  return given.map((spec) => {
    const eq = spec.indexOf('=');
    const root = path.resolve(eq > 0 ? spec.slice(eq + 1) : spec);
    const label = eq > 0 ? spec.slice(0, eq) : path.basename(root);
    if (!existsSync(path.join(root, 'dist', 'src', 'index.js'))) {
      throw new Error(`${root}: no dist/src/index.js; run \`npm run build\` there first`);
    }
    return { label, root };
  });
}

const hookPath = (hook: BenchHook): string => `/cds-services/${SERVICE_OF[hook]}`;

/** `count` calls of one hook, one after another on one keep-alive connection; every answer must be 200. */
async function calls(service: Child, hook: BenchHook, body: string, count: number): Promise<number> {
  const started = performance.now();
  const result = await load({
    url: service.url,
    path: hookPath(hook),
    body,
    connections: 1,
    amount: count,
    seconds: 24 * 3600,
    timeoutSeconds: CALL_TIMEOUT_S,
    includeFirstRequests: true,
  });
  if (result.ok !== count || result.requests !== count) {
    throw new Error(
      `${hook}: ${result.ok} of ${count} calls answered 200 (${JSON.stringify(result.statusCounts)}, ${result.errors} errors, ${result.timeouts} timeouts)`,
    );
  }
  return performance.now() - started;
}

interface Window {
  readonly hook: BenchHook;
  readonly instructionsPerCall: number;
  readonly totalInstructions: number;
  /** The window's instructions per call, split (compile + gc + work = instructionsPerCall). */
  readonly perCall: Parts;
  /** Whether a mark-compact ran in the window (they come every few hundred calls, and waves of re-optimization after them). */
  readonly markCompact: boolean;
  /** Wall time of the window (calls and settles) under valgrind, in ms. */
  readonly wallMs: number;
  readonly dump: string;
}

interface ProcessRun {
  readonly target: string;
  readonly repeat: number;
  /** Instructions per second with no calls (timers: loop-lag sampler, metrics, settings cache). */
  readonly idlePerSecond: number;
  readonly cards: Readonly<Partial<Record<BenchHook, number>>>;
  readonly windows: readonly Window[];
}

async function measureProcess(
  target: Target,
  repeat: number,
  bodies: Readonly<Record<BenchHook, string>>,
  dumpDir: string,
): Promise<ProcessRun> {
  const dir = path.join(dumpDir, `${target.label}-${repeat}`);
  mkdirSync(dir, { recursive: true });
  log(`${target.label} #${repeat}: starting the service under callgrind`);
  const env = serviceEnv();
  const service = await spawnChild({
    name: `instr-${target.label}`,
    script: 'dist/src/index.js',
    cwd: target.root,
    env,
    wrapper: ['valgrind', ...VALGRIND_FLAGS, `--callgrind-out-file=${path.join(dir, 'callgrind.out.%p')}`],
    nodeFlags: [...startNodeFlags(target.root), ...NODE_FLAGS],
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  });
  try {
    const cards: Partial<Record<BenchHook, number>> = {};
    for (const hook of SELECTED) {
      const res = await fetch(service.url + hookPath(hook), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[hook],
        signal: AbortSignal.timeout(CALL_TIMEOUT_S * 1000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${hook}: ${res.status}: ${text.slice(0, 300)}`);
      cards[hook] = (JSON.parse(text) as { cards: unknown[] }).cards.length;
    }
    log(`${target.label} #${repeat}: warming up (${WARMUP} calls per hook)`);
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      for (const hook of SELECTED) {
        const count = Math.floor(WARMUP / rounds) + (round < WARMUP % rounds ? 1 : 0);
        if (count > 0) await calls(service, hook, bodies[hook], count);
      }
    }
    callgrindControl(service.pid, '--instr=on', env.HOST);
    await sleep(SETTLE_MS);
    callgrindControl(service.pid, '--zero', env.HOST);
    await sleep(IDLE_MS);
    const idle = dumpTotal(await dump(service.pid, env.HOST, dir, 'idle'));
    const idlePerSecond = idle / (IDLE_MS / 1000);
    const windows: Window[] = [];
    for (const hook of SELECTED) {
      await sleep(SETTLE_MS);
      const started = performance.now();
      callgrindControl(service.pid, '--zero', env.HOST);
      await calls(service, hook, bodies[hook], CALLS);
      await sleep(SETTLE_MS);
      const file = await dump(service.pid, env.HOST, dir, hook);
      const wallMs = performance.now() - started;
      const total = dumpTotal(file);
      const perCall = partsPerCall(file, CALLS);
      windows.push({
        hook,
        instructionsPerCall: total / CALLS,
        totalInstructions: total,
        perCall,
        markCompact: dumpHasMarkCompact(file),
        wallMs,
        dump: file,
      });
      log(
        `${target.label} #${repeat} ${hook}: ${millions(total / CALLS)} M instructions per call, ` +
          `work ${millions(perCall.work)}, compile ${millions(perCall.compile)}, gc ${millions(perCall.gc)} ` +
          `(window ${(wallMs / 1000).toFixed(1)} s, idle share ~${(((idlePerSecond * wallMs) / 1000 / total) * 100).toFixed(1)} %)`,
      );
    }
    return { target: target.label, repeat, idlePerSecond, cards, windows };
  } finally {
    await service.stop();
  }
}

function partsPerCall(file: string, calls: number): Parts {
  const parts = dumpParts(file);
  return { compile: parts.compile / calls, gc: parts.gc / calls, work: parts.work / calls };
}

const millions = (n: number): string => (n / 1e6).toFixed(3);

interface Stats {
  readonly runs: readonly number[];
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
  /** (max − min) / mean, in %. */
  readonly spreadPct: number;
  /** Mean against the first target's, in %. */
  readonly vsFirstPct?: number;
  /** Median against the first target's, in %: one window caught in a wave of re-optimization moves it less. */
  readonly vsFirstMedianPct?: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function stats(values: readonly number[], first: Stats | undefined): Stats {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mid = median(values);
  return {
    runs: values,
    mean,
    min,
    max,
    median: mid,
    spreadPct: ((max - min) / mean) * 100,
    ...(first && {
      vsFirstPct: ((mean - first.mean) / first.mean) * 100,
      vsFirstMedianPct: ((mid - first.median) / first.median) * 100,
    }),
  };
}

interface Summary {
  readonly target: string;
  readonly hook: BenchHook;
  readonly cards: number | undefined;
  /** All instructions per call. */
  readonly total: Stats;
  /** Per call, less V8 compiling and collecting garbage. */
  readonly work: Stats;
  readonly compile: Stats;
  readonly gc: Stats;
  /** Windows with a mark-compact, of all. */
  readonly markCompacts: string;
}

function summarize(
  targets: readonly Target[],
  runs: readonly ProcessRun[],
  hooks: readonly BenchHook[],
): Summary[] {
  const out: Summary[] = [];
  for (const hook of hooks) {
    let first: Summary | undefined;
    for (const target of targets) {
      const mine = runs.filter((r) => r.target === target.label);
      const windows = mine.flatMap((r) => r.windows.filter((w) => w.hook === hook));
      if (windows.length === 0) continue;
      const summary: Summary = {
        target: target.label,
        hook,
        cards: mine[0]?.cards[hook],
        total: stats(
          windows.map((w) => w.instructionsPerCall),
          first?.total,
        ),
        work: stats(
          windows.map((w) => w.perCall.work),
          first?.work,
        ),
        compile: stats(
          windows.map((w) => w.perCall.compile),
          first?.compile,
        ),
        gc: stats(
          windows.map((w) => w.perCall.gc),
          first?.gc,
        ),
        markCompacts: `${windows.filter((w) => w.markCompact).length}/${windows.length}`,
      };
      first ??= summary;
      out.push(summary);
    }
  }
  return out;
}

const signed = (pct: number | undefined): string =>
  pct === undefined ? '' : `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;

const vsFirst = (s: Stats): string =>
  s.vsFirstPct === undefined ? '' : `${signed(s.vsFirstPct)} (${signed(s.vsFirstMedianPct)})`;

function table(summaries: readonly Summary[], runs: readonly ProcessRun[], setup: string): string {
  const lines = [
    '| hook | checkout | cards | work, M instr/call (min–max) | spread | vs first: mean (median) | total (min–max) | spread | vs first: mean (median) | compile | gc | mark-compacts |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const range = (s: Stats): string => `${millions(s.mean)} (${millions(s.min)}–${millions(s.max)})`;
  for (const s of summaries) {
    lines.push(
      `| ${s.hook} | ${s.target} | ${s.cards ?? ''} | ${range(s.work)} | ${s.work.spreadPct.toFixed(1)} % | ${vsFirst(s.work)} | ${range(s.total)} | ${s.total.spreadPct.toFixed(1)} % | ${vsFirst(s.total)} | ${millions(s.compile.mean)} | ${millions(s.gc.mean)} | ${s.markCompacts} |`,
    );
  }
  const idle = runs.map((r) => r.idlePerSecond);
  lines.push(
    '',
    `${runs.length} service processes; ${setup}; ` +
      `idle ${millions(Math.min(...idle))}–${millions(Math.max(...idle))} M instructions per second (timers).`,
  );
  return lines.join('\n');
}

interface Report {
  readonly date: string;
  readonly warmup: number;
  readonly calls: number;
  readonly repeats: number;
  readonly hooks: readonly BenchHook[];
  readonly settleMs: number;
  readonly valgrind: readonly string[];
  readonly node: readonly string[];
  readonly targets: readonly Target[];
  readonly summaries: readonly Summary[];
  readonly runs: readonly ProcessRun[];
}

const setupOf = (r: Pick<Report, 'warmup' | 'calls'>): string =>
  `${r.warmup} warm-up and ${r.calls} measured calls per hook each`;

/** The figures again from an earlier run's JSON, its windows' parts recomputed from the kept dumps. */
function reanalyze(file: string): Report {
  const old = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const runs = old.runs.map((run) => ({
    ...run,
    windows: run.windows.map((w) => ({
      ...w,
      perCall: partsPerCall(w.dump, old.calls),
      markCompact: dumpHasMarkCompact(w.dump),
    })),
  }));
  return { ...old, runs, summaries: summarize(old.targets, runs, old.hooks ?? HOOKS) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', multiple: true },
      json: { type: 'string' },
      dumps: { type: 'string' },
      reanalyze: { type: 'string' },
    },
  });
  let report: Report;
  if (values.reanalyze) {
    report = reanalyze(values.reanalyze);
  } else {
    const targets = targetsFrom(values.root ?? []);
    const keepDumps = values.dumps !== undefined;
    const dumpDir = keepDumps ? path.resolve(values.dumps as string) : scratchDir('callgrind');
    mkdirSync(dumpDir, { recursive: true });
    // One set of bodies for every process and checkout: both sides of a comparison get identical requests.
    const bodies = Object.fromEntries(HOOKS.map((hook) => [hook, hookPayload(hook)])) as Record<
      BenchHook,
      string
    >;
    const runs: ProcessRun[] = [];
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      for (const target of targets) runs.push(await measureProcess(target, repeat, bodies, dumpDir));
    }
    report = {
      date: new Date().toISOString(),
      warmup: WARMUP,
      calls: CALLS,
      repeats: REPEATS,
      hooks: SELECTED,
      settleMs: SETTLE_MS,
      valgrind: [...VALGRIND_FLAGS],
      node: [...NODE_FLAGS],
      targets,
      summaries: summarize(targets, runs, SELECTED),
      runs,
    };
    if (keepDumps) log(`callgrind dumps kept in ${dumpDir}`);
    removeScratch();
  }
  process.stdout.write(`${table(report.summaries, report.runs, setupOf(report))}\n`);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`figures written to ${values.json}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
