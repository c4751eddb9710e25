/**
 * SSRF through the FHIR reader, through the app: the EHR's FHIR server on 127.0.0.1 and "another host" on
 * 127.0.0.2, both real local servers recording every request. Whatever the EHR's server answers (a redirect, a
 * `next` link spelled to be read two ways, a sibling path) and whatever odd `fhirServer` the EHR sends, the other
 * host and the server's other paths never receive a request, and never the EHR's token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Bundle } from 'fhir/r4.js';
import request from 'supertest';
import { requestFixture, withFhirServer } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import {
  type HostileFhirServer,
  emptySearchset,
  json,
  redirect,
  startHostileFhirServer,
} from '../fakes/hostile-fhir-server.js';

const TOKEN = 'fhir-ssrf-token-9d0e';

let ehr: HostileFhirServer;
let other: HostileFhirServer;

beforeAll(async () => {
  ehr = await startHostileFhirServer(json(emptySearchset), '127.0.0.1');
  other = await startHostileFhirServer(
    json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }, 401),
    '127.0.0.2',
  );
});

afterAll(async () => {
  await ehr.close();
  await other.close();
});

beforeEach(() => {
  ehr.respond = json(emptySearchset);
  ehr.received.length = 0;
  other.received.length = 0;
});

async function callHook(
  service: string,
  body: Record<string, unknown>,
): Promise<{ status: number; message: string; text: string }> {
  // Time is not the subject here: a budget no loaded machine runs out of.
  const { app } = await testApp({ adviceBudgetMs: 10_000 });
  const res = await request(app).post(`/cds-services/${service}`).send(body);
  return {
    status: res.status,
    message: String((res.body as { error?: { message?: string } }).error?.message ?? ''),
    text: res.text,
  };
}

/**
 * order-sign with full prefetch, its `medications` (required) a first page whose `next` link is `next`; the
 * optional history keys answered `null` (none), so the only read left is the next page.
 */
function orderSignWithNextLink(fhirServer: string, next: string): Record<string, unknown> {
  const body = withFhirServer(requestFixture('order-sign.full-prefetch'), fhirServer, TOKEN);
  Object.assign(body.prefetch!, { labHistory: null, vitals: null });
  (body.prefetch!.medications as Bundle).link = [{ relation: 'next', url: next }];
  return body;
}

describe('redirects from the FHIR server (the real reader, redirect: error)', () => {
  it('never reach the Location host, and the 412 tells nothing of it', async () => {
    ehr.respond = redirect(`${other.origin}/fhir/Patient/alice-example`);
    const body = withFhirServer(requestFixture('patient-view.no-prefetch'), `${ehr.origin}/fhir`, TOKEN);

    const res = await callHook('patient-view-advice', body);

    expect(res.status).toBe(412);
    expect(ehr.received.length).toBeGreaterThan(0);
    expect(other.received).toEqual([]);
    expect(res.message).toContain(
      'patient (the FHIR server answered with a redirect, which is never followed)',
    );
    expect(res.text).not.toMatch(/401|127\.0\.0\.2|login/);
  });
});

describe('searchset next links', () => {
  it('http:/host/… is never fetched from that host, nor given the token', async () => {
    // A base at the server's root: the old same-server check read this link as a path on it.
    const body = orderSignWithNextLink(
      ehr.origin,
      `http:/${other.origin.slice('http://'.length)}/MedicationRequest?page=2`,
    );

    const res = await callHook('order-sign-advice', body);

    expect(other.received).toEqual([]);
    expect(ehr.received).toEqual([]);
    expect(res.status).toBe(412);
    expect(res.message).toContain(
      'medications (a link in the FHIR response points outside fhirServer and was not followed)',
    );
    expect(res.text).not.toContain('127.0.0.2');
  });

  it.each([
    ['a sibling path sharing the prefix', '/fhir-internal/MedicationRequest?page=2'],
    ['dot segments climbing out', '/fhir/../internal/MedicationRequest?page=2'],
    ['an encoded slash a server may decode', '/fhir/..%2Finternal/MedicationRequest?page=2'],
  ])('%s is not followed, and the list is not passed off as whole', async (_label, nextPath) => {
    const body = orderSignWithNextLink(`${ehr.origin}/fhir`, `${ehr.origin}${nextPath}`);

    const res = await callHook('order-sign-advice', body);

    expect(ehr.received).toEqual([]);
    expect(res.status).toBe(412);
    expect(res.message).toContain('medications (a link in the FHIR response points outside fhirServer');
  });

  it('under the base is followed, with the token', async () => {
    const body = orderSignWithNextLink(`${ehr.origin}/fhir`, `${ehr.origin}/fhir/MedicationRequest?page=2`);

    const res = await callHook('order-sign-advice', body);

    expect(res.status).toBe(200);
    expect(ehr.received).toEqual([
      { url: '/fhir/MedicationRequest?page=2', authorization: `Bearer ${TOKEN}` },
    ]);
  });
});

describe('odd fhirServer values', () => {
  it.each([
    ['an empty query', '?'],
    ['an empty fragment', '#'],
  ])('%s after fhirServer is refused, so no sibling path is reached through it', async (_label, suffix) => {
    const body = orderSignWithNextLink(
      `${ehr.origin}/fhir${suffix}`,
      `${ehr.origin}/fhir-internal/MedicationRequest?page=2`,
    );

    const res = await callHook('order-sign-advice', body);

    expect(ehr.received).toEqual([]);
    expect(res.status).toBe(412);
    expect(res.message).toContain(
      'fhirServer must be an http(s) base URL without credentials, query or fragment',
    );
  });

  it.each([
    ['credentials', (origin: string) => origin.replace('http://', 'http://user:secret@')],
    ['empty credentials', (origin: string) => origin.replace('http://', 'http://@')],
  ])('%s in fhirServer are refused', async (_label, withUserinfo) => {
    const body = withFhirServer(
      requestFixture('patient-view.no-prefetch'),
      `${withUserinfo(ehr.origin)}/fhir`,
      TOKEN,
    );

    const res = await callHook('patient-view-advice', body);

    expect(ehr.received).toEqual([]);
    expect(res.status).toBe(412);
    expect(res.text).not.toContain('secret');
  });

  it('is fetched normalized: dot segments and a trailing slash do not change what is requested', async () => {
    const body = withFhirServer(
      requestFixture('patient-view.no-prefetch'),
      `${ehr.origin}/other/../fhir/./`,
      TOKEN,
    );
    ehr.respond = (req, res) =>
      (req.url?.startsWith('/fhir/Patient/')
        ? json({ resourceType: 'Patient', id: 'alice-example' })
        : json(emptySearchset))(req, res);

    const res = await callHook('patient-view-advice', body);

    expect(res.status).toBe(200);
    // Observation three times: the recent labs, the lab history and the vital signs.
    expect(ehr.received.map((r) => r.url.split('?')[0]).sort()).toEqual([
      '/fhir/AllergyIntolerance',
      '/fhir/Condition',
      '/fhir/MedicationRequest',
      '/fhir/Observation',
      '/fhir/Observation',
      '/fhir/Observation',
      '/fhir/Patient/alice-example',
    ]);
  });
});
