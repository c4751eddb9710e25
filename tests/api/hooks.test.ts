/**
 * The hook pipeline through HTTP: discovery, the three services, prefetch handling (sent, null, OperationOutcome,
 * missing → fetched from a real local FHIR server), the time budget, and every 4xx the service answers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { fixture, requestFixture, withFhirServer as withServer } from '../helpers/fixtures.js';
import { responseSchemaErrors } from '../helpers/schemas.js';
import { testApp } from '../helpers/testApp.js';
import { type FakeFhirServer, startFakeFhirServer } from '../fakes/fhir-server.js';
import type { Resource } from 'fhir/r4.js';

const FHIR_TOKEN = 'fixture-access-token-7f3a';

function withFhirServer<T extends Record<string, unknown>>(body: T, baseUrl: string): T {
  return withServer(body, baseUrl, FHIR_TOKEN);
}

function expectNoStack(body: unknown): void {
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Error:/);
}

describe('discovery', () => {
  it('lists the three services of the contract with their prefetch templates', async () => {
    const { app } = await testApp();
    const res = await request(app).get('/cds-services').expect(200);
    expect(res.body.services.map((s: { id: string; hook: string }) => [s.id, s.hook])).toEqual([
      ['patient-view-advice', 'patient-view'],
      ['order-select-advice', 'order-select'],
      ['order-sign-advice', 'order-sign'],
    ]);
    for (const service of res.body.services) {
      expect(Object.keys(service.prefetch).sort()).toEqual([
        'allergies',
        'conditions',
        'labHistory',
        'labs',
        'medications',
        'patient',
        'vitals',
      ]);
      expect(service.description.length).toBeGreaterThan(20);
    }
  });

  it('answers CORS preflights for discovery, service and feedback routes', async () => {
    const { app } = await testApp();
    for (const path of [
      '/cds-services',
      '/cds-services/order-sign-advice',
      '/cds-services/order-sign-advice/feedback',
    ]) {
      const res = await request(app)
        .options(path)
        .set('Origin', 'https://ehr.example.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('echoes only allow-listed origins when CORS_ORIGINS is a list', async () => {
    const { app } = await testApp({ corsOrigins: ['https://ehr.example.org'] });
    const allowed = await request(app).get('/cds-services').set('Origin', 'https://ehr.example.org');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    const other = await request(app).get('/cds-services').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('hooks with full prefetch', () => {
  it.each([
    ['patient-view-advice', 'patient-view.full-prefetch'],
    ['order-select-advice', 'order-select.full-prefetch'],
    ['order-sign-advice', 'order-sign.full-prefetch'],
  ])('%s answers 200 with cards that conform to the spec', async (serviceId, scenario) => {
    const { app } = await testApp();
    const res = await request(app)
      .post(`/cds-services/${serviceId}`)
      .send(requestFixture(scenario))
      .expect(200);
    expect(Array.isArray(res.body.cards)).toBe(true);
    expect(responseSchemaErrors(res.body)).toEqual([]);
  });

  it('accepts a draftOrders Bundle without type, unknown fields and an extension', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/order-select-advice')
      .send(requestFixture('order-select.bundle-without-type'))
      .expect(200);
    expect(responseSchemaErrors(res.body)).toEqual([]);
  });

  it('treats null prefetch values as "no data" without fetching', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.null-prefetch'))
      .expect(200);
    expect(responseSchemaErrors(res.body)).toEqual([]);
  });

  it('records an audit entry for every answered hook, with a pseudonym instead of the patient id', async () => {
    const { app, deps } = await testApp();
    const body = requestFixture('order-sign.full-prefetch');
    await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);
    await deps.store.audit.flush();
    const store = deps.store as unknown as {
      invocations?: { hookInstance: string; patientPseudonym: string }[];
    };
    if (store.invocations) {
      const record = store.invocations.find((r) => r.hookInstance === body.hookInstance);
      expect(record).toBeDefined();
      expect(record?.patientPseudonym).not.toContain('alice');
    }
  });
});

describe('prefetch from the FHIR server', () => {
  let fhir: FakeFhirServer;

  beforeAll(async () => {
    fhir = await startFakeFhirServer();
    await fhir.load(fixture<{ resources: Resource[] }>('patients/alice-example.json').resources);
  });

  afterAll(async () => {
    await fhir.close();
  });

  it('fetches only the missing keys, with the bearer token, when prefetch is absent', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const { app } = await testApp();
    const body = withFhirServer(requestFixture('patient-view.no-prefetch'), fhir.baseUrl);
    await request(app).post('/cds-services/patient-view-advice').send(body).expect(200);
    const paths = fhir.received.map((r) => r.url.split('?')[0]).sort();
    // Observation three times: the recent labs, the lab history and the vital signs.
    expect(paths).toEqual([
      '/fhir/AllergyIntolerance',
      '/fhir/Condition',
      '/fhir/MedicationRequest',
      '/fhir/Observation',
      '/fhir/Observation',
      '/fhir/Observation',
      '/fhir/Patient/alice-example',
    ]);
    expect(fhir.received.every((r) => r.authorization === `Bearer ${FHIR_TOKEN}`)).toBe(true);
  });

  it('refetches a key the EHR answered with an OperationOutcome, and nothing else', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const { app } = await testApp();
    const sent = requestFixture('patient-view.operation-outcome-prefetch');
    const body = withFhirServer(
      { ...sent, prefetch: { ...sent.prefetch, labHistory: null, vitals: null } },
      fhir.baseUrl,
    );
    await request(app).post('/cds-services/patient-view-advice').send(body).expect(200);
    expect(fhir.received.map((r) => r.url.split('?')[0])).toEqual(['/fhir/MedicationRequest']);
  });

  it('does not call the FHIR server when every key was prefetched', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const { app } = await testApp();
    const sent = requestFixture('order-sign.full-prefetch');
    const body = withFhirServer(
      { ...sent, prefetch: { ...sent.prefetch, labHistory: null, vitals: null } },
      fhir.baseUrl,
    );
    await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);
    expect(fhir.received).toEqual([]);
  });

  it('follows the next link of a paginated prefetch Bundle on the same server, with the bearer token', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const { app } = await testApp();
    const body = withFhirServer(requestFixture('order-sign.full-prefetch'), fhir.baseUrl);
    Object.assign(body.prefetch!, { labHistory: null, vitals: null });
    const labs = body.prefetch!.labs as { link?: unknown[] };
    labs.link = [{ relation: 'next', url: `${fhir.baseUrl}/Observation?patient=Patient/alice-example` }];
    await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);
    expect(fhir.received.map((r) => r.url)).toEqual(['/fhir/Observation?patient=Patient/alice-example']);
    expect(fhir.received[0]?.authorization).toBe(`Bearer ${FHIR_TOKEN}`);
  });

  it('never follows a next link that points at another server', async () => {
    fhir.behaviour = 'normal';
    fhir.received.length = 0;
    const other = await startFakeFhirServer();
    try {
      const { app } = await testApp();
      const body = withFhirServer(requestFixture('order-sign.full-prefetch'), fhir.baseUrl);
      (body.prefetch!.labs as { link?: unknown[] }).link = [
        { relation: 'next', url: `${other.baseUrl}/Observation` },
      ];
      await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);
      expect(other.received).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('answers 412 with a clear message when the FHIR server fails', async () => {
    fhir.behaviour = 'error';
    const { app } = await testApp();
    const body = withFhirServer(requestFixture('patient-view.no-prefetch'), fhir.baseUrl);
    const res = await request(app).post('/cds-services/patient-view-advice').send(body).expect(412);
    expect(res.body.error.code).toBe('precondition_failed');
    expect(res.body.error.message).toMatch(/medications .*HTTP 500/);
    expect(JSON.stringify(res.body)).not.toContain(FHIR_TOKEN);
    expectNoStack(res.body);
  });

  it('answers 412 when the FHIR server cannot be reached', async () => {
    const { app } = await testApp();
    const body = withFhirServer(requestFixture('patient-view.no-prefetch'), 'http://127.0.0.1:9/fhir');
    const res = await request(app).post('/cds-services/patient-view-advice').send(body).expect(412);
    expect(res.body.error.message).toMatch(/could not be reached/);
  });

  it('answers 412 when data is missing and no fhirServer was given', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/patient-view-advice')
      .send(requestFixture('patient-view.no-prefetch'))
      .expect(412);
    expect(res.body.error.message).toMatch(/no fhirServer/);
  });

  it('answers within the budget when the FHIR server never answers', async () => {
    fhir.behaviour = 'hang';
    const budgetMs = 400;
    const { app } = await testApp({ adviceBudgetMs: budgetMs });
    const body = withFhirServer(requestFixture('patient-view.no-prefetch'), fhir.baseUrl);
    const started = performance.now();
    const res = await request(app).post('/cds-services/patient-view-advice').send(body);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(412);
    expect(res.body.error.message).toMatch(/time budget/);
    // Generous slack for a loaded CI machine; the precise figure is measured in bench/.
    expect(elapsed).toBeLessThan(budgetMs + 500);
    fhir.behaviour = 'normal';
  });
});

describe('bad requests', () => {
  it.each([
    ['malformed JSON → 400', '{"hook": "order-sign",', 400, 'invalid_json'],
    ['a JSON array → 400', '[1,2]', 400, 'validation_failed'],
  ])('%s', async (_name, raw, status, code) => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(status);
    expect(res.body.error).toMatchObject({ status, code });
    expect(typeof res.body.error.requestId).toBe('string');
    expectNoStack(res.body);
  });

  it('a body over the limit → 413', async () => {
    const { app } = await testApp({ bodyLimitBytes: 2048 });
    const body = { ...requestFixture('order-sign.full-prefetch') };
    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('a non-JSON content type → 415', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('an unknown service id → 404', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/no-such-service')
      .send(requestFixture('order-sign.full-prefetch'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('the wrong hook for the service id → 400 naming the expected hook', async () => {
    const { app } = await testApp();
    const res = await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-select.full-prefetch'))
      .expect(400);
    expect(res.body.error.details).toContainEqual({
      path: '/hook',
      message: 'must be "order-sign" for service order-sign-advice',
    });
  });

  it('a missing hookInstance → 400 naming the field', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-sign.full-prefetch');
    delete body.hookInstance;
    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(400);
    expect(res.body.error.details).toContainEqual({ path: '/hookInstance', message: 'is required' });
  });

  it('order-select without draftOrders → 400 naming /context/draftOrders', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-select.full-prefetch') as { context: Record<string, unknown> };
    delete body.context.draftOrders;
    const res = await request(app).post('/cds-services/order-select-advice').send(body).expect(400);
    expect(res.body.error.details).toContainEqual({ path: '/context/draftOrders', message: 'is required' });
  });

  it('a selection that is not among the draft orders → 400', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-select.full-prefetch') as { context: { selections: string[] } };
    body.context.selections = ['MedicationRequest/not-there'];
    const res = await request(app).post('/cds-services/order-select-advice').send(body).expect(400);
    expect(res.body.error.details[0].path).toBe('/context/selections/0');
  });

  it('a userId that is not a Type/id reference → 400', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-sign.full-prefetch') as { context: Record<string, unknown> };
    body.context.userId = 'dr-fixture';
    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(400);
    expect(res.body.error.details[0].path).toBe('/context/userId');
  });

  it('fhirAuthorization without fhirServer → 400', async () => {
    const { app } = await testApp();
    const body = withFhirServer(requestFixture('order-sign.full-prefetch'), 'http://127.0.0.1:9/fhir');
    delete (body as Record<string, unknown>).fhirServer;
    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(res.body)).not.toContain(FHIR_TOKEN);
  });

  it('GET on a service → 405 with Allow', async () => {
    const { app } = await testApp();
    const res = await request(app).get('/cds-services/order-sign-advice').expect(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });

  it('an unknown path → 404 JSON', async () => {
    const { app } = await testApp();
    const res = await request(app).get('/nothing-here').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('operations endpoints', () => {
  it('healthz, readyz and metrics answer', async () => {
    const { app } = await testApp();
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    await request(app).get('/readyz').expect(200);
    await request(app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.full-prefetch'));
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /cds_http_requests_total\{route="\/cds-services\/:id",service="order-sign-advice",status="200"\} 1/,
    );
  });

  it('every response carries a request id header', async () => {
    const { app } = await testApp();
    const res = await request(app).get('/healthz');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
