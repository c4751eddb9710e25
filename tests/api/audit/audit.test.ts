/**
 * The audit API over a known history (tests/api/audit/seed.ts), on SQLite and on the real PostgreSQL: every
 * number checked exactly, filters, paging, drill-down, streamed exports, precise 400s, and no data without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { CardDetail, CardResponses } from '../../../src/store/read/queries.js';
import type { AuditOverview } from '../../../src/store/read/overviewShape.js';
import type { ErrorDetail } from '../../../src/errors.js';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import type {
  Page,
  StoredCard,
  StoredFeedback,
  StoredInvocation,
  StoredOverrideRepeat,
} from '../../../src/store/types.js';
import { testApp } from '../../helpers/testApp.js';
import { DIALECTS, dropLocation, type Location, newLocation, openAt } from '../../int/store/helpers.js';
import {
  DUPLICATE,
  INTERACTION,
  MODEL,
  OVERRIDE_SYSTEM,
  PROMPT,
  RENAL,
  type Seeded,
  seedAudit,
} from './seed.js';

const TOKEN = 'audit-test-token-4c1f9a-e2d85b7a0c36';

type CardPage = Page<StoredCard & { responses: CardResponses }>;
interface ErrorBody {
  error: { code: string; details: ErrorDetail[] };
}
const auth = { Authorization: `Bearer ${TOKEN}` };

describe.each(DIALECTS)('audit API on %s', (dialect) => {
  let location: Location;
  let store: SqlStore;
  let app: Express;
  let seeded: Seeded;

  beforeAll(async () => {
    location = newLocation(dialect);
    store = await openAt(location);
    seeded = await seedAudit(store);
    ({ app } = await testApp({ auditTokens: [TOKEN] }, { store }));
  });

  afterAll(async () => {
    await store.close();
    await dropLocation(location);
  });

  const get = (path: string) => request(app).get(path).set(auth);
  /** The body of a 200, typed as the API declares it. */
  const json = async <T>(path: string): Promise<T> => (await get(path).expect(200)).body as T;

  it('summarizes volume, cards per invocation, rates, reasons, the model and latency exactly', async () => {
    const s = await json<AuditOverview>('/audit/api/summary');
    expect(s.totals).toEqual({
      invocations: 5,
      invocationsByOutcome: { ok: 5, 'precondition-failed': 0, error: 0 },
      cards: 7,
      feedback: 6,
      accepted: 2,
      overridden: 4,
      acceptanceRate: 0.3333,
      overrideRate: 0.6667,
    });
    expect(s.perDay).toEqual([
      { day: '2026-11-20', invocations: 2, cards: 5, accepted: 2, overridden: 2 },
      { day: '2026-11-21', invocations: 3, cards: 2, accepted: 0, overridden: 2 },
    ]);
    expect(s.cardsPerInvocation).toEqual({
      mean: 1.4,
      distribution: [
        { cards: 0, invocations: 1 },
        { cards: 1, invocations: 2 },
        { cards: 2, invocations: 1 },
        { cards: 3, invocations: 1 },
      ],
    });
    expect(s.byService).toEqual([
      {
        serviceId: 'order-select-advice',
        cards: 6,
        feedback: 5,
        accepted: 2,
        overridden: 3,
        acceptanceRate: 0.4,
        overrideRate: 0.6,
      },
      {
        serviceId: 'order-sign-advice',
        cards: 1,
        feedback: 1,
        accepted: 0,
        overridden: 1,
        acceptanceRate: 0,
        overrideRate: 1,
      },
    ]);
    expect(s.byAdvisor).toEqual({
      rules: { cards: 5, feedback: 4, accepted: 1, overridden: 3, acceptanceRate: 0.25, overrideRate: 0.75 },
      model: { cards: 2, feedback: 2, accepted: 1, overridden: 1, acceptanceRate: 0.5, overrideRate: 0.5 },
    });
    expect(s.byRule).toEqual([
      {
        ruleId: DUPLICATE,
        cards: 1,
        feedback: 0,
        accepted: 0,
        overridden: 0,
        acceptanceRate: null,
        overrideRate: null,
      },
      {
        ruleId: INTERACTION,
        cards: 3,
        feedback: 3,
        accepted: 0,
        overridden: 3,
        acceptanceRate: 0,
        overrideRate: 1,
      },
      {
        ruleId: RENAL,
        cards: 1,
        feedback: 1,
        accepted: 1,
        overridden: 0,
        acceptanceRate: 1,
        overrideRate: 0,
      },
    ]);
    expect(s.byModel).toEqual([
      {
        model: MODEL,
        promptVersion: PROMPT,
        cards: 2,
        feedback: 2,
        accepted: 1,
        overridden: 1,
        acceptanceRate: 0.5,
        overrideRate: 0.5,
      },
    ]);
    const benefit = {
      system: OVERRIDE_SYSTEM,
      code: 'benefit-outweighs-risk',
      display: 'Benefit outweighs risk',
    };
    const monitoring = { system: OVERRIDE_SYSTEM, code: 'already-monitoring', display: 'Already monitoring' };
    const none = { system: null, code: null, display: null };
    expect(s.overrideReasons).toEqual([
      { ...benefit, count: 2 },
      { ...none, count: 1 },
      { ...monitoring, count: 1 },
    ]);
    expect(s.alertFatigue).toEqual([
      {
        advisor: 'rules',
        key: INTERACTION,
        cards: 3,
        feedback: 3,
        accepted: 0,
        overridden: 3,
        acceptanceRate: 0,
        overrideRate: 1,
        reasons: [
          { ...benefit, count: 2 },
          { ...monitoring, count: 1 },
        ],
      },
      {
        advisor: 'model',
        key: MODEL,
        cards: 2,
        feedback: 2,
        accepted: 1,
        overridden: 1,
        acceptanceRate: 0.5,
        overrideRate: 0.5,
        reasons: [{ ...none, count: 1 }],
      },
    ]);
    expect(s.model).toEqual({
      invocations: 5,
      consulted: 5,
      withAdvice: 2,
      adviceShare: 0.4,
      outcomes: {
        ok: 1,
        cached: 0,
        timeout: 1,
        error: 1,
        'rate-limited': 0,
        'circuit-open': 1,
        rejected: 1,
        disabled: 0,
      },
      // Calls that ran: 800, 1900, 1200, 300 (circuit-open never called the model).
      latencyMs: { count: 4, p50: 800, p90: 1900, p95: 1900, p99: 1900, max: 1900 },
    });
    expect(s.latencyMs).toEqual({ count: 5, p50: 300, p90: 500, p95: 500, p99: 500, max: 500 });
    expect(s.overrideRepeats).toEqual({ suppressed: 1, shown: 0 });
    expect(s.dataGaps).toEqual({ invocations: 1 });
  });

  it('lists what order-sign left out because it was overridden at selection, with the override it rests on', async () => {
    const repeats = await json<Page<StoredOverrideRepeat>>('/audit/api/override-repeats');
    expect(repeats.items).toEqual([
      {
        invocationSeq: expect.any(Number),
        serviceId: 'order-sign-advice',
        hookInstance: seeded.invocations[2]!.hookInstance,
        decision: 'suppressed',
        findingKey: INTERACTION,
        advisor: 'rules',
        ruleId: INTERACTION,
        model: null,
        indicator: 'warning',
        summary: 'Warfarin with ibuprofen raises bleeding risk',
        evidence: ['MedicationRequest/draft-1', 'MedicationRequest/warfarin-1'],
        draftOrders: ['MedicationRequest/draft-1'],
        cardUuid: null,
        overrideCardUuid: seeded.cards.RA.uuid,
        overrideReason: {
          system: OVERRIDE_SYSTEM,
          code: 'benefit-outweighs-risk',
          display: 'Benefit outweighs risk',
        },
        overriddenAt: '2026-11-22T12:00:00.000Z',
        issuedAt: '2026-11-21T08:00:00.000Z',
      },
    ]);
    expect(
      (await json<Page<StoredOverrideRepeat>>('/audit/api/override-repeats?decision=shown')).items,
    ).toEqual([]);
    expect(
      (await json<Page<StoredOverrideRepeat>>('/audit/api/override-repeats?service=order-select-advice'))
        .items,
    ).toEqual([]);
    // The overridden card says what its override quieted later.
    const detail = await json<CardDetail>(`/audit/api/cards/${seeded.cards.RA.uuid}`);
    expect(detail.overrideRepeats.map((r) => r.decision)).toEqual(['suppressed']);
    await get('/audit/api/override-repeats?decision=maybe').expect(400);
  });

  it('shows on the invocation what data was missing and which checks could not run for it', async () => {
    const views = await json<Page<StoredInvocation>>('/audit/api/invocations?service=patient-view-advice');
    expect(views.items[0]).toMatchObject({
      missingData: [{ key: 'labs', reason: 'no fhirServer was given' }],
      dataGaps: [
        {
          check: 'monitoring',
          label: 'lab monitoring',
          data: 'labs',
          drug: 'warfarin',
          medication: 'MedicationRequest/warfarin-1',
        },
      ],
    });
  });

  it('narrows the summary by service, by day (a date in `to` includes that day) and by rule', async () => {
    const select = await json<AuditOverview>('/audit/api/summary?service=order-select-advice');
    expect([select.totals.invocations, select.totals.cards, select.totals.overridden]).toEqual([3, 6, 3]);
    expect(select.model.withAdvice).toBe(2);

    const day2 = await json<AuditOverview>('/audit/api/summary?from=2026-11-21&to=2026-11-21');
    expect(day2.from).toBe('2026-11-21T00:00:00.000Z');
    expect(day2.to).toBe('2026-11-22T00:00:00.000Z');
    expect([
      day2.totals.invocations,
      day2.totals.cards,
      day2.totals.accepted,
      day2.totals.overridden,
    ]).toEqual([3, 2, 0, 2]);
    expect(day2.latencyMs.p50).toBe(400);

    const rule = await json<AuditOverview>(`/audit/api/summary?rule=${encodeURIComponent(INTERACTION)}`);
    // Invocations that showed the rule (I1, I2, I3) and only that rule's cards.
    expect([rule.totals.invocations, rule.totals.cards, rule.totals.overridden]).toEqual([3, 3, 3]);
  });

  it('lists cards with filters, newest first, and pages through them with a cursor', async () => {
    const byRule = await json<CardPage>(`/audit/api/cards?rule=${encodeURIComponent(INTERACTION)}`);
    expect(byRule.items.map((c) => c.uuid)).toEqual(
      [seeded.cards.RA3, seeded.cards.RA2, seeded.cards.RA].map((c) => c.uuid),
    );
    const acceptedCards = await json<CardPage>('/audit/api/cards?outcome=accepted');
    expect(acceptedCards.items.map((c) => c.uuid)).toEqual([seeded.cards.RB.uuid, seeded.cards.M1.uuid]);
    // Each listed card says how clinicians answered it.
    expect(acceptedCards.items.map((c) => c.responses)).toEqual([
      { accepted: 1, overridden: 0 },
      { accepted: 1, overridden: 0 },
    ]);
    const unanswered = await json<CardPage>('/audit/api/cards?outcome=none');
    expect(unanswered.items.map((c) => c.uuid)).toEqual([seeded.cards.RC.uuid]);
    const critical = await json<CardPage>('/audit/api/cards?indicator=critical&service=order-select-advice');
    expect(critical.items).toHaveLength(1);
    expect(critical.items[0]).toMatchObject({ uuid: seeded.cards.RB.uuid, ruleId: RENAL, advisor: 'rules' });
    const modelCards = await json<CardPage>(`/audit/api/cards?model=${MODEL}`);
    expect(modelCards.items.map((c) => c.promptVersion)).toEqual([PROMPT, PROMPT]);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await json<CardPage>(`/audit/api/cards?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((c) => c.uuid));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
  });

  it('lists invocations by model outcome and by the advisor whose cards they showed', async () => {
    const timeouts = await json<Page<StoredInvocation>>('/audit/api/invocations?modelStatus=timeout');
    expect(timeouts.items.map((i) => i.hookInstance)).toEqual([seeded.invocations[1]!.hookInstance]);
    const withModelCards = await json<Page<StoredInvocation>>('/audit/api/invocations?advisor=model');
    expect(withModelCards.items.map((i) => i.durationMs)).toEqual([500, 100]);
    const all = await json<Page<StoredInvocation>>('/audit/api/invocations?outcome=ok&limit=1000');
    expect(all.items).toHaveLength(5);
    expect(all.nextCursor).toBeUndefined();
  });

  it('lists feedback by outcome and by the advisor of the card it answers', async () => {
    const overridden = await json<Page<StoredFeedback>>('/audit/api/feedback?outcome=overridden');
    expect(overridden.items).toHaveLength(4);
    const onModelCards = await json<Page<StoredFeedback>>('/audit/api/feedback?advisor=model');
    expect(onModelCards.items.map((f) => f.cardUuid).sort()).toEqual(
      [seeded.cards.M1.uuid, seeded.cards.M2.uuid].sort(),
    );
  });

  it('drills down to one card: what was shown, its evidence and provenance, its hook call and its feedback', async () => {
    const detail = await json<CardDetail>(`/audit/api/cards/${seeded.cards.RA.uuid}`);
    expect(detail.card).toMatchObject({
      uuid: seeded.cards.RA.uuid,
      serviceId: 'order-select-advice',
      advisor: 'rules',
      ruleId: INTERACTION,
      indicator: 'warning',
      summary: 'Warfarin with ibuprofen raises bleeding risk',
      evidence: ['MedicationRequest/draft-1', 'Observation/egfr-1'],
      issuedAt: '2026-11-20T09:00:00.000Z',
    });
    expect(detail.invocation).toMatchObject({ hook: 'order-select', durationMs: 100, cardCount: 2 });
    expect(detail.feedback).toHaveLength(1);
    expect(detail.feedback[0]).toMatchObject({
      outcome: 'overridden',
      overrideReason: {
        system: OVERRIDE_SYSTEM,
        code: 'benefit-outweighs-risk',
        display: 'Benefit outweighs risk',
      },
    });
    await get('/audit/api/cards/no-such-card').expect(404);
  });

  it('streams CSV and NDJSON exports of the filtered rows, defusing spreadsheet formulas', async () => {
    const csv = await get('/audit/api/export/cards.csv').expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="cards-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'uuid,issuedAt,serviceId,hookInstance,advisor,ruleId,model,promptVersion,indicator,summary,evidence,suggestionUuids',
    );
    expect(lines).toHaveLength(8);
    const formula = lines.find((l) => l.startsWith(seeded.cards.M2.uuid))!;
    expect(formula).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);

    const ndjson = await get('/audit/api/export/invocations.ndjson?service=order-select-advice').expect(200);
    expect(ndjson.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const rows = ndjson.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { durationMs: number });
    expect(rows.map((r) => r.durationMs)).toEqual([500, 200, 100]);

    const feedback = await get('/audit/api/export/feedback.csv?outcome=accepted').expect(200);
    expect(feedback.text.trimEnd().split('\r\n')).toHaveLength(3);
  });

  it('answers precise 400s for bad query parameters', async () => {
    const cases: [string, string, RegExp][] = [
      ['/audit/api/cards?limit=0', '/query/limit', /1 to 1000/],
      ['/audit/api/cards?colour=red', '/query/colour', /not a known parameter/],
      ['/audit/api/invocations?outcome=accepted', '/query/outcome', /must be one of/],
      ['/audit/api/summary?from=yesterday', '/query/from', /RFC 3339/],
      ['/audit/api/summary?from=2026-11-22&to=2026-11-21', '/query/to', /after from/],
      ['/audit/api/summary?limit=5', '/query/limit', /not a known parameter/],
      ['/audit/api/cards?cursor=abc', '/query/cursor', /cursor/],
      ['/audit/api/export/cards.csv?limit=5', '/query/limit', /not paged/],
      ['/audit/api/cards?service=a&service=b', '/query/service', /given once/],
    ];
    for (const [path, pointer, message] of cases) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 400]);
      const { error } = res.body as ErrorBody;
      expect(error.code).toBe('validation_failed');
      expect(error.details).toEqual(
        expect.arrayContaining([{ path: pointer, message: expect.stringMatching(message) }]),
      );
    }
    await get('/audit/api/export/everything.xlsx').expect(404);
  });

  it('shows nothing without a valid token', async () => {
    for (const path of [
      '/audit/api/summary',
      '/audit/api/cards',
      `/audit/api/cards/${seeded.cards.RA.uuid}`,
      '/audit/api/export/cards.csv',
    ]) {
      const anonymous = await request(app).get(path);
      expect([path, anonymous.status]).toEqual([path, 401]);
      expect(JSON.stringify(anonymous.body)).not.toContain('Warfarin');
      const wrong = await request(app).get(path).set('Authorization', 'Bearer not-the-token');
      expect(wrong.status).toBe(401);
    }
  });
});
