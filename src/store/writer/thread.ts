/**
 * The store's writer thread: appends audit records (hash-chained, with their cards) and JWT ids on its own
 * connection, so that building rows, hashing the chain and SQLite's synchronous inserts never hold up the hooks on
 * the main event loop. One request at a time, in arrival order: the chain stays linear.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { createLogger } from '../../logger.js';
import { errorMessage } from '../auditQueue.js';
import { writeInvocations } from '../auditWriter.js';
import { connect } from '../connect.js';
import { insertJtiBatch } from '../jtiBatcher.js';
import type { WriterReply, WriterRequest, WriterThreadOptions } from './protocol.js';

const options = workerData as WriterThreadOptions;
const port = parentPort;
if (!port) throw new Error('the store writer must run as a worker thread');

const connection = connect({
  dataDir: options.dataDir,
  databaseUrl: options.databaseUrl,
  logger: createLogger(options.logLevel, options.logSilent),
  ...(options.pgSchema !== undefined ? { pgSchema: options.pgSchema } : {}),
  ...(options.pgTimeoutMs !== undefined ? { pgTimeoutMs: options.pgTimeoutMs } : {}),
  // A small pool: the thread runs one request at a time.
  pgPoolSize: 2,
});

/**
 * Records per transaction: 50 invocations with their cards hold SQLite's write lock ~5 ms, as long as feedback
 * written meanwhile on the main connection can have to wait. A request carries up to the queue's batch (500), so a
 * backlog drains in few round trips to a busy main thread.
 */
const RECORDS_PER_TRANSACTION = 50;

async function writeInParts(request: Extract<WriterRequest, { op: 'invocations' }>): Promise<WriterReply> {
  let written = 0;
  try {
    for (let start = 0; start < request.records.length; start += RECORDS_PER_TRANSACTION) {
      const part = request.records.slice(start, start + RECORDS_PER_TRANSACTION);
      await writeInvocations(connection.db, part);
      written += part.length;
    }
    return { id: request.id, ok: true };
  } catch (error) {
    return { id: request.id, ok: false, message: errorMessage(error), written };
  }
}

async function handle(request: WriterRequest): Promise<WriterReply> {
  switch (request.op) {
    case 'invocations':
      return writeInParts(request);
    case 'jti':
      return { id: request.id, ok: true, fresh: await insertJtiBatch(connection.db, request.entries) };
    case 'ping':
      await sql`select 1`.execute(connection.db);
      return { id: request.id, ok: true };
    case 'close':
      await connection.db.destroy();
      return { id: request.id, ok: true };
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    let reply: WriterReply;
    try {
      reply = await handle(request);
    } catch (error) {
      reply = { id: request.id, ok: false, message: errorMessage(error) };
    }
    port.postMessage(reply);
    if (request.op === 'close') port.close();
  });
});
