/**
 * Audit storage per hook call, measured: real hook calls through the HTTP app (every fixture scenario in turn,
 * on the service its expectations name, rules only) into the real store, SQLite and the local PostgreSQL; the
 * bytes the store grew by (SQLite: pages in use after a checkpoint; PostgreSQL: pg_total_relation_size of the
 * schema's tables, indexes and TOAST included), divided by the calls. Feedback is not counted (a few hundred
 * bytes per item, and only on the cards a clinician answers). Figures for docs/integration.md ("Audit storage").
 * Run: `npx tsx bench/audit-size.ts` (AUDIT_SIZE_CALLS, default 2000).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import request from 'supertest';
import { testConfig } from '../tests/helpers/testConfig.js';
import { createApp } from '../src/http/app.js';
import { silentLogger } from '../tests/helpers/silentLogger.js';
import { createMetrics } from '../src/metrics.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { buildDeps } from '../src/server.js';
import { SQLITE_FILE } from '../src/store/connect.js';
import type { SqlStore } from '../src/store/sqlStore.js';
import {
  type Dialect,
  type Location,
  PG_URL,
  dropLocation,
  newLocation,
  openAt,
} from '../tests/int/store/helpers.js';

const CALLS = Number(process.env.AUDIT_SIZE_CALLS ?? 2000);
const SCENARIOS = path.join(PROJECT_ROOT, 'tests/fixtures/scenarios');

interface Call {
  readonly serviceId: string;
  readonly body: Record<string, unknown>;
}

/** Every scenario on each service it names, request bodies as the EHR would send them. */
function calls(): Call[] {
  const out: Call[] = [];
  for (const file of readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()) {
    const name = file.replace('.expected.json', '');
    const expected = JSON.parse(readFileSync(path.join(SCENARIOS, file), 'utf8')) as { services: object };
    const body = JSON.parse(readFileSync(path.join(SCENARIOS, `${name}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    // A scenario's expectations may name a service of another hook (order-select scenarios fired at order-sign).
    for (const serviceId of Object.keys(expected.services))
      if (serviceId === `${String(body.hook)}-advice`) out.push({ serviceId, body });
  }
  return out;
}

async function bytesInUse(location: Location): Promise<number> {
  if (location.dialect === 'sqlite') {
    const db = new SQLite(path.join(location.dataDir, SQLITE_FILE));
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const pages = db.pragma('page_count', { simple: true }) as number;
      const free = db.pragma('freelist_count', { simple: true }) as number;
      return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.databaseUrl ?? PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      `select coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0) as bytes
         from pg_tables where schemaname = $1`,
      [location.pgSchema],
    );
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}

async function measure(dialect: Dialect, n: number): Promise<{ bytes: number; cards: number }> {
  const location = newLocation(dialect);
  let store: SqlStore | undefined;
  try {
    store = await openAt(location);
    const deps = await buildDeps(
      testConfig({ dataDir: location.dataDir, rateLimitPerMinute: 0 }),
      silentLogger(),
      {
        metrics: createMetrics(),
        store,
      },
    );
    const app = createApp(deps);
    const all = calls();
    let cards = 0;
    for (let i = 0; i < n; i++) {
      const call = all[i % all.length]!;
      const res = await request(app)
        .post(`/cds-services/${call.serviceId}`)
        .send({ ...call.body, hookInstance: crypto.randomUUID() });
      if (res.status !== 200) throw new Error(`${call.serviceId}: ${res.status} ${res.text.slice(0, 200)}`);
      cards += (res.body as { cards: unknown[] }).cards.length;
    }
    await store.audit.flush(300_000);
    await store.close();
    store = undefined;
    return { bytes: await bytesInUse(location), cards };
  } finally {
    await store?.close();
    if (dialect === 'postgres' || process.env.KEEP !== '1') await dropLocation(location);
  }
}

console.log(`| store | hook calls | cards per call | bytes per hook call (audit, indexes included) |`);
console.log('| --- | --: | --: | --: |');
for (const dialect of ['sqlite', 'postgres'] as const) {
  const empty = await measure(dialect, 0);
  const full = await measure(dialect, CALLS);
  const perCall = (full.bytes - empty.bytes) / CALLS;
  console.log(`| ${dialect} | ${CALLS} | ${(full.cards / CALLS).toFixed(2)} | ${Math.round(perCall)} |`);
}
