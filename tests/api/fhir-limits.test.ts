/**
 * Every FHIR read is bounded in bytes (FHIR_MAX_RESPONSE_BYTES) and cut at the hook's deadline, whatever the body
 * does: fetched keys, every `next` page, and the pages of a paginated prefetch. Real hostile FHIR servers on
 * 127.0.0.1, the real app through HTTP. Answer times are checked against the budget with generous slack for a
 * loaded machine; the memory figures come from a child process under npm start's heap flags.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from 'fhir/r4.js';
import request from 'supertest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { requestFixture, withFhirServer } from '../helpers/fixtures.js';
import { npmStartFlags } from '../helpers/startFlags.js';
import { testApp } from '../helpers/testApp.js';
import {
  type HostileFhirServer,
  emptySearchset,
  endlessBody,
  gzipBomb,
  gzipped,
  hugeBody,
  json,
  pacedBody,
  startHostileFhirServer,
  trickle,
} from '../fakes/hostile-fhir-server.js';

const TOKEN = 'fhir-limits-token-51c2';
const BUDGET_MS = 1500;
/** Slack over the budget for a loaded CI machine; the precise figures are measured in bench/. */
const SLACK_MS = 1500;
const LIMIT = 256 * 1024;
const MB = 2 ** 20;
const TOO_LARGE = `larger than ${LIMIT} bytes`;

let fhir: HostileFhirServer;

beforeAll(async () => {
  fhir = await startHostileFhirServer();
});

afterAll(async () => {
  await fhir.close();
});

async function callHook(
  service: string,
  body: Record<string, unknown>,
  config: Parameters<typeof testApp>[0] = {},
): Promise<{ status: number; message: string; elapsedMs: number; metrics: string }> {
  const { app } = await testApp({ adviceBudgetMs: BUDGET_MS, fhirMaxResponseBytes: LIMIT, ...config });
  const started = performance.now();
  // A hook that never answers fails here, not by the test's own timeout.
  const res = await request(app)
    .post(`/cds-services/${service}`)
    .send(body)
    .timeout(BUDGET_MS + 10_000);
  const elapsedMs = performance.now() - started;
  const metrics = await request(app).get('/metrics');
  return {
    status: res.status,
    message: String((res.body as { error?: { message?: string } }).error?.message ?? ''),
    elapsedMs,
    metrics: metrics.text,
  };
}

function patientViewFetchingEverything(): Record<string, unknown> {
  return withFhirServer(requestFixture('patient-view.no-prefetch'), `${fhir.origin}/fhir`, TOKEN);
}

describe('FHIR reads bounded in bytes', () => {
  it('cuts an endless body at the limit: 412 naming each required key, within the budget', async () => {
    fhir.respond = endlessBody();

    const res = await callHook('patient-view-advice', patientViewFetchingEverything());

    expect(res.status).toBe(412);
    expect(res.message).toContain(`patient (the FHIR server's response is ${TOO_LARGE}`);
    expect(res.message).toContain(`medications (the FHIR server's response is ${TOO_LARGE}`);
    expect(res.elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it.each([
    ['sent chunked', false],
    ['announced by Content-Length', true],
  ])('refuses a 100 MB body %s', async (_label, announceLength) => {
    fhir.respond = hugeBody(100 * MB, announceLength);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything());

    expect(res.status).toBe(412);
    expect(res.message).toContain(`medications (the FHIR server's response is ${TOO_LARGE}`);
  });

  it('counts a compressed body once inflated: a gzip bomb is refused', async () => {
    fhir.respond = gzipBomb(20 * MB);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything());

    expect(res.status).toBe(412);
    expect(res.message).toContain(`patient (the FHIR server's response is ${TOO_LARGE}`);
  });

  it('still reads a gzip-compressed answer under the limit', async () => {
    fhir.respond = (req, res) =>
      (req.url?.includes('/Patient/')
        ? gzipped({ resourceType: 'Patient', id: 'alice-example', birthDate: '1970-01-01' })
        : gzipped(emptySearchset))(req, res);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything());

    expect(res.status).toBe(200);
  });

  it('makes an optional key over the limit unavailable and still answers', async () => {
    fhir.respond = endlessBody();
    const body = withFhirServer(requestFixture('order-sign.full-prefetch'), `${fhir.origin}/fhir`, TOKEN);
    delete body.prefetch!.labs;

    const res = await callHook('order-sign-advice', body);

    expect(res.status).toBe(200);
    expect(res.metrics).toContain('cds_prefetch_fetches_total{key="labs",outcome="too-large"} 1');
  });

  it('cuts a next page of a paginated prefetch the same way', async () => {
    fhir.respond = endlessBody();
    const body = withFhirServer(requestFixture('order-sign.full-prefetch'), `${fhir.origin}/fhir`, TOKEN);
    (body.prefetch!.medications as Bundle).link = [
      { relation: 'next', url: `${fhir.origin}/fhir/MedicationRequest?page=2` },
    ];

    const res = await callHook('order-sign-advice', body);

    expect(res.status).toBe(412);
    expect(res.message).toContain(`medications (the FHIR server's response is ${TOO_LARGE}`);
  });

  it('does not pass off the first pages of a longer search as the whole list', async () => {
    const page: Bundle = {
      ...(emptySearchset as Bundle),
      link: [{ relation: 'next', url: `${fhir.origin}/fhir/MedicationRequest?page=next` }],
    };
    fhir.respond = json(page);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything(), {
      prefetchMaxPages: 2,
    });

    expect(res.status).toBe(412);
    expect(res.message).toContain('medications (the search has more than 2 pages');
  });
});

describe('FHIR reads cut at the deadline', () => {
  it('gives up on a body that trickles, within the budget', async () => {
    fhir.respond = trickle(100);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything());

    expect(res.status).toBe(412);
    expect(res.message).toMatch(/patient \(the FHIR server did not answer within the time budget/);
    expect(res.elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it('cuts a steady body that stays under the limit, within the budget', async () => {
    fhir.respond = pacedBody(64 * 1024, 20);

    const res = await callHook('patient-view-advice', patientViewFetchingEverything(), {
      fhirMaxResponseBytes: 64 * MB,
    });

    expect(res.status).toBe(412);
    expect(res.message).toMatch(/medications \(the FHIR server did not answer within the time budget/);
    expect(res.elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });
});

describe('memory while hostile bodies stream in', () => {
  it('stays a fraction of one body under npm start heap flags: 100 MB bodies, endless ones, and a deadline cut under GC', () => {
    const child = spawnSync(
      process.execPath,
      [
        ...npmStartFlags(),
        '--expose-gc',
        '--import',
        'tsx',
        path.join(PROJECT_ROOT, 'tests/api/fhir-limits.child.ts'),
      ],
      { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 90_000, env: { PATH: process.env.PATH ?? '' } },
    );
    expect({ status: child.status, stderr: child.stderr.slice(-500) }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(child.stdout.trim()) as Record<
      'huge' | 'endless' | 'deadline',
      { status: number; message: string; elapsedMs: number; rssGrowthMb: number; heapGrowthMb: number }
    > & { budgetMs: number };

    for (const scenario of [report.huge, report.endless, report.deadline]) {
      expect(scenario.status).toBe(412);
      expect(scenario.elapsedMs).toBeLessThan(report.budgetMs + SLACK_MS);
      // Five reads of 100 MB (or endless) each: the process grows by less than one of them.
      expect(scenario.rssGrowthMb).toBeLessThan(100);
      expect(scenario.heapGrowthMb).toBeLessThan(50);
    }
    // At the default limit (4 MiB) a loaded machine may reach the deadline first: either bound ends the read.
    const cut =
      /medications \(the FHIR server(?:'s response is larger than 4194304 bytes| did not answer within)/;
    expect(report.huge.message).toMatch(cut);
    expect(report.endless.message).toMatch(cut);
    expect(report.deadline.message).toContain(
      'medications (the FHIR server did not answer within the time budget',
    );
  });
});
