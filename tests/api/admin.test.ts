/**
 * The kill switch through HTTP on the real SQLite store: turned off by a token or by a dashboard session with its
 * CSRF token, durable (another store instance on the same DATA_DIR reads it), recorded with who and when, and
 * refused with precise errors otherwise; on PostgreSQL, a change through one instance is what another one sees.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { ServiceAiState } from '../../src/http/routes/admin.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import { testApp } from '../helpers/testApp.js';
import { dropLocation, type Location, newLocation, openAt } from '../int/store/helpers.js';

const TOKEN = 'admin-test-token-81d2e0-4b7f9a3c6e15';
const fingerprint = createHash('sha256').update(TOKEN).digest('hex').slice(0, 12);

describe('PUT /admin/services/{id}/ai', () => {
  let location: Location;
  let store: SqlStore;
  let app: Express;

  beforeAll(async () => {
    location = newLocation('sqlite');
    store = await openAt(location);
    ({ app } = await testApp({ auditTokens: [TOKEN] }, { store }));
  });

  afterAll(async () => {
    await store.close();
  });

  it('lists every service with model advice on and no change on record at first', async () => {
    const res = await request(app).get('/admin/services').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const { services } = res.body as { services: ServiceAiState[] };
    expect(services.map((s) => [s.id, s.ai])).toEqual([
      [
        'patient-view-advice',
        { modelConfigured: false, mode: 'on', enabled: true, changedAt: null, changedBy: null },
      ],
      [
        'order-select-advice',
        { modelConfigured: false, mode: 'on', enabled: true, changedAt: null, changedBy: null },
      ],
      [
        'order-sign-advice',
        { modelConfigured: false, mode: 'on', enabled: true, changedAt: null, changedBy: null },
      ],
    ]);
  });

  it('turns model advice off at once and durably, recording the token fingerprint and the time', async () => {
    const res = await request(app)
      .put('/admin/services/order-select-advice/ai')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ enabled: false })
      .expect(200);
    expect(res.body).toMatchObject({
      id: 'order-select-advice',
      hook: 'order-select',
      ai: { enabled: false, changedBy: `token:${fingerprint}` },
    });
    expect(Number.isNaN(Date.parse((res.body as ServiceAiState).ai.changedAt ?? ''))).toBe(false);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);

    // This instance at once; another instance on the same store reads the durable value.
    expect(await store.getAiMode('order-select-advice')).toBe('off');
    const other = await openAt(location, {}, { aiCacheTtlMs: 0 });
    try {
      expect(await other.getAiMode('order-select-advice')).toBe('off');
      expect(await other.getAiMode('order-sign-advice')).toBe('on');
    } finally {
      await other.close();
    }
    const list = await request(app)
      .get('/admin/services')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    const states = Object.fromEntries(
      (list.body as { services: ServiceAiState[] }).services.map((s) => [s.id, s.ai.enabled]),
    );
    expect(states).toEqual({
      'patient-view-advice': true,
      'order-select-advice': false,
      'order-sign-advice': true,
    });
  });

  it('accepts a dashboard session only with its CSRF token, and records the session as the actor', async () => {
    const agent = request.agent(app);
    const login = await agent.post('/audit/login').send({ token: TOKEN }).expect(200);
    const csrf = (login.body as { csrfToken: string }).csrfToken;

    const withoutCsrf = await agent.put('/admin/services/order-sign-advice/ai').send({ enabled: false });
    expect(withoutCsrf.status).toBe(403);
    expect(await store.getAiMode('order-sign-advice')).toBe('on');

    const res = await agent
      .put('/admin/services/order-sign-advice/ai')
      .set('X-CSRF-Token', csrf)
      .send({ enabled: false })
      .expect(200);
    expect((res.body as ServiceAiState).ai).toMatchObject({
      enabled: false,
      changedBy: expect.stringMatching(/^session:[0-9a-f]{12}$/),
    });
    await agent
      .put('/admin/services/order-sign-advice/ai')
      .set('X-CSRF-Token', csrf)
      .send({ enabled: true })
      .expect(200);
    expect(await store.getAiMode('order-sign-advice')).toBe('on');
  });

  it('refuses without a token, for an unknown service, and for a body that is not { enabled: boolean }', async () => {
    const anonymous = await request(app)
      .put('/admin/services/order-select-advice/ai')
      .send({ enabled: true });
    expect(anonymous.status).toBe(401);
    expect(await store.getAiMode('order-select-advice')).toBe('off');
    await request(app).get('/admin/services').expect(401);

    const bearer = { Authorization: `Bearer ${TOKEN}` };
    const unknown = await request(app)
      .put('/admin/services/no-such-service/ai')
      .set(bearer)
      .send({ enabled: false });
    expect(unknown.status).toBe(404);

    const bad = await request(app)
      .put('/admin/services/order-select-advice/ai')
      .set(bearer)
      .send({ enabled: 'no', extra: 1 });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { details: unknown } }).error.details).toEqual(
      expect.arrayContaining([
        { path: '/enabled', message: 'must be boolean' },
        { path: '/extra', message: 'is not allowed here' },
      ]),
    );
    const text = await request(app)
      .put('/admin/services/order-select-advice/ai')
      .set(bearer)
      .set('Content-Type', 'text/plain')
      .send('enabled=false');
    expect(text.status).toBe(415);
    const wrongMethod = await request(app).delete('/admin/services/order-select-advice/ai').set(bearer);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, PUT');
  });
});

describe('the kill switch across two instances on one PostgreSQL', () => {
  let location: Location;
  let a: SqlStore;
  let b: SqlStore;

  beforeAll(async () => {
    location = newLocation('postgres');
    // Instance B reads the store on every ask (no cache), so what it sees is what the database holds.
    [a, b] = await Promise.all([openAt(location), openAt(location, {}, { aiCacheTtlMs: 0 })]);
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await dropLocation(location);
  });

  it('a switch turned off through instance A is off for instance B, with who and when', async () => {
    const appA = (await testApp({ auditTokens: [TOKEN] }, { store: a })).app;
    const appB = (await testApp({ auditTokens: [TOKEN] }, { store: b })).app;
    await request(appA)
      .put('/admin/services/patient-view-advice/ai')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ enabled: false })
      .expect(200);

    expect(await b.getAiMode('patient-view-advice')).toBe('off');
    const seenByB = await request(appB)
      .get('/admin/services/patient-view-advice/ai')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect((seenByB.body as ServiceAiState).ai).toMatchObject({
      enabled: false,
      changedBy: `token:${fingerprint}`,
    });
  });
});
