/**
 * `npm run demo` as a hospital engineer meets it: its FHIR server answers the searches our prefetch templates
 * make and those a browser EHR makes (CORS, /metadata, form-encoded POST _search); each demo patient's chart-open
 * call, signed with the development identity and read from that FHIR server, raises the findings the chart was
 * written for; `npm run fire` signs a fresh JWT per call (two calls in a row both pass the real verifier) and
 * `npm run token` prints one for curl. Everything runs for real on 127.0.0.1: the service through its production
 * composition root, authentication on, Medplum's FHIR router behind the demo's server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Bundle, CapabilityStatement, Observation } from 'fhir/r4.js';
import { chartOpenRequest } from '../../scripts/demo/chartOpen.js';
import { endpointOf, mintToken } from '../../scripts/demo/mint.js';
import { DEMO_PATIENTS } from '../../scripts/demo/patients.js';
import { type RunningDemo, startDemo } from '../../scripts/demo/run.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { loadTrustedClients } from '../../src/security/trustedClients.js';

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

let demo: RunningDemo;
let dir: string;

interface Discovery {
  services: { id: string; hook: string; prefetch: Record<string, string> }[];
}
interface CardLike {
  summary: string;
  source: { topic?: { code: string } };
}

/** A port free right now: the service's PUBLIC_BASE_URL (the JWT audience) must name the port it listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cds-demo-'));
  // What the charts raise is checked here, not how fast: a wide budget keeps a loaded machine from turning a
  // slow FHIR read into a data gap.
  const env = { PORT: String(await freePort()), ADVICE_BUDGET_MS: '15000' };
  demo = await startDemo({ dir, env, fhirPort: 0, logger: silentLogger() });
}, 60_000);
afterAll(async () => {
  await demo?.stop();
});

async function fhirGet<T>(relative: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${demo.fhir.baseUrl}/${relative}`, init);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function patientView(patientId: string): Promise<Response> {
  const token = await mintToken(demo.identity, endpointOf(demo.config.publicBaseUrl, 'patient-view-advice'));
  return fetch(`${demo.service.url}/cds-services/patient-view-advice`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(chartOpenRequest(patientId, demo.fhir.baseUrl)),
  });
}

describe('the demo FHIR server', () => {
  it('answers every prefetch template of every service for every demo patient', async () => {
    const token = await mintToken(demo.identity, `${demo.config.publicBaseUrl}/cds-services`);
    const discovery = (await (
      await fetch(`${demo.service.url}/cds-services`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as Discovery;
    expect(discovery.services).toHaveLength(3);
    // Services may share templates: each distinct (key, template) is asked once per patient.
    const templates = new Map(
      discovery.services
        .flatMap((s) => Object.entries(s.prefetch))
        .map(([k, t]): [string, [string, string]] => [`${k} ${t}`, [k, t]]),
    );
    for (const patient of DEMO_PATIENTS) {
      for (const [key, template] of templates.values()) {
        const query = template.replaceAll('{{context.patientId}}', patient.id);
        const answer = await fhirGet<{ resourceType: string; id?: string; entry?: unknown[] }>(query);
        if (key === 'patient') expect(answer).toMatchObject({ resourceType: 'Patient', id: patient.id });
        else expect(answer.resourceType).toBe('Bundle');
        if (key === 'medications' || key === 'labs') expect(answer.entry?.length).toBeGreaterThan(0);
      }
    }
  }, 120_000);

  it('serves what a browser EHR asks: CORS, a CapabilityStatement, form-encoded POST _search', async () => {
    const preflight = await fetch(`${demo.fhir.baseUrl}/Observation/_search`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://sandbox.cds-hooks.org',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

    const metadata = await fhirGet<CapabilityStatement>('metadata', {
      headers: { Origin: 'https://sandbox.cds-hooks.org' },
    });
    expect(metadata).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      kind: 'instance',
    });

    const form = new URLSearchParams({
      patient: 'Patient/demo-okafor',
      code: 'http://loinc.org|98979-8',
      _sort: '-date',
      _count: '100',
    });
    const searched = await fhirGet<Bundle<Observation>>('Observation/_search', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const dates = (searched.entry ?? []).map((e) => e.resource!.effectiveDateTime!);
    // Years of eGFR, newest first: the history the trend rules read.
    expect(dates.length).toBeGreaterThanOrEqual(15);
    expect(Date.parse(dates[0]!) - Date.parse(dates.at(-1)!)).toBeGreaterThan(5 * 365 * 86_400_000);
    expect([...dates].sort().reverse()).toEqual(dates);

    const vitals = await fhirGet<Bundle<Observation>>(
      'Observation?patient=Patient/demo-okafor&category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
    );
    const codes = new Set((vitals.entry ?? []).map((e) => e.resource!.code.coding![0]!.code));
    expect([...codes].sort()).toEqual(['29463-7', '8302-2', '85354-9']);
  }, 60_000);
});

describe('the demo service', () => {
  it('writes a trusted-clients file the real loader accepts: the development identity and the sandbox', () => {
    const clients = loadTrustedClients(demo.trustedClientsFile);
    expect(clients.map((c) => c.iss)).toEqual([demo.identity.iss, 'https://sandbox.cds-hooks.org']);
    expect(clients[0]!.fhirServers).toEqual([demo.fhir.baseUrl]);
  });

  it('requires a signed call: without a token the answer is 401', async () => {
    const res = await fetch(`${demo.service.url}/cds-services/patient-view-advice`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it.each(DEMO_PATIENTS.map((p) => [p.id, p] as const))(
    'reads %s from the FHIR server and raises the findings the chart was written for',
    async (_id, patient) => {
      const res = await patientView(patient.id);
      expect(res.status).toBe(200);
      const { cards } = (await res.json()) as { cards: CardLike[] };
      const kinds = new Set(cards.map((c) => c.source.topic?.code));
      for (const kind of patient.expectedKinds)
        expect({ patient: patient.id, kinds: [...kinds] }).toEqual({
          patient: patient.id,
          kinds: expect.arrayContaining([kind]),
        });
    },
  );
});

describe('tokens for local testing', () => {
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_OPTIONS: '',
    CDS_URL: demo.service.url,
    DEMO_FHIR_URL: demo.fhir.baseUrl,
    CDS_KEY_FILE: path.join(dir, 'ehr-identity.json'),
    CDS_TOKEN: '',
  });

  it('npm run fire signs a fresh JWT per call: two calls in a row both pass (no "jti replayed")', async () => {
    for (let call = 0; call < 2; call++) {
      const { stdout } = await run(TSX, ['scripts/fire.ts', 'patient-view-advice', '--patient', 'demo-kim'], {
        cwd: PROJECT_ROOT,
        env: env(),
      });
      expect(stdout).toMatch(/^patient-view-advice ← patient demo-kim: [1-9]\d* card\(s\)/);
      expect(stdout).toMatch(/penicillin/i);
    }
  }, 60_000);

  it('npm run token prints one token a curl call can use, once', async () => {
    const { stdout } = await run(TSX, ['scripts/token.ts', 'order-sign-advice'], {
      cwd: PROJECT_ROOT,
      env: env(),
    });
    const token = stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const call = (): Promise<Response> =>
      fetch(`${demo.service.url}/cds-services/order-sign-advice`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({
          hook: 'order-sign',
          hookInstance: crypto.randomUUID(),
          fhirServer: demo.fhir.baseUrl,
          context: {
            userId: 'Practitioner/demo-clinician',
            patientId: 'demo-adler',
            draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [] },
          },
        }),
      });
    expect((await call()).status).toBe(200);
    // The same token again is a replay: that is why fire and token mint a fresh one each time.
    expect((await call()).status).toBe(401);
  }, 60_000);
});
