/**
 * EHR authentication through the real app: tokens signed with `jose`, keys served over real HTTP. Every CDS
 * endpoint (discovery, service, feedback) needs a JWT whose `aud` is PUBLIC_BASE_URL + the path called; every
 * failure is a bare 401; the identity decides which FHIR servers the service may fetch from.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { Resource } from 'fhir/r4.js';
import { testConfig } from '../helpers/testConfig.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createJwtAuthenticator } from '../../src/security/jwt.js';
import { MemoryReplayGuard } from '../../src/security/memoryReplayGuard.js';
import type { TrustedClient } from '../../src/security/trustedClients.js';
import {
  type JwksServer,
  type SigningKey,
  createSigningKey,
  signToken,
  startJwksServer,
} from '../fakes/jwks-server.js';
import { type FakeFhirServer, startFakeFhirServer } from '../fakes/fhir-server.js';
import { fixture, requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import { buildDeps } from '../../src/server.js';

const BASE = 'https://cds.example.org/advisor';
const ISS = 'https://ehr.example.org';
const SERVICE = '/cds-services/patient-view-advice';

let jwks: JwksServer;
let key: SigningKey;
let app: Express;
let fhir: FakeFhirServer;
let limited: Express;

beforeAll(async () => {
  fhir = await startFakeFhirServer();
  await fhir.load(fixture<{ resources: Resource[] }>('patients/alice-example.json').resources);
  jwks = await startJwksServer();
  key = await createSigningKey('ES384');
  jwks.setKeys('/jwks.json', [key.publicJwk]);
  const clients: TrustedClient[] = [
    {
      iss: ISS,
      jwksUrl: jwks.url('/jwks.json'),
      allowedJku: [jwks.url('/jwks.json')],
      fhirServers: ['https://ehr.example.org/fhir', fhir.baseUrl],
    },
  ];
  const authenticator = createJwtAuthenticator({
    clients,
    maxLifetimeSeconds: 300,
    replayGuard: new MemoryReplayGuard(),
    logger: silentLogger(),
  });
  ({ app } = await testApp({ publicBaseUrl: BASE, rateLimitPerMinute: 0 }, { authenticator }));
  ({ app: limited } = await testApp({ publicBaseUrl: BASE, rateLimitPerMinute: 2 }, { authenticator }));
});

afterAll(async () => {
  await jwks.close();
  await fhir.close();
});

const tokenFor = (path: string, extra: Partial<Parameters<typeof signToken>[0]> = {}) =>
  signToken({ key, iss: ISS, aud: `${BASE}${path}`, ...extra });

/** A patient-view call without prefetch: the service must fetch from `fhirServer` with the EHR's token. */
function hookCallWith(fhirServer: string): Record<string, unknown> {
  const fhirAuthorization = {
    access_token: 'ehr-access-token',
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'patient/*.read',
    subject: 'cds',
  };
  return { ...requestFixture('patient-view.no-prefetch'), fhirServer, fhirAuthorization };
}

function expectBare401(res: request.Response): void {
  expect(res.status).toBe(401);
  expect((res.body as { error: unknown }).error).toEqual({
    status: 401,
    code: 'unauthorized',
    message: 'Unauthorized',
    requestId: expect.any(String),
  });
}

describe('with trusted clients, every CDS endpoint requires the EHR JWT', () => {
  it('answers discovery with a token for exactly PUBLIC_BASE_URL/cds-services', async () => {
    const res = await request(app)
      .get('/cds-services')
      .set('Authorization', `Bearer ${await tokenFor('/cds-services')}`);

    expect(res.status).toBe(200);
    expect((res.body as { services: unknown[] }).services).toHaveLength(3);
  });

  it('answers a service call with a token for that service URL', async () => {
    const res = await request(app)
      .post(SERVICE)
      .set('Authorization', `Bearer ${await tokenFor(SERVICE)}`)
      .send(requestFixture('patient-view.full-prefetch'));

    expect(res.status).toBe(200);
    expect(Array.isArray((res.body as { cards: unknown }).cards)).toBe(true);
  });

  it('accepts feedback with a token for the feedback URL', async () => {
    const path = `${SERVICE}/feedback`;
    const res = await request(app)
      .post(path)
      .set('Authorization', `Bearer ${await tokenFor(path)}`)
      .send({
        feedback: [{ card: randomUUID(), outcome: 'overridden', outcomeTimestamp: new Date().toISOString() }],
      });

    expect(res.status).toBe(200);
  });

  it('refuses each endpoint without a token, with a body that says nothing about why', async () => {
    expectBare401(await request(app).get('/cds-services'));
    expectBare401(await request(app).post(SERVICE).send(requestFixture('patient-view.full-prefetch')));
    expectBare401(await request(app).post(`${SERVICE}/feedback`).send({ feedback: [] }));
  });

  it('refuses a token minted for another endpoint (aud is the exact URL called)', async () => {
    const forDiscovery = await tokenFor('/cds-services');

    expectBare401(
      await request(app)
        .post(SERVICE)
        .set('Authorization', `Bearer ${forDiscovery}`)
        .send(requestFixture('patient-view.full-prefetch')),
    );
  });

  it('refuses a token whose aud is the internal address rather than PUBLIC_BASE_URL', async () => {
    const token = await signToken({ key, iss: ISS, aud: 'http://127.0.0.1:3000/cds-services' });

    expectBare401(await request(app).get('/cds-services').set('Authorization', `Bearer ${token}`));
  });

  it('refuses an expired token', async () => {
    const token = await tokenFor('/cds-services', {
      iat: Math.floor(Date.now() / 1000) - 600,
      lifetimeSeconds: 120,
    });

    expectBare401(await request(app).get('/cds-services').set('Authorization', `Bearer ${token}`));
  });

  it('refuses a replayed token', async () => {
    const token = await tokenFor('/cds-services');

    await request(app).get('/cds-services').set('Authorization', `Bearer ${token}`).expect(200);
    expectBare401(await request(app).get('/cds-services').set('Authorization', `Bearer ${token}`));
  });

  it('refuses an untrusted issuer', async () => {
    const token = await signToken({ key, iss: 'https://rogue.example', aud: `${BASE}/cds-services` });

    expectBare401(await request(app).get('/cds-services').set('Authorization', `Bearer ${token}`));
  });

  it('lets CORS preflights through without a token', async () => {
    const res = await request(app)
      .options(SERVICE)
      .set('Origin', 'https://ehr.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');

    expect(res.status).toBe(204);
  });

  it('does not let the client make the service fetch from cloud metadata', async () => {
    const res = await request(app)
      .post(SERVICE)
      .set('Authorization', `Bearer ${await tokenFor(SERVICE)}`)
      .send(hookCallWith('http://169.254.169.254/latest/meta-data'));

    expect(res.status).toBe(412);
  });

  it("fetches missing prefetch from a FHIR server on the client's list, with the EHR's access token", async () => {
    fhir.received.length = 0;
    const res = await request(app)
      .post(SERVICE)
      .set('Authorization', `Bearer ${await tokenFor(SERVICE)}`)
      .send(hookCallWith(fhir.baseUrl));

    expect(res.status).toBe(200);
    expect(fhir.received.length).toBeGreaterThan(0);
    expect(fhir.received.every((r) => r.authorization === 'Bearer ehr-access-token')).toBe(true);
  });

  it("never contacts a FHIR server that is not on the client's list", async () => {
    const other = await startFakeFhirServer();
    try {
      const res = await request(app)
        .post(SERVICE)
        .set('Authorization', `Bearer ${await tokenFor(SERVICE)}`)
        .send(hookCallWith(other.baseUrl));

      expect(res.status).toBe(412);
      expect(other.received).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('rate limits through the app', () => {
  it('answers 429 once an EHR exceeds RATE_LIMIT_PER_MINUTE', async () => {
    for (let i = 0; i < 2; i += 1) {
      await request(limited)
        .get('/cds-services')
        .set('Authorization', `Bearer ${await tokenFor('/cds-services')}`)
        .expect(200);
    }

    const res = await request(limited)
      .get('/cds-services')
      .set('Authorization', `Bearer ${await tokenFor('/cds-services')}`);

    expect(res.status).toBe(429);
    expect((res.body as { error: { code: string } }).error.code).toBe('too_many_requests');
  });
});

describe('audit and admin API through the app', () => {
  const AUDIT_SECRET = 'audit-secret-8e1f6b0a3d5c92747a1e';

  it('requires an AUDIT_TOKENS bearer token, and the dashboard login exchanges one for a session', async () => {
    const { app: audited } = await testApp({ auditTokens: [AUDIT_SECRET], rateLimitPerMinute: 0 });

    expect((await request(audited).get('/audit/api/invocations')).status).toBe(401);
    expect(
      (await request(audited).get('/audit/api/invocations').set('Authorization', 'Bearer wrong')).status,
    ).toBe(401);
    expect(
      (await request(audited).put('/admin/services/patient-view-advice/ai').send({ enabled: false })).status,
    ).toBe(401);
    const login = await request(audited).post('/audit/login').send({ token: AUDIT_SECRET }).expect(200);
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('throttles wrong tokens per address with 429 and Retry-After, lets the right one in, and counts it', async () => {
    const { app: audited } = await testApp({ auditTokens: [AUDIT_SECRET], rateLimitPerMinute: 0 });
    const attempt = (token: string) =>
      request(audited).get('/audit/api/invocations').set('Authorization', `Bearer ${token}`);

    for (let i = 0; i < 10; i += 1) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const throttled = await attempt('guess-10');
    const admin = await request(audited)
      .put('/admin/services/patient-view-advice/ai')
      .set('Authorization', 'Bearer guess-11')
      .send({ enabled: false });
    const right = await attempt(AUDIT_SECRET);
    const metrics = await request(audited).get('/metrics').expect(200);

    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(admin.status).toBe(429);
    expect(right.status).toBe(200);
    expect(metrics.text).toContain('cds_audit_auth_throttled_total{surface="audit_api"} 1');
    expect(metrics.text).toContain('cds_audit_auth_throttled_total{surface="admin"} 1');
    expect(metrics.text).toContain('cds_audit_auth_failures_total{surface="audit_api"} 11');
  });

  it('refuses to build with an audit token shorter than 32 characters', async () => {
    await expect(testApp({ auditTokens: ['audit-secret'] })).rejects.toThrow(
      /AUDIT_TOKENS entry 1 .*at least 32/,
    );
  });
});

describe('start-up through the composition root', () => {
  it('refuses to build the app on a public HOST without trusted clients', async () => {
    const config = testConfig({ host: '0.0.0.0', rateLimitPerMinute: 0 });
    const { deps } = await testApp();
    try {
      await expect(buildDeps(config, silentLogger(), { store: deps.store })).rejects.toThrow(
        /refusing to start/,
      );
    } finally {
      await deps.store.close();
    }
  });
});
