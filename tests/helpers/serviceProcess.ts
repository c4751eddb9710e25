/**
 * The service as its own process (`src/index.ts` with tsx's loader, as `npm run dev` runs it), for what only a real
 * process shows: its exit code and message at start, and what survives a `kill -9`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Starts the service with exactly this environment on top of PATH/HOME (nothing else inherited). */
export function spawnService(env: Readonly<Record<string, string>>): ServiceProcess {
  // One process, node itself with tsx's loader: the tsx command would run the service as its child, and a signal
  // sent to it (kill -9) would not reach the service.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'index.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => text, exited };
}

/** Waits for the `listening` log line and returns the URL the service listens on. */
export async function listeningUrl(service: ServiceProcess, timeoutMs = 20_000): Promise<string> {
  const endsAt = Date.now() + timeoutMs;
  for (;;) {
    const line = service
      .output()
      .split('\n')
      .find((l) => l.includes('"message":"listening"'));
    if (line) {
      const { host, port } = JSON.parse(line) as { host: string; port: number };
      return `http://${host}:${port}`;
    }
    if (service.child.exitCode !== null || Date.now() > endsAt) {
      throw new Error(`the service did not start:\n${service.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
