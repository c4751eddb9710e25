/**
 * The safety dashboard reads override reasons by their labels: an EHR that sends back only the reason's system
 * and code (all the spec requires) still shows "Will monitor", not "will-monitor" — in the summary the dashboard
 * draws its fatigue table from, and in a card's detail. A reason from another code system keeps what was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { OVERRIDE_REASON_SYSTEM } from '../../../src/advisors/rules/findingKinds.js';
import type { AuditOverview } from '../../../src/store/read/overviewShape.js';
import type { Store } from '../../../src/store/types.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { testApp } from '../../helpers/testApp.js';

const TOKEN = 'override-labels-token-6a1f0c-9e2b7d4c83';
const auth = { Authorization: `Bearer ${TOKEN}` };

let app: Express;
let store: Store;

beforeAll(async () => {
  let deps;
  ({ app, deps } = await testApp({ auditTokens: [TOKEN] }));
  store = deps.store;
});
afterAll(async () => {
  await store.close();
});

async function overrideACard(reason: { system: string; code: string }): Promise<string> {
  const issued = await request(app)
    .post('/cds-services/order-sign-advice')
    .send(requestFixture('order-sign.full-prefetch'))
    .expect(200);
  const card = (issued.body as { cards: { uuid: string }[] }).cards[0]!.uuid;
  await store.audit.flush();
  await request(app)
    .post('/cds-services/order-sign-advice/feedback')
    .send({
      feedback: [
        {
          card,
          outcome: 'overridden',
          overrideReason: { reason },
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    })
    .expect(200);
  return card;
}

describe('override reasons sent back without a display', () => {
  it('are labelled from the reasons our cards offered, in the summary and in the card detail', async () => {
    const card = await overrideACard({ system: OVERRIDE_REASON_SYSTEM, code: 'will-monitor' });
    await overrideACard({ system: 'https://ehr.example/reasons', code: 'local-42' });

    const summary = (await request(app).get('/audit/api/summary').set(auth).expect(200))
      .body as AuditOverview;
    expect(summary.overrideReasons).toEqual(
      expect.arrayContaining([
        { system: OVERRIDE_REASON_SYSTEM, code: 'will-monitor', display: 'Will monitor', count: 1 },
        { system: 'https://ehr.example/reasons', code: 'local-42', display: null, count: 1 },
      ]),
    );
    const detail = (await request(app).get(`/audit/api/cards/${card}`).set(auth).expect(200)).body as {
      feedback: { overrideReason: unknown }[];
    };
    expect(detail.feedback.map((f) => f.overrideReason)).toEqual([
      { system: OVERRIDE_REASON_SYSTEM, code: 'will-monitor', display: 'Will monitor' },
    ]);
  });
});
