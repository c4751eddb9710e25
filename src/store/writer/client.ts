/**
 * The main thread's handle on the store's writer thread (./thread.ts). Audit batches and JWT-id batches are posted
 * to it and answered when committed. If the thread dies, what it was writing fails (the audit queue retries, the
 * jti check fails closed) and the next write starts a new thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.js';
import { PartialBatchError } from '../auditQueue.js';
import type { InvocationRecord } from '../types.js';
import type { JtiEntry, WriterPayload, WriterReply, WriterRequest, WriterThreadOptions } from './protocol.js';

interface Waiting {
  readonly resolve: (reply: WriterReply & { ok: true }) => void;
  readonly reject: (error: Error) => void;
}

const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The thread holds one batch at a time (500 records at most, ~3 MB): a small heap of its own keeps the process's
 * memory near what the main thread alone needs.
 */
const THREAD_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 };

/**
 * The built thread (dist/…/thread.js) runs as is. Run from the TypeScript sources (tests, `npm run dev`), the thread
 * first registers tsx in itself: loader hooks are per thread, and a worker's execArgv cannot carry `--import`.
 */
function spawnThread(options: WriterThreadOptions): Worker {
  const built = new URL('./thread.js', import.meta.url);
  if (existsSync(fileURLToPath(built)))
    return new Worker(built, { workerData: options, resourceLimits: THREAD_HEAP });
  const source = new URL('./thread.ts', import.meta.url).href;
  // tsx's ESM entry (its CommonJS one cannot register ESM hooks), found from its package.json: a bare specifier in
  // an eval'd worker would resolve from the working directory.
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: options, resourceLimits: THREAD_HEAP });
}

export class StoreWriter {
  private thread: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly options: WriterThreadOptions,
    private readonly logger: Logger,
  ) {}

  async writeInvocations(records: readonly InvocationRecord[]): Promise<void> {
    await this.request({ op: 'invocations', records });
  }

  async rememberJti(entries: readonly JtiEntry[]): Promise<readonly boolean[]> {
    const reply = await this.request({ op: 'jti', entries });
    return reply.fresh ?? entries.map(() => false);
  }

  /** Whether the thread answers and reaches the database (starting a thread when there is none). */
  async ping(): Promise<boolean> {
    try {
      await this.request({ op: 'ping' });
      return true;
    } catch {
      return false;
    }
  }

  /** Lets the thread finish what it was given, close its connection and exit. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (!thread) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    const timer = setTimeout(() => void thread.terminate(), CLOSE_TIMEOUT_MS);
    try {
      await this.send(thread, { op: 'close' }).catch(() => undefined);
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private request(payload: WriterPayload): Promise<WriterReply & { ok: true }> {
    if (this.closed) return Promise.reject(new Error('store writer closed'));
    return this.send(this.thread ?? this.start(), payload);
  }

  private send(thread: Worker, payload: WriterPayload): Promise<WriterReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Held open while a write is in flight, like any pending I/O; idle, it never keeps the process alive.
      thread.ref();
      const request: WriterRequest = { id, ...payload };
      thread.postMessage(request);
    });
  }

  private start(): Worker {
    const thread = spawnThread(this.options);
    thread.on('message', (reply: WriterReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) thread.unref();
      if (reply.ok) waiting.resolve(reply);
      else if (reply.written) waiting.reject(new PartialBatchError(reply.message, reply.written));
      else waiting.reject(new Error(reply.message));
    });
    thread.on('error', (error) => {
      this.logger.error('store writer thread failed', { error: error.message });
    });
    thread.on('exit', (code) => {
      if (this.thread === thread) this.thread = undefined;
      const lost = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of lost) w.reject(new Error(`store writer thread exited (code ${code})`));
      if (!this.closed)
        this.logger.warn('store writer thread exited: the next write starts a new one', { code });
    });
    this.thread = thread;
    return thread;
  }
}
