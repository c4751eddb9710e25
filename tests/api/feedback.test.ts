/**
 * `POST /cds-services/{id}/feedback` through the real app and a real SQLite store: the card → feedback loop,
 * idempotency, the older single-object form, flags, validation, and that the clinician's comment stays out of
 * the logs. https://cds-hooks.hl7.org/2.0/#feedback
 */
import { PassThrough } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import winston from 'winston';
import type { Advisor, AdvisorOutcome } from '../../src/advisors/types.js';
import type { Finding } from '../../src/findings/types.js';
import { testConfig } from '../helpers/testConfig.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/metrics.js';
import { buildDeps } from '../../src/server.js';
import type { Store } from '../../src/store/types.js';
import { requestFixture } from '../helpers/fixtures.js';

const FEEDBACK = '/cds-services/order-sign-advice/feedback';

const finding: Finding = {
  advisor: 'rules',
  ruleId: 'test:nsaid-review',
  key: 'test:nsaid-review',
  severity: 'warning',
  summary: 'Review the NSAID order',
  detail: 'A test finding with one suggestion.',
  evidence: ['MedicationRequest/draft-ibuprofen'],
  source: { label: 'CDS Advisor test rules' },
  suggestions: [
    {
      label: 'Cancel the ibuprofen order',
      actions: [
        { type: 'delete', description: 'Cancel ibuprofen', resourceId: 'MedicationRequest/draft-ibuprofen' },
      ],
    },
  ],
};

const oneFinding: Advisor = {
  name: 'rules',
  advise: (): Promise<AdvisorOutcome> =>
    Promise.resolve({
      advisor: 'rules',
      status: 'ok',
      findings: [finding],
      latencyMs: 0,
    }),
};

let app: Express;
let store: Store;
const logLines: string[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')));
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-feedback-api-'));
  const deps = await buildDeps(testConfig({ dataDir }), logger, {
    metrics: createMetrics(),
    advisors: [oneFinding],
  });
  store = deps.store;
  app = createApp(deps);
});

afterAll(async () => {
  await store.close();
});

async function issueCard(): Promise<{ card: string; suggestion: string }> {
  const res = await request(app)
    .post('/cds-services/order-sign-advice')
    .send(requestFixture('order-sign.full-prefetch'));
  expect(res.status).toBe(200);
  const card = (res.body as { cards: { uuid: string; suggestions: { uuid: string }[] }[] }).cards[0]!;
  return { card: card.uuid, suggestion: card.suggestions[0]!.uuid };
}

describe('feedback', () => {
  it('stores acceptance of a card the service just issued, unflagged, and answers 200 once stored', async () => {
    const issued = await issueCard();
    await store.audit.flush();
    const item = {
      card: issued.card,
      outcome: 'accepted',
      acceptedSuggestions: [{ id: issued.suggestion }],
      outcomeTimestamp: '2026-11-24T10:00:00Z',
    };

    const res = await request(app)
      .post(FEEDBACK)
      .send({ feedback: [item] });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stored: 1, duplicates: 0, flagged: 0 });
    const stored = await store.read!.listFeedback({ cardUuid: issued.card });
    expect(stored.items).toEqual([
      expect.objectContaining({
        serviceId: 'order-sign-advice',
        outcome: 'accepted',
        acceptedSuggestions: [issued.suggestion],
        flag: null,
      }),
    ]);
  });

  it('stores the same item once when the EHR sends it again', async () => {
    const { card } = await issueCard();
    const body = { feedback: [{ card, outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:05:00Z' }] };

    await request(app).post(FEEDBACK).send(body).expect(200);
    const again = await request(app).post(FEEDBACK).send(body).expect(200);

    expect(again.body).toEqual({ stored: 0, duplicates: 1, flagged: 0 });
    expect((await store.read!.listFeedback({ cardUuid: card })).items).toHaveLength(1);
  });

  it('accepts the older single-object form, bare and as the value of feedback', async () => {
    const bare = { card: 'single-bare', outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:06:00Z' };
    const wrapped = {
      feedback: { card: 'single-wrapped', outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:07:00Z' },
    };

    await request(app).post(FEEDBACK).send(bare).expect(200);
    await request(app).post(FEEDBACK).send(wrapped).expect(200);

    expect((await store.read!.listFeedback({ cardUuid: 'single-bare' })).items).toHaveLength(1);
    expect((await store.read!.listFeedback({ cardUuid: 'single-wrapped' })).items).toHaveLength(1);
  });

  it('stores feedback about a card it never issued, flagged, and still answers 200', async () => {
    const res = await request(app)
      .post(FEEDBACK)
      .send({
        feedback: [{ card: 'never-issued', outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:08:00Z' }],
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ flagged: 1 });
    expect((await store.read!.listFeedback({ cardUuid: 'never-issued' })).items[0]?.flag).toBe(
      'unknown-card',
    );
  });

  it('keeps the clinician comment in the store and out of the logs', async () => {
    const comment = 'Discussed with patient Jane at bedside 4B';
    const item = {
      card: 'commented-card',
      outcome: 'overridden',
      overrideReason: {
        reason: { system: 'http://example.org/reasons', code: 'patient-declined' },
        userComment: comment,
      },
      outcomeTimestamp: '2026-11-24T10:09:00Z',
    };
    await request(app)
      .post(FEEDBACK)
      .send({ feedback: [item] })
      .expect(200);
    expect((await store.read!.listFeedback({ cardUuid: 'commented-card' })).items[0]?.userComment).toBe(
      comment,
    );
    expect(logLines.join('')).toContain('feedback stored');
    expect(logLines.join('')).not.toContain('bedside');
  });

  it('rejects items that break CDS Hooks 2.0 with 400 and a JSON pointer for each problem, storing none of them', async () => {
    const res = await request(app)
      .post(FEEDBACK)
      .send({
        feedback: [
          { card: 'ok-card-in-bad-request', outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:10:00Z' },
          { card: 'c2', outcome: 'accepted', outcomeTimestamp: '2026-11-24T10:10:00Z' },
          { card: 'c3', outcome: 'ignored', outcomeTimestamp: '2026-11-24T10:10:00Z' },
          { card: 'c4', outcome: 'overridden', outcomeTimestamp: '2026-11-24 10:10' },
        ],
      });
    expect(res.status).toBe(400);
    const { error } = res.body as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('validation_failed');
    const paths = error.details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/feedback/1/acceptedSuggestions',
        '/feedback/2/outcome',
        '/feedback/3/outcomeTimestamp',
      ]),
    );
    expect((await store.read!.listFeedback({ cardUuid: 'ok-card-in-bad-request' })).items).toHaveLength(0);
  });

  it('rejects an empty feedback list and a body that is no object', async () => {
    await request(app).post(FEEDBACK).send({ feedback: [] }).expect(400);
    await request(app).post(FEEDBACK).send([1, 2]).expect(400);
  });

  it('answers 404 for an unknown service, 405 for GET, 415 for a body that is not JSON', async () => {
    const item = { card: 'x', outcome: 'overridden', outcomeTimestamp: '2026-11-24T10:11:00Z' };
    const notFound = await request(app)
      .post('/cds-services/no-such-service/feedback')
      .send({ feedback: [item] });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ error: { code: 'not_found' } });
    const get = await request(app).get(FEEDBACK);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toContain('POST');
    await request(app).post(FEEDBACK).set('content-type', 'text/plain').send('feedback').expect(415);
  });
});
