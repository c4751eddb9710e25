/**
 * Bounded concurrency toward the EHR's FHIR server (FHIR_MAX_CONCURRENCY): however many hook calls arrive at
 * once, no more than that many reads are in flight per FHIR server, and a wait cut short by the deadline is a
 * failed fetch (412), never a crash.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';

interface CountingFhirServer {
  readonly baseUrl: string;
  readonly maxInFlight: () => number;
  readonly requests: () => number;
  close(): Promise<void>;
}

/** Answers every read after a short hold, so that concurrent reads overlap, and counts how many overlap. */
async function startCountingFhirServer(holdMs: number): Promise<CountingFhirServer> {
  let inFlight = 0;
  let max = 0;
  let total = 0;
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    total += 1;
    max = Math.max(max, inFlight);
    const body = (req.url ?? '').includes('/Patient/')
      ? { resourceType: 'Patient', id: 'alice-example' }
      : { resourceType: 'Bundle', type: 'searchset', entry: [] };
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
    }, holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    maxInFlight: () => max,
    requests: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function hookCall(fhirServer: string): Record<string, unknown> {
  return {
    ...requestFixture('patient-view.no-prefetch'),
    fhirServer,
    fhirAuthorization: {
      access_token: 't',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'patient/*.read',
      subject: 'cds',
    },
  };
}

let fhir: CountingFhirServer | undefined;

afterEach(async () => {
  await fhir?.close();
  fhir = undefined;
});

describe('concurrency toward a FHIR server', () => {
  it('keeps at most FHIR_MAX_CONCURRENCY reads in flight across simultaneous hook calls', async () => {
    fhir = await startCountingFhirServer(20);
    const { app } = await testApp({ fhirMaxConcurrency: 2, rateLimitPerMinute: 0, adviceBudgetMs: 20_000 });
    const server = fhir;

    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        request(app).post('/cds-services/patient-view-advice').send(hookCall(server.baseUrl)),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(server.requests()).toBeGreaterThanOrEqual(3 * 5);
    expect(server.maxInFlight()).toBe(2);
  });

  it("fetches a call's missing keys in parallel when the bound allows it", async () => {
    fhir = await startCountingFhirServer(20);
    const { app } = await testApp({ fhirMaxConcurrency: 16, rateLimitPerMinute: 0, adviceBudgetMs: 20_000 });

    await request(app).post('/cds-services/patient-view-advice').send(hookCall(fhir.baseUrl)).expect(200);

    expect(fhir.maxInFlight()).toBeGreaterThan(1);
  });

  it('answers 412 when the deadline passes while reads wait for a slot', async () => {
    // A budget long enough for the first read to start even on a busy machine, far shorter than one read.
    fhir = await startCountingFhirServer(5_000);
    const { app } = await testApp({ fhirMaxConcurrency: 1, rateLimitPerMinute: 0, adviceBudgetMs: 1_000 });

    const res = await request(app).post('/cds-services/patient-view-advice').send(hookCall(fhir.baseUrl));

    expect(res.status).toBe(412);
    expect(fhir.maxInFlight()).toBe(1);
  });
});

describe('client IP behind a proxy', () => {
  it('keys the rate limit by X-Forwarded-For only when TRUST_PROXY names the proxy', async () => {
    const { app } = await testApp({ trustProxy: ['loopback'], rateLimitPerMinute: 1 });

    await request(app).get('/cds-services').set('X-Forwarded-For', '203.0.113.7').expect(200);
    await request(app).get('/cds-services').set('X-Forwarded-For', '203.0.113.7').expect(429);
    await request(app).get('/cds-services').set('X-Forwarded-For', '198.51.100.9').expect(200);
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const { app } = await testApp({ rateLimitPerMinute: 1 });

    await request(app).get('/cds-services').set('X-Forwarded-For', '203.0.113.7').expect(200);
    await request(app).get('/cds-services').set('X-Forwarded-For', '198.51.100.9').expect(429);
  });
});
