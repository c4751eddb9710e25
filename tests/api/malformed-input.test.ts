/**
 * Input that no parser or database should ever see, through the real app on the real PostgreSQL (which, unlike
 * SQLite, cannot store a NUL in text): malformed percent-encoding in a URL, and NUL bytes in every string from
 * outside that would reach the database. Each is a 400 with the JSON error body, never a 500, never a 503 the
 * EHR would retry forever.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { SqlStore } from '../../src/store/sqlStore.js';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import { dropLocation, type Location, newLocation, openAt } from '../int/store/helpers.js';

const TOKEN = 'malformed-input-test-token-6a0c3e9d17b4';
const auth = { Authorization: `Bearer ${TOKEN}` };
const HOOK = '/cds-services/order-sign-advice';

let location: Location;
let store: SqlStore;
let app: Express;

beforeAll(async () => {
  location = newLocation('postgres');
  store = await openAt(location);
  ({ app } = await testApp({ auditTokens: [TOKEN], rateLimitPerMinute: 0 }, { store }));
});

afterAll(async () => {
  await store.close();
  await dropLocation(location);
});

function expectJsonError(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({
    status,
    code,
  });
  expect(res.body).toMatchObject({ error: { status, requestId: expect.any(String) } });
}

describe('malformed percent-encoding in the path', () => {
  it.each([
    ['POST', '/cds-services/%E0%A4%A'],
    ['POST', '/cds-services/%zz/feedback'],
    ['GET', '/audit/api/cards/%zz'],
    ['GET', '/audit/api/export/%E0%A4%A'],
    ['PUT', '/admin/services/%zz/ai'],
  ])('%s %s → 400 with the JSON error body', async (method, path) => {
    const call =
      method === 'GET'
        ? request(app).get(path)
        : method === 'PUT'
          ? request(app).put(path)
          : request(app).post(path);
    const res = await call.set(auth).send({ enabled: false });

    expectJsonError(res, 400, 'bad_request');
    expect(JSON.stringify(res.body)).not.toContain('%E0');
  });
});

describe('NUL bytes that would reach PostgreSQL', () => {
  it.each([
    '/audit/api/cards?rule=interaction%00x',
    '/audit/api/invocations?model=gpt%00',
    '/audit/api/feedback?rule=%00',
    '/audit/api/summary?model=a%00b',
    '/audit/api/export/cards.csv?rule=a%00b',
  ])('an audit filter: GET %s → 400', async (path) => {
    expectJsonError(await request(app).get(path).set(auth), 400, 'validation_failed');
  });

  it('a card id in the audit API path → 404, not a store error', async () => {
    expectJsonError(await request(app).get('/audit/api/cards/abc%00def').set(auth), 404, 'not_found');
  });

  const item = { card: randomUUID(), outcome: 'overridden', outcomeTimestamp: '2026-11-24T11:00:00Z' };
  it.each([
    ['the card id', { ...item, card: `${randomUUID()}\u0000` }, '/feedback/0/card'],
    [
      'an accepted suggestion id',
      { ...item, outcome: 'accepted', acceptedSuggestions: [{ id: 'a\u0000' }] },
      '/feedback/0/acceptedSuggestions/0/id',
    ],
    [
      'the override reason code',
      { ...item, overrideReason: { reason: { system: 'http://example.org', code: 'x\u0000' } } },
      '/feedback/0/overrideReason/reason/code',
    ],
    [
      'the override reason display',
      { ...item, overrideReason: { reason: { system: 'http://example.org', code: 'x', display: '\u0000' } } },
      '/feedback/0/overrideReason/reason/display',
    ],
    [
      'the user comment',
      { ...item, overrideReason: { userComment: 'too\u0000late' } },
      '/feedback/0/overrideReason/userComment',
    ],
  ])(
    'a feedback item with a NUL in %s → 400 on every retry, naming the field',
    async (_what, bad, pointer) => {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const res = await request(app)
          .post(`${HOOK}/feedback`)
          .send({ feedback: [bad] });
        expectJsonError(res, 400, 'validation_failed');
        expect((res.body as { error: { details: unknown[] } }).error.details).toContainEqual({
          path: pointer,
          message: expect.stringMatching(/^must not contain (control characters|a NUL character)$/),
        });
      }
    },
  );

  it('a user comment keeps its line breaks and tabs', async () => {
    const res = await request(app)
      .post(`${HOOK}/feedback`)
      .send({ feedback: [{ ...item, overrideReason: { userComment: 'line one\n\tline two' } }] });
    expect(res.status).toBe(200);
  });

  it('a hookInstance with a NUL → 400, and the audit trail is not asked to store it', async () => {
    const res = await request(app)
      .post(HOOK)
      .send({ ...requestFixture('order-sign.full-prefetch'), hookInstance: `${randomUUID()}\u0000` });

    expectJsonError(res, 400, 'validation_failed');
    expect(
      (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
    ).toContain('/hookInstance');
  });
});
