/**
 * The outage scenario through HTTP, on the real PostgreSQL behind a TCP proxy the test stops and starts:
 * hooks keep answering with cards, /readyz goes 503, feedback answers 503 so the EHR retries, nothing crashes,
 * and when the database returns the service recovers by itself with every audit record written.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { Advisor, AdvisorOutcome } from '../../src/advisors/types.js';
import { testConfig } from '../helpers/testConfig.js';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createMetrics } from '../../src/metrics.js';
import { buildDeps } from '../../src/server.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import { requestFixture } from '../helpers/fixtures.js';
import { dropLocation, type Location, newLocation, openAt, PG_URL, via } from '../int/store/helpers.js';
import { TcpProxy } from '../int/store/tcpProxy.js';

const HOOK = '/cds-services/order-sign-advice';

const oneCard: Advisor = {
  name: 'rules',
  advise: (): Promise<AdvisorOutcome> =>
    Promise.resolve({
      advisor: 'rules',
      status: 'ok',
      latencyMs: 0,
      findings: [
        {
          advisor: 'rules',
          ruleId: 'test:outage',
          key: 'test:outage',
          severity: 'info',
          summary: 'A card that must come back during an outage',
          detail: 'Test finding.',
          evidence: ['MedicationRequest/draft-ibuprofen'],
          source: { label: 'CDS Advisor test rules' },
        },
      ],
    }),
};

describe('PostgreSQL stopped mid-run', () => {
  const target = new URL(PG_URL);
  const proxy = new TcpProxy(Number(target.port || 5432), target.hostname);
  let location: Location;
  let store: SqlStore;
  let app: Express;

  beforeAll(async () => {
    await proxy.start();
    location = newLocation('postgres');
    const metrics = createMetrics();
    store = await openAt(
      via(location, proxy.url(PG_URL)),
      {},
      {
        pgTimeoutMs: 500,
        metricsRegistry: metrics.registry,
        audit: { minRetryDelayMs: 20, maxRetryDelayMs: 200, flushTimeoutMs: 20_000 },
      },
    );
    const deps = await buildDeps(testConfig({ databaseUrl: proxy.url(PG_URL) }), silentLogger(), {
      metrics,
      store,
      advisors: [oneCard],
    });
    app = createApp(deps);
  });

  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await store.close();
    await proxy.stop();
    await dropLocation(location);
  });

  it('answers hooks with cards, reports not ready, refuses feedback with 503, then recovers by itself', async () => {
    await request(app).get('/readyz').expect(200);
    await proxy.stop();

    const hookInstances = [randomUUID(), randomUUID(), randomUUID()];
    const hooks = await Promise.all(
      hookInstances.map((hookInstance) =>
        request(app)
          .post(HOOK)
          .send({ ...requestFixture('order-sign.full-prefetch'), hookInstance }),
      ),
    );
    expect(hooks.map((r) => r.status)).toEqual([200, 200, 200]);
    const cards = hooks.map((r) => (r.body as { cards: { uuid: string }[] }).cards);
    expect(cards.map((c) => c.length)).toEqual([1, 1, 1]);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    const cardUuid = cards[0]![0]!.uuid;
    const feedback = {
      feedback: [{ card: cardUuid, outcome: 'overridden', outcomeTimestamp: '2026-11-24T11:00:00Z' }],
    };
    const refused = await request(app).post(`${HOOK}/feedback`).send(feedback);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'service_unavailable' } });
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/cds_audit_queue_depth 3/);

    await proxy.start();
    await store.audit.flush();

    await request(app).get('/readyz').expect(200);
    await request(app).post(`${HOOK}/feedback`).send(feedback).expect(200);
    const written = await store.read.listInvocations({ serviceId: 'order-sign-advice', limit: 1000 });
    expect(written.items.map((i) => i.hookInstance)).toEqual(expect.arrayContaining(hookInstances));
    expect((await store.read.listFeedback({ cardUuid })).items[0]?.flag).toBeNull();
    expect((await store.verifyChain()).ok).toBe(true);
  });
});
