/**
 * AUDIT_BEFORE_ANSWER under `kill -9`: the service runs as its own process under a steady stream of hook
 * calls and is killed the moment the 200th answer arrives, with more calls in flight. Every call that was
 * answered must have its audit row, on SQLite and on the real PostgreSQL. (Without the setting, the calls answered
 * in the last few tens of milliseconds before the kill have theirs only in the lost in-memory queue.)
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { SqlStore } from '../../src/store/sqlStore.js';
import { requestFixture } from '../helpers/fixtures.js';
import { type ServiceProcess, listeningUrl, spawnService } from '../helpers/serviceProcess.js';
import { DIALECTS, dropLocation, type Location, newLocation, openAt, PG_URL } from './store/helpers.js';

const ANSWERS_BEFORE_KILL = 200;
const CONNECTIONS = 8;
const body = requestFixture('order-sign.full-prefetch');

/** The service's DATABASE_URL for a location: its own schema, through the connection's search_path. */
async function databaseUrlOf(location: Location): Promise<string | undefined> {
  if (!location.pgSchema) return undefined;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`create schema "${location.pgSchema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${location.pgSchema}`);
  return url.toString();
}

async function post(url: string, hookInstance: string): Promise<number> {
  const res = await fetch(`${url}/cds-services/order-sign-advice`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, hookInstance }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * A few calls, then a wait until their rows are written: the store's writer thread starts on the first write (from
 * the sources, through tsx, seconds on a busy machine), and a cold start is not what this test is about.
 */
async function warmUp(url: string): Promise<void> {
  for (let i = 0; i < 5; i += 1) await post(url, randomUUID());
  const endsAt = Date.now() + 30_000;
  while (Date.now() < endsAt) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const written = Number(/^cds_audit_records_written_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    if (written >= 5) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the warm-up calls were not written within 30 s');
}

/**
 * Calls order-sign on `connections` loops until `count` calls are answered 200, then kills the process with
 * SIGKILL at once, from the callback of that answer. Returns the hookInstances of the answered calls.
 */
async function answeredUntilKilled(service: ServiceProcess, url: string, count: number): Promise<string[]> {
  const answered: string[] = [];
  let killed = false;
  const loop = async (): Promise<void> => {
    while (!killed) {
      const hookInstance = randomUUID();
      try {
        const status = await post(url, hookInstance);
        if (status !== 200 || killed) continue;
        answered.push(hookInstance);
        if (answered.length >= count) {
          killed = true;
          service.child.kill('SIGKILL');
        }
      } catch {
        // The calls in flight at the kill fail: they were never answered.
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return answered;
}

describe.each(DIALECTS)('kill -9 with AUDIT_BEFORE_ANSWER=true on %s', (dialect) => {
  let location: Location | undefined;
  let store: SqlStore | undefined;
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await store?.close();
    if (location) await dropLocation(location);
  });

  it('leaves no answered call without its audit row', async () => {
    location = newLocation(dialect);
    const databaseUrl = await databaseUrlOf(location);
    service = spawnService({
      PORT: '0',
      DATA_DIR: location.dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      AUDIT_BEFORE_ANSWER: 'true',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    const url = await listeningUrl(service);
    await warmUp(url);

    const answered = await answeredUntilKilled(service, url, ANSWERS_BEFORE_KILL);
    expect(await service.exited).toBe('SIGKILL');

    store = await openAt(location);
    const stored = new Set(
      (await store.read.listInvocations({ limit: 1000 })).items.map((invocation) => invocation.hookInstance),
    );
    const missing = answered.filter((hookInstance) => !stored.has(hookInstance));
    expect(answered.length).toBeGreaterThanOrEqual(ANSWERS_BEFORE_KILL);
    expect(missing).toEqual([]);
    expect((await store.verifyChain()).ok).toBe(true);
  }, 90_000);
});
