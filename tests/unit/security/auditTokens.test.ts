import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { errorHandler } from '../../../src/http/middleware/errorHandler.js';
import { AuditSessionStore, createAuditTokenVerifier } from '../../../src/security/auditTokens.js';
import { createAuditAuth } from '../../../src/http/routes/auditAuth.js';
import { captureLogger } from '../../fakes/jwks-server.js';

const TOKEN = 'correct-horse-battery-staple-0f7e2a9c41';
const SECOND_TOKEN = 'second-token-5b8d03e6a1f94c2277d0';

function appWith(options: { secureCookies?: boolean; sessions?: AuditSessionStore } = {}) {
  const { logger, entries } = captureLogger();
  const metricsRegistry = new Registry();
  const auth = createAuditAuth({
    verifier: createAuditTokenVerifier([TOKEN, SECOND_TOKEN], logger),
    secureCookies: options.secureCookies ?? false,
    logger,
    metricsRegistry,
    ...(options.sessions ? { sessions: options.sessions } : {}),
  });
  const app = express();
  // Tests stand for several client addresses with X-Forwarded-For from loopback.
  app.set('trust proxy', 'loopback');
  app.use(express.json());
  app.use(auth.router);
  app.use(['/audit/api', '/admin'], auth.requireAuditToken);
  app.get('/audit/api/invocations', (_req, res) => void res.json({ items: [] }));
  app.put('/admin/services/:id/ai', (_req, res) => void res.json({ enabled: false }));
  app.use(errorHandler(logger, 1024));
  return { app, auth, entries, metricsRegistry };
}

const errorOf = (res: request.Response) => (res.body as { error: { code: string; message: string } }).error;

async function login(app: express.Express): Promise<{ cookie: string; csrfToken: string }> {
  const res = await request(app).post('/audit/login').send({ token: TOKEN }).expect(200);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return {
    cookie: (setCookie[0] ?? '').split(';')[0] ?? '',
    csrfToken: (res.body as { csrfToken: string }).csrfToken,
  };
}

describe('AUDIT_TOKENS', () => {
  it('refuses a token shorter than 32 characters at start, naming the variable but not the token', () => {
    const short = 'guessable-in-seconds';
    const load = () => loadConfig({ AUDIT_TOKENS: `${TOKEN},${short}` });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/AUDIT_TOKENS/);
    expect(load).toThrow(/entry 2 .*20 characters.*at least 32/);
    expect(load).not.toThrow(new RegExp(short));
    expect(() => loadConfig({ AUDIT_TOKENS: 'x'.repeat(31) })).toThrow(/at least 32/);
  });

  it('takes tokens of 32 characters and more', () => {
    expect(loadConfig({ AUDIT_TOKENS: ` ${'a'.repeat(32)} , ${TOKEN}` }).auditTokens).toEqual([
      'a'.repeat(32),
      TOKEN,
    ]);
    expect(loadConfig({}).auditTokens).toEqual([]);
  });
});

describe('audit token verifier', () => {
  it('accepts each configured token and nothing else', () => {
    const { logger } = captureLogger();
    const verifier = createAuditTokenVerifier([TOKEN, SECOND_TOKEN], logger);

    expect(verifier.verify(TOKEN)).toBe(true);
    expect(verifier.verify(SECOND_TOKEN)).toBe(true);
    for (const wrong of [
      TOKEN.slice(0, -1),
      `${TOKEN}a`,
      TOKEN.toUpperCase(),
      '',
      undefined,
      'x'.repeat(10_000),
    ])
      expect(verifier.verify(wrong)).toBe(false);
    expect(verifier.generated).toBe(false);
  });

  it('generates a random token when none is configured, and logs it exactly once', () => {
    const { logger, entries } = captureLogger();

    const verifier = createAuditTokenVerifier([], logger);
    const generatedLines = entries.filter((e) => e.message === 'audit token generated');
    const token = generatedLines[0]?.meta.auditToken as string;
    verifier.verify(token);
    verifier.verify('wrong');

    expect(verifier.generated).toBe(true);
    expect(generatedLines).toHaveLength(1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifier.verify(token)).toBe(true);
    expect(entries.filter((e) => e.message === 'audit token generated')).toHaveLength(1);
  });

  it('generates a different token on every start', () => {
    const a = captureLogger();
    const b = captureLogger();
    createAuditTokenVerifier([], a.logger);
    createAuditTokenVerifier([], b.logger);

    expect(a.entries[0]?.meta.auditToken).not.toEqual(b.entries[0]?.meta.auditToken);
  });
});

describe('audit and admin API access', () => {
  it('answers 401 without credentials, with a body that says nothing about why', async () => {
    const { app } = appWith();

    const res = await request(app).get('/audit/api/invocations').expect(401);

    expect(res.body).toEqual({ error: { status: 401, code: 'unauthorized', message: 'Unauthorized' } });
  });

  it('accepts a bearer token from AUDIT_TOKENS, on reads and writes, without CSRF', async () => {
    const { app } = appWith();

    await request(app).get('/audit/api/invocations').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await request(app)
      .put('/admin/services/x/ai')
      .set('Authorization', `Bearer ${SECOND_TOKEN}`)
      .send({ enabled: false })
      .expect(200);
  });

  it('refuses a wrong bearer token even when a valid session cookie is also sent', async () => {
    const { app } = appWith();
    const { cookie } = await login(app);

    await request(app)
      .get('/audit/api/invocations')
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer nope')
      .expect(401);
  });

  it('marks audit responses as not cacheable', async () => {
    const { app } = appWith();

    const res = await request(app).get('/audit/api/invocations').set('Authorization', `Bearer ${TOKEN}`);

    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('dashboard session', () => {
  it('exchanges a valid token for an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const { app } = appWith();

    const res = await request(app).post('/audit/login').send({ token: TOKEN }).expect(200);

    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
    expect(cookie).toMatch(/^cds-audit=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure');
    expect(cookie).not.toContain(TOKEN);
    expect((res.body as { csrfToken: string }).csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sets Secure and the __Host- prefix when the public URL is https', async () => {
    const { app } = appWith({ secureCookies: true });

    const res = await request(app).post('/audit/login').send({ token: TOKEN }).expect(200);

    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
    expect(cookie).toMatch(/^__Host-cds-audit=/);
    expect(cookie).toContain('; Secure');
    expect(cookie).toContain('Path=/');
  });

  it('accepts a form-encoded login too', async () => {
    const { app } = appWith();

    await request(app).post('/audit/login').type('form').send(`token=${TOKEN}`).expect(200);
  });

  it('refuses a wrong token at login with a generic 401 and no cookie', async () => {
    const { app } = appWith();

    const res = await request(app).post('/audit/login').send({ token: 'guess' }).expect(401);

    expect(res.headers['set-cookie']).toBeUndefined();
    expect(errorOf(res).message).toBe('Unauthorized');
  });

  it('refuses a cross-site login', async () => {
    const { app } = appWith();

    await request(app)
      .post('/audit/login')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ token: TOKEN })
      .expect(403);
  });

  it('throttles failed logins per client, and still lets the right token in', async () => {
    const { app } = appWith();

    for (let i = 0; i < 10; i += 1)
      await request(app)
        .post('/audit/login')
        .send({ token: `guess-${i}` })
        .expect(401);
    const throttled = await request(app).post('/audit/login').send({ token: 'guess-10' }).expect(429);
    await request(app).post('/audit/login').send({ token: TOKEN }).expect(200);

    expect(errorOf(throttled).code).toBe('too_many_requests');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets the session read, and write only with the CSRF token', async () => {
    const { app } = appWith();
    const { cookie, csrfToken } = await login(app);

    await request(app).get('/audit/api/invocations').set('Cookie', cookie).expect(200);
    const noCsrf = await request(app)
      .put('/admin/services/x/ai')
      .set('Cookie', cookie)
      .send({ enabled: false })
      .expect(403);
    await request(app)
      .put('/admin/services/x/ai')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', 'forged')
      .send({ enabled: false })
      .expect(403);
    await request(app)
      .put('/admin/services/x/ai')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrfToken)
      .send({ enabled: false })
      .expect(200);

    expect(errorOf(noCsrf).code).toBe('forbidden');
  });

  it('does not accept the CSRF token of another session', async () => {
    const { app } = appWith();
    const first = await login(app);
    const second = await login(app);

    await request(app)
      .put('/admin/services/x/ai')
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', second.csrfToken)
      .expect(403);
  });

  it('tells the dashboard its CSRF token again after a reload', async () => {
    const { app } = appWith();
    const { cookie, csrfToken } = await login(app);

    const res = await request(app).get('/audit/session').set('Cookie', cookie).expect(200);

    expect((res.body as { csrfToken: string }).csrfToken).toBe(csrfToken);
    await request(app).get('/audit/session').expect(401);
  });

  it('ends the session at logout', async () => {
    const { app } = appWith();
    const { cookie, csrfToken } = await login(app);

    const res = await request(app)
      .post('/audit/logout')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrfToken)
      .expect(204);

    expect(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]).toMatch(/^cds-audit=; .*Max-Age=0/);
    await request(app).get('/audit/api/invocations').set('Cookie', cookie).expect(401);
  });

  it('expires sessions', async () => {
    let now = 1_000_000;
    const { app } = appWith({ sessions: new AuditSessionStore(60_000, 10, () => now) });
    const { cookie } = await login(app);

    await request(app).get('/audit/api/invocations').set('Cookie', cookie).expect(200);
    now += 60_001;
    await request(app).get('/audit/api/invocations').set('Cookie', cookie).expect(401);
  });

  it('ignores a made-up session id', async () => {
    const { app } = appWith();

    await request(app)
      .get('/audit/api/invocations')
      .set('Cookie', 'cds-audit=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
      .expect(401);
  });
});

describe('throttling failed tokens per client address', () => {
  const wrong = (app: express.Express, from = '10.0.0.1') =>
    request(app)
      .get('/audit/api/invocations')
      .set('X-Forwarded-For', from)
      .set('Authorization', 'Bearer wrong');

  it('answers 429 with Retry-After once an address has failed 10 times in a minute', async () => {
    const { app } = appWith();

    for (let i = 0; i < 10; i += 1) await wrong(app).expect(401);
    const res = await wrong(app).expect(429);

    expect(errorOf(res)).toMatchObject({ code: 'too_many_requests' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('always accepts the right token, even from a throttled address', async () => {
    const { app } = appWith();
    for (let i = 0; i < 12; i += 1) await wrong(app);

    await request(app)
      .get('/audit/api/invocations')
      .set('X-Forwarded-For', '10.0.0.1')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    await request(app)
      .post('/audit/login')
      .set('X-Forwarded-For', '10.0.0.1')
      .send({ token: TOKEN })
      .expect(200);
    await wrong(app).expect(429);
  });

  it('counts the audit API, the admin API and the login together, and each address on its own', async () => {
    const { app } = appWith();
    for (let i = 0; i < 4; i += 1) await wrong(app).expect(401);
    for (let i = 0; i < 3; i += 1)
      await request(app)
        .put('/admin/services/x/ai')
        .set('X-Forwarded-For', '10.0.0.1')
        .set('Authorization', 'Bearer wrong')
        .expect(401);
    for (let i = 0; i < 3; i += 1)
      await request(app)
        .post('/audit/login')
        .set('X-Forwarded-For', '10.0.0.1')
        .send({ token: 'x' })
        .expect(401);

    await request(app)
      .post('/audit/login')
      .set('X-Forwarded-For', '10.0.0.1')
      .send({ token: 'x' })
      .expect(429);
    await request(app)
      .put('/admin/services/x/ai')
      .set('X-Forwarded-For', '10.0.0.1')
      .set('Authorization', 'Bearer wrong')
      .expect(429);
    await wrong(app, '10.0.0.2').expect(401);
  });

  it('counts failures and throttled answers in the metrics, per surface', async () => {
    const { app, metricsRegistry } = appWith();
    for (let i = 0; i < 11; i += 1) await wrong(app);
    await request(app).post('/audit/login').set('X-Forwarded-For', '10.0.0.1').send({ token: 'x' });

    const text = await metricsRegistry.metrics();

    expect(text).toContain('cds_audit_auth_failures_total{surface="audit_api"} 11');
    expect(text).toContain('cds_audit_auth_failures_total{surface="login"} 1');
    expect(text).toContain('cds_audit_auth_throttled_total{surface="audit_api"} 1');
    expect(text).toContain('cds_audit_auth_throttled_total{surface="login"} 1');
  });

  it('does not count requests that present no credentials at all', async () => {
    const { app } = appWith();
    for (let i = 0; i < 15; i += 1)
      await request(app).get('/audit/api/invocations').set('X-Forwarded-For', '10.0.0.1').expect(401);

    await wrong(app).expect(401);
  });
});
