/**
 * Child processes for the benchmarks: the service (and its anchors and stand-ins) runs in its own process so the
 * load generator never shares its event loop. Every child listens on 127.0.0.1 port 0 and logs a JSON `listening`
 * line with its port; its output goes to a file (read back for that line), never through a pipe the bench would
 * have to drain. Every child is killed when the bench exits, also on error or Ctrl-C.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

const live = new Set<ChildProcess>();
let hooked = false;

function killAllSync(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

const scratch: string[] = [];

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cds-bench-${prefix}-`));
  scratch.push(dir);
  return dir;
}

/** Removes the temporary folders (logs, data) of a run that went well; a failed run keeps them for a look. */
export function removeScratch(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  /** Everything the child logged so far. */
  log(): string;
  /** Resident set size now, in KiB (VmRSS). */
  rssKb(): number;
  /** Peak resident set size since start or the last `resetPeak()`, in KiB (VmHWM). */
  peakRssKb(): number;
  /** CPU time used so far (user + system), in milliseconds. */
  cpuMs(): number;
  /** The same for the main thread alone (the event loop; its thread id is the process id). */
  mainThreadCpuMs(): number;
  /** Resets VmHWM (Linux `clear_refs` 5), so the next peak is this phase's own; false when not allowed. */
  resetPeak(): boolean;
  /** SIGTERM, then waits for a graceful exit (SIGKILL after a grace period). Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** How and when the child ended before `stop()` was called (someone else stopped or killed it), if it did. */
  endedEarly(): { code: number | null; signal: string | null; at: Date } | undefined;
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time of a process, or of one of its threads with `/proc/PID/task/TID/stat`. */
function cpuMs(pid: number, statFile = `/proc/${pid}/stat`): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface SpawnOptions {
  readonly name: string;
  /** Script path relative to the repository root (`.ts` runs through tsx, `.js` as is). */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** The log line that says the child is up; it must carry `"port":N`. */
  readonly readyMessage?: string;
  /** A program that runs node, with its arguments (e.g. valgrind); the child's pid is then that program's. */
  readonly wrapper?: readonly string[];
  /** The checkout the script is run from (default: this one). */
  readonly cwd?: string;
  /** How long to wait for `readyMessage` (a service under valgrind starts ~50× slower). */
  readonly startupTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function spawnChild(options: SpawnOptions): Promise<Child> {
  hookExit();
  const dir = scratchDir(options.name);
  const logFile = path.join(dir, 'out.log');
  const fd = openSync(logFile, 'w');
  const flags = [
    ...(options.nodeFlags ?? []),
    ...(options.script.endsWith('.ts') ? ['--import', 'tsx'] : []),
  ];
  const [command, ...commandArgs] = [
    ...(options.wrapper ?? []),
    process.execPath,
    ...flags,
    options.script,
    ...(options.args ?? []),
  ] as [string, ...string[]];
  const child = spawn(command, commandArgs, {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: 'production',
      ...options.env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  let stopping = false;
  let early: { code: number | null; signal: string | null; at: Date } | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) early = { code, signal, at: new Date() };
      resolve(code);
    }),
  );
  void exited.then(() => live.delete(child));
  const pid = child.pid ?? -1;
  const readLog = (): string => readFileSync(logFile, 'utf8');
  const ready = options.readyMessage ?? 'listening';
  const startupTimeoutMs = options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;

  const started = Date.now();
  let port = 0;
  while (port === 0) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${options.name} exited during start (${child.exitCode ?? child.signalCode}):\n${readLog().slice(-2000)}`,
      );
    }
    if (Date.now() - started > startupTimeoutMs) {
      child.kill('SIGKILL');
      throw new Error(
        `${options.name} did not log "${ready}" within ${startupTimeoutMs} ms:\n${readLog().slice(-2000)}`,
      );
    }
    for (const line of readLog().split('\n')) {
      if (!line.includes(`"${ready}"`)) continue;
      try {
        const parsed = JSON.parse(line) as { message?: string; port?: number };
        if (parsed.message === ready && typeof parsed.port === 'number') port = parsed.port;
      } catch {
        // not a JSON line
      }
    }
    if (port === 0) await sleep(50);
  }

  return {
    name: options.name,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    logFile,
    log: readLog,
    rssKb: () => statusField(pid, 'VmRSS'),
    peakRssKb: () => statusField(pid, 'VmHWM'),
    cpuMs: () => cpuMs(pid),
    mainThreadCpuMs: () => cpuMs(pid, `/proc/${pid}/task/${pid}/stat`),
    resetPeak: () => {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    endedEarly: () => early,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Stops every child given, ignoring the ones already gone; never throws. */
export async function stopAll(children: readonly (Child | undefined)[]): Promise<void> {
  await Promise.allSettled(children.filter((c): c is Child => c !== undefined).map((c) => c.stop()));
}

let built = false;

/**
 * Builds the service (`npm run build`) so it runs as `npm start` runs it, from dist/ — not through tsx, whose
 * loader adds a thread and memory. Skipped with BENCH_BUILD=0; when the build fails the service runs from its
 * sources and the run says so.
 */
export function prepareBuild(log: (message: string) => void): void {
  if (process.env.BENCH_BUILD === '0') return;
  log('building (npm run build)');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  built = result.status === 0;
  if (!built)
    log(
      `build failed; running the service from its sources through tsx:\n${(result.stdout + result.stderr).slice(-1500)}`,
    );
}

/** How the service runs: its build (`npm start`'s `dist/src/index.js`) when `prepareBuild` succeeded, else tsx. */
export function serviceScript(): string {
  return built ? 'dist/src/index.js' : 'src/index.ts';
}

/** Busy CPU time of the whole machine so far (all cores, user + system + irq + steal), in milliseconds. */
export function machineBusyMs(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export const AUDIT_TOKEN = 'bench-audit-token-0123456789abcdef';

/** The service's environment for a benchmark: loopback, no auth (no trusted clients), its own data dir. */
export function serviceEnv(overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: scratchDir('data'),
    LOG_LEVEL: 'info',
    AUDIT_TOKENS: AUDIT_TOKEN,
    // One load generator is one client: the per-client rate limit (1200/min) would turn the load into 429s.
    RATE_LIMIT_PER_MINUTE: '0',
    ...overrides,
  };
}

/** The node flags `npm start` runs the service with (its heap settings), read from a checkout's package.json. */
export function startNodeFlags(root = ROOT): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const argv = (pkg.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  return argv.slice(1).filter((arg) => arg.startsWith('--'));
}

/** The service as `npm start` runs it (same node flags), plus any extra flags (CPU profiles). */
export async function spawnService(
  name: string,
  env: Readonly<Record<string, string>> = {},
  nodeFlags: readonly string[] = [],
): Promise<Child> {
  return spawnChild({
    name,
    script: serviceScript(),
    env: serviceEnv(env),
    nodeFlags: [...startNodeFlags(), ...nodeFlags],
  });
}
