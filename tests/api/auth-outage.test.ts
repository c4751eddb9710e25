/**
 * The JWT replay check while the shared store is away: two instances on the real PostgreSQL behind a TCP proxy the
 * test stops, starts and hangs, each authenticating real ES384 tokens (keys inline in a real trusted clients
 * file). The store down or hanging, authenticated hooks still answer within ADVICE_BUDGET_MS, a replay to the same
 * instance is still refused, feedback is refused with 503 so the EHR retries, and once the store is back a replay
 * to the other instance is caught again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { testConfig } from '../helpers/testConfig.js';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createMetrics } from '../../src/metrics.js';
import { buildDeps } from '../../src/server.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import { type SigningKey, createSigningKey, signToken } from '../fakes/jwks-server.js';
import { requestFixture } from '../helpers/fixtures.js';
import { dropLocation, type Location, newLocation, openAt, PG_URL, via } from '../int/store/helpers.js';
import { TcpProxy } from '../int/store/tcpProxy.js';

const BASE = 'https://cds.example.org/advisor';
const ISS = 'https://ehr.example.org';
const HOOK = '/cds-services/order-sign-advice';
/**
 * order-sign also reads the override history from the store, bounded by the hook's own deadline: with the store
 * hanging it answers near the budget whatever the replay check does. order-select reads nothing from the store,
 * so its answer time is the replay check's.
 */
const NO_STORE_READ_HOOK = '/cds-services/order-select-advice';
const FEEDBACK = `${HOOK}/feedback`;
const BUDGET_MS = 1500;

interface Instance {
  readonly app: Express;
  readonly store: SqlStore;
}

const target = new URL(PG_URL);
const proxy = new TcpProxy(Number(target.port || 5432), target.hostname);
let location: Location;
let key: SigningKey;
let a: Instance;
let b: Instance;

async function instance(trustedClientsFile: string): Promise<Instance> {
  const metrics = createMetrics();
  const databaseUrl = proxy.url(PG_URL);
  const store = await openAt(
    via(location, databaseUrl),
    {},
    {
      metricsRegistry: metrics.registry,
      audit: { minRetryDelayMs: 20, maxRetryDelayMs: 200, flushTimeoutMs: 20_000 },
    },
  );
  const config = testConfig({
    databaseUrl,
    trustedClientsFile,
    publicBaseUrl: BASE,
    adviceBudgetMs: BUDGET_MS,
    rateLimitPerMinute: 0,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'cds-auth-outage-')),
  });
  const deps = await buildDeps(config, silentLogger(), { metrics, store });
  return { app: createApp(deps), store };
}

beforeAll(async () => {
  await proxy.start();
  location = newLocation('postgres');
  key = await createSigningKey('ES384');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cds-trusted-')), 'trusted-clients.json');
  writeFileSync(file, JSON.stringify([{ iss: ISS, jwks: { keys: [key.publicJwk] } }]));
  a = await instance(file);
  b = await instance(file);
});

afterAll(async () => {
  await proxy.stop();
  await proxy.start();
  await a.store.close();
  await b.store.close();
  await proxy.stop();
  await dropLocation(location);
});

const tokenFor = (pathname: string): Promise<string> =>
  signToken({ key, iss: ISS, aud: `${BASE}${pathname}`, claims: { jti: randomUUID() } });

/** An authenticated hook call (order-sign unless said otherwise): its status and how long the answer took. */
async function hook(on: Instance, token: string, pathname = HOOK): Promise<{ status: number; ms: number }> {
  const fixture = pathname === HOOK ? 'order-sign.full-prefetch' : 'order-select.full-prefetch';
  const started = performance.now();
  const res = await request(on.app)
    .post(pathname)
    .set('Authorization', `Bearer ${token}`)
    .send({ ...requestFixture(fixture), hookInstance: randomUUID() });
  return { status: res.status, ms: performance.now() - started };
}

async function degradedChecks(on: Instance): Promise<number> {
  const text = (await request(on.app).get('/metrics').expect(200)).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith('cds_jwt_replay_checks_degraded_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** A token used on A and then replayed to B, until B refuses it (the store is back in A's check), or the time is up. */
async function replayAcrossInstancesRefused(withinMs: number): Promise<boolean> {
  const endsAt = Date.now() + withinMs;
  while (Date.now() < endsAt) {
    const token = await tokenFor(HOOK);
    expect((await hook(a, token)).status).toBe(200);
    if ((await hook(b, token)).status === 401) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('the JWT replay check through a store outage', () => {
  it('with the store up, a token replayed to the other instance is refused', async () => {
    const token = await tokenFor(HOOK);

    expect((await hook(a, token)).status).toBe(200);
    expect((await hook(b, token)).status).toBe(401);
    expect(await degradedChecks(a)).toBe(0);
  });

  it('store down: authenticated hooks answer 200 within the budget, a replay to the same instance is refused, feedback 503', async () => {
    await proxy.stop();

    const tokens = await Promise.all([1, 2, 3, 4].map(() => tokenFor(HOOK)));
    const answers = await Promise.all(tokens.map((token) => hook(a, token)));
    const replay = await hook(a, tokens[0]!);
    const feedback = await request(a.app)
      .post(FEEDBACK)
      .set('Authorization', `Bearer ${await tokenFor(FEEDBACK)}`)
      .send({
        feedback: [{ card: randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-24T11:00:00Z' }],
      });

    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const { ms } of answers) expect(ms).toBeLessThan(BUDGET_MS);
    expect(replay.status).toBe(401);
    expect(feedback.status).toBe(503);
    expect(feedback.body).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(await degradedChecks(a)).toBeGreaterThanOrEqual(5);
  });

  it('store back: a replay to the other instance is caught again', async () => {
    await proxy.start();

    expect(await replayAcrossInstancesRefused(10_000)).toBe(true);
  });

  it('store hanging: authenticated hooks answer 200 within the budget, a replay to the same instance is refused', async () => {
    proxy.hang();

    const answers: { status: number; ms: number }[] = [];
    const tokens: string[] = [];
    // One after another: the first ones wait out the store's share of the budget, then it is left alone.
    for (let i = 0; i < 5; i += 1) {
      tokens.push(await tokenFor(NO_STORE_READ_HOOK));
      answers.push(await hook(a, tokens[i]!, NO_STORE_READ_HOOK));
    }
    const replay = await hook(a, tokens[0]!, NO_STORE_READ_HOOK);

    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const { ms } of answers) expect(ms).toBeLessThan(BUDGET_MS);
    expect(replay.status).toBe(401);

    await proxy.stop();
    await proxy.start();
    expect(await replayAcrossInstancesRefused(10_000)).toBe(true);
  });
});
