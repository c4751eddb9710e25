/**
 * Exports and summaries over more rows than one page: the keyset scans must cross page boundaries (500 rows per
 * export page, 2000 per summary page) without losing or repeating a row.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { AuditOverview } from '../../../src/store/read/overviewShape.js';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import { testApp } from '../../helpers/testApp.js';
import { card, invocation, type Location, newLocation, openAt } from '../../int/store/helpers.js';

const TOKEN = 'export-test-token-0b93d4-71c6e8a2f5d9';
const CALLS = 2_101;

describe('exports and summaries over many pages', () => {
  let location: Location;
  let store: SqlStore;
  let app: Express;

  beforeAll(async () => {
    location = newLocation('sqlite');
    store = await openAt(location);
    for (let i = 0; i < CALLS; i += 1) {
      const hookInstance = randomUUID();
      store.audit.record(
        invocation(
          {
            hookInstance,
            startedAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
            durationMs: i + 1,
            cards: [card('order-sign-advice', hookInstance)],
          },
          1,
        ),
      );
    }
    await store.audit.flush();
    ({ app } = await testApp({ auditTokens: [TOKEN] }, { store }));
  }, 60_000);

  afterAll(async () => {
    await store.close();
  });

  it('streams every card once as NDJSON, newest first', async () => {
    const res = await request(app)
      .get('/audit/api/export/cards.ndjson')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    const rows = res.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { uuid: string; issuedAt: string });
    expect(rows).toHaveLength(CALLS);
    expect(new Set(rows.map((r) => r.uuid)).size).toBe(CALLS);
    const times = rows.map((r) => r.issuedAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('streams every invocation once as CSV', async () => {
    const res = await request(app)
      .get('/audit/api/export/invocations.csv')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(CALLS + 1);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(CALLS);
  });

  it('summarizes across summary pages: counts and nearest-rank percentiles of 1..2101 ms', async () => {
    const res = await request(app)
      .get('/audit/api/summary')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    const s = res.body as AuditOverview;
    expect(s.totals.invocations).toBe(CALLS);
    expect(s.totals.cards).toBe(CALLS);
    // Nearest rank: p50 = value at ceil(0.5 × 2101) = 1051, p90 at 1891, p95 at 1996, p99 at 2080.
    expect(s.latencyMs).toEqual({ count: CALLS, p50: 1051, p90: 1891, p95: 1996, p99: 2080, max: CALLS });
    expect(s.model.outcomes.timeout).toBe(CALLS);
    expect(s.perDay.reduce((sum, d) => sum + d.invocations, 0)).toBe(CALLS);
  });
});
