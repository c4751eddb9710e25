/**
 * One store suite, run against both SQLite (a temp DATA_DIR) and the real PostgreSQL (a fresh schema): audit
 * records, feedback, idempotency, flags, atomicity, queries, the hash chain, retention, settings, restarts.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import {
  accepted,
  DIALECTS,
  dropLocation,
  invocation,
  type Location,
  newLocation,
  openAt,
  overridden,
} from './helpers.js';
import { storeFixture } from './storeFixture.js';

describe.each(DIALECTS)('store on %s', (dialect) => {
  const fx = storeFixture(dialect);

  it('writes queued invocations with their cards and advisor runs, read back newest first', async () => {
    const first = invocation({ serviceId: 'patient-view-advice', hook: 'patient-view' });
    const second = invocation({ outcome: 'precondition-failed' }, 0);
    fx.store.audit.record(first);
    fx.store.audit.record(second);
    await fx.store.audit.flush();

    const invocations = await fx.store.read.listInvocations({ hookInstance: first.hookInstance });
    expect(invocations.items).toHaveLength(1);
    expect(invocations.items[0]).toMatchObject({
      hookInstance: first.hookInstance,
      serviceId: 'patient-view-advice',
      hook: 'patient-view',
      startedAt: first.startedAt.toISOString(),
      durationMs: 12.375,
      outcome: 'ok',
      patientPseudonym: 'pseudo-abc',
      advisors: first.advisors,
      cardCount: 2,
    });
    const cards = await fx.store.read.listCards({ hookInstance: first.hookInstance });
    expect(cards.items.map((c) => c.uuid).sort()).toEqual(first.cards.map((c) => c.uuid).sort());
    expect(cards.items[0]).toMatchObject({
      serviceId: 'patient-view-advice',
      advisor: 'rules',
      ruleId: 'interaction:warfarin|ibuprofen',
      model: null,
      indicator: 'warning',
      evidence: ['MedicationRequest/1', 'MedicationRequest/2'],
    });
    const newest = await fx.store.read.listInvocations({ limit: 1 });
    expect(newest.items[0]?.hookInstance).toBe(second.hookInstance);
  });

  it('finds overrides with a reason on order-select cards of this scope within the window, and only those', async () => {
    const scope = { patientPseudonym: 'pseudo-window', userPseudonym: 'user-1', clientPseudonym: 'client-1' };
    const selected = (
      findingKey: string,
      overrides: Partial<ReturnType<typeof invocation>> = {},
    ): ReturnType<typeof invocation> => {
      const record = invocation({
        serviceId: 'order-select-advice',
        hook: 'order-select',
        ...scope,
        ...overrides,
      });
      return {
        ...record,
        cards: record.cards.map((c) => ({ ...c, findingKey, draftOrders: ['MedicationRequest/d1'] })),
      };
    };
    const selectedMine = selected('interaction:warfarin|ibuprofen');
    // A card that speaks for narrower keys too (one card for a drug's several interactions) keeps them.
    const mine = {
      ...selectedMine,
      cards: selectedMine.cards.map((c, i) =>
        i === 0 ? { ...c, covers: ['interaction:ibuprofen|warfarin', 'lab:inr|warfarin'] } : c,
      ),
    };
    const noReason = selected('allergy:penicillin');
    const old = selected('duplicate:statin', { startedAt: new Date(Date.now() - 3 * 3_600_000) });
    const otherUser = selected('renal:metformin', { userPseudonym: 'user-2' });
    const otherClient = selected('lab:potassium|spironolactone', { clientPseudonym: 'client-2' });
    const atSigning = selected('condition:heart-failure|ibuprofen', {
      serviceId: 'order-sign-advice',
      hook: 'order-sign',
    });
    const fromElsewhere = selected('monitoring:inr|warfarin');
    const records = [mine, noReason, old, otherUser, otherClient, atSigning, fromElsewhere];
    for (const r of records) fx.store.audit.record(r);
    await fx.store.audit.flush();
    const overrideOf = (r: ReturnType<typeof invocation>) => overridden(r.cards[0]!.uuid);
    await fx.store.recordFeedback(
      'order-select-advice',
      [mine, old, otherUser, fromElsewhere].map(overrideOf).concat({
        card: noReason.cards[0]!.uuid,
        outcome: 'overridden',
        outcomeTimestamp: '2026-11-24T10:01:00Z',
      }),
      'client-1',
    );
    await fx.store.recordFeedback('order-select-advice', [overrideOf(otherClient)], 'client-2');
    await fx.store.recordFeedback('order-sign-advice', [overrideOf(atSigning)], 'client-1');
    // Sent by another client for a card of client-1's: not client-1's clinician's decision.
    await fx.store.recordFeedback(
      'order-select-advice',
      [overridden(fromElsewhere.cards[1]!.uuid)],
      'client-2',
    );

    const since = new Date(Date.now() - 3_600_000);
    const found = await fx.store.selectionOverrides(scope, since);
    expect(found.map((o) => o.findingKey).sort()).toEqual([
      'interaction:warfarin|ibuprofen',
      'monitoring:inr|warfarin',
    ]);
    expect(found.find((o) => o.findingKey.startsWith('interaction'))).toEqual({
      cardUuid: mine.cards[0]!.uuid,
      findingKey: 'interaction:warfarin|ibuprofen',
      draftOrders: ['MedicationRequest/d1'],
      covers: ['interaction:ibuprofen|warfarin', 'lab:inr|warfarin'],
      indicator: 'warning',
      reason: { system: 'http://example.org/override', code: 'benefit-outweighs-risk' },
      overriddenAt: '2026-11-24T10:01:00.000Z',
    });
    expect(found.find((o) => o.findingKey.startsWith('monitoring'))?.covers).toBeUndefined();
    expect(await fx.store.selectionOverrides({ ...scope, patientPseudonym: 'pseudo-nobody' }, since)).toEqual(
      [],
    );
  });

  it('keeps scope, data gaps and override repeats on the invocation, under its hash', async () => {
    const record = invocation({
      clientPseudonym: 'client-1',
      userPseudonym: 'user-1',
      missingData: [{ key: 'labs', reason: 'no fhirServer was given' }],
      dataGaps: [
        {
          check: 'renal',
          label: 'renal dosing',
          data: 'labs',
          drug: 'metformin',
          medication: 'MedicationRequest/d1',
        },
      ],
      overrideRepeats: [
        {
          decision: 'suppressed',
          findingKey: 'interaction:ibuprofen|warfarin',
          advisor: 'rules',
          ruleId: 'interactions/anticoagulant-nsaid',
          indicator: 'warning',
          summary: 'Ibuprofen + warfarin: increased bleeding risk',
          evidence: ['MedicationRequest/d1', 'MedicationRequest/w1'],
          draftOrders: ['MedicationRequest/d1'],
          override: {
            cardUuid: 'select-card',
            findingKey: 'interaction:ibuprofen|warfarin',
            draftOrders: ['MedicationRequest/d1'],
            reason: { system: 'http://example.org/override', code: 'benefit-outweighs-risk' },
            overriddenAt: '2026-11-24T10:01:00.000Z',
          },
        },
      ],
    });
    fx.store.audit.record(record);
    await fx.store.audit.flush();

    const [stored] = (await fx.store.read.listInvocations({ hookInstance: record.hookInstance })).items;
    expect(stored).toMatchObject({
      clientPseudonym: 'client-1',
      userPseudonym: 'user-1',
      missingData: record.missingData,
      dataGaps: record.dataGaps,
    });
    expect(await fx.store.verifyChain()).toMatchObject({ ok: true });
    // A repeat edited after the fact breaks its invocation's link.
    await fx.store.db
      .updateTable('override_repeats')
      .set({ decision: 'shown' })
      .where('invocation_seq', '=', stored!.seq)
      .execute();
    const report = await fx.store.verifyChain();
    expect(report.ok).toBe(false);
    expect(report.breaks[0]).toMatchObject({
      chain: 'invocations',
      seq: stored!.seq,
      reason: 'hash-mismatch',
    });
    await fx.store.db
      .updateTable('override_repeats')
      .set({ decision: 'suppressed' })
      .where('invocation_seq', '=', stored!.seq)
      .execute();
    expect((await fx.store.verifyChain()).ok).toBe(true);
  });

  it('keeps what each suggestion would do on its card, under its hash; cards without keep null', async () => {
    const plain = invocation({}, 1);
    const summaries = [
      {
        uuid: 'sug-1',
        label: 'Replace ibuprofen with acetaminophen',
        actions: [
          { type: 'delete' as const, resourceType: 'MedicationRequest', target: 'MedicationRequest/d1' },
          {
            type: 'create' as const,
            resourceType: 'MedicationRequest',
            code: 'http://www.nlm.nih.gov/research/umls/rxnorm|161',
            display: 'acetaminophen',
          },
        ],
      },
    ];
    const base = invocation({}, 1);
    const withSummaries = invocation({
      cards: [{ ...base.cards[0]!, suggestionUuids: ['sug-1'], suggestions: summaries }],
    });
    fx.store.audit.record(plain);
    fx.store.audit.record(withSummaries);
    await fx.store.audit.flush();

    const read = async (uuid: string) => (await fx.store.read.cardDetail(uuid))!.card;
    expect((await read(plain.cards[0]!.uuid)).suggestions).toBeNull();
    expect((await read(withSummaries.cards[0]!.uuid)).suggestions).toEqual(summaries);
    expect((await fx.store.verifyChain()).ok).toBe(true);

    // Dropping the summaries of a card chained with them breaks its invocation's link.
    await fx.store.db
      .updateTable('cards')
      .set({ suggestion_summaries: null })
      .where('uuid', '=', withSummaries.cards[0]!.uuid)
      .execute();
    expect((await fx.store.verifyChain()).breaks[0]).toMatchObject({
      chain: 'invocations',
      reason: 'hash-mismatch',
    });
    await fx.store.db
      .updateTable('cards')
      .set({ suggestion_summaries: JSON.stringify(summaries) })
      .where('uuid', '=', withSummaries.cards[0]!.uuid)
      .execute();
    expect((await fx.store.verifyChain()).ok).toBe(true);
  });

  it('stores a feedback item once however often it is sent, even spelled with another timestamp precision', async () => {
    const record = invocation();
    fx.store.audit.record(record);
    await fx.store.audit.flush();
    const item = accepted(record.cards[0]!, '2026-11-24T10:00:00.52Z');

    const first = await fx.store.recordFeedback('order-sign-advice', [item, item]);
    const again = await fx.store.recordFeedback('order-sign-advice', [
      { ...item, outcomeTimestamp: '2026-11-24T10:00:00.520Z' },
    ]);

    expect(first).toEqual({ stored: 1, duplicates: 1, flagged: 0 });
    expect(again).toEqual({ stored: 0, duplicates: 1, flagged: 0 });
    const stored = await fx.store.read.listFeedback({ cardUuid: record.cards[0]!.uuid });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({
      outcome: 'accepted',
      acceptedSuggestions: [record.cards[0]!.suggestionUuids[0]],
      outcomeAt: '2026-11-24T10:00:00.520Z',
      flag: null,
    });
  });

  it('stores and flags feedback about an unknown card, a card of another service and an unknown suggestion', async () => {
    const record = invocation();
    fx.store.audit.record(record);
    await fx.store.audit.flush();
    const [c1, c2] = record.cards;

    const result = await fx.store.recordFeedback('order-sign-advice', [
      overridden('no-such-card'),
      { ...accepted(c1!), acceptedSuggestions: [{ id: 'not-a-suggestion-of-this-card' }] },
      overridden(c2!.uuid, 'ok'),
    ]);
    const otherService = await fx.store.recordFeedback('patient-view-advice', [accepted(c1!)]);

    expect(result).toEqual({ stored: 3, duplicates: 0, flagged: 2 });
    expect(otherService.flagged).toBe(1);
    const flags = async (cardUuid: string): Promise<(string | null)[]> =>
      (await fx.store.read.listFeedback({ cardUuid })).items.map((f) => f.flag);
    expect(await flags('no-such-card')).toEqual(['unknown-card']);
    expect((await flags(c1!.uuid)).sort()).toEqual(['other-service', 'unknown-suggestion']);
    expect(await flags(c2!.uuid)).toEqual([null]);
    const flagged = await fx.store.read.listFeedback({ flagged: true, limit: 1000 });
    expect(flagged.items.every((f) => f.flag !== null)).toBe(true);
  });

  it('keeps the override reason and the clinician comment for the safety team', async () => {
    await fx.store.recordFeedback('order-sign-advice', [
      overridden('comment-card', 'Pt tolerates; INR monitored weekly'),
    ]);
    const [item] = (await fx.store.read.listFeedback({ cardUuid: 'comment-card' })).items;
    expect(item?.overrideReason).toEqual({
      system: 'http://example.org/override',
      code: 'benefit-outweighs-risk',
    });
    expect(item?.userComment).toBe('Pt tolerates; INR monitored weekly');
  });

  it('finds a card still waiting in the audit queue, so fresh feedback about it is not flagged', async () => {
    const record = invocation();
    fx.store.audit.record(record);
    const result = await fx.store.recordFeedback('order-sign-advice', [accepted(record.cards[0]!)]);
    await fx.store.audit.flush();
    expect(result.flagged).toBe(0);
  });

  it('writes every item of a request or none of them', async () => {
    // A trigger that refuses one card: the failure comes after other items of the same request were inserted.
    if (dialect === 'sqlite') {
      await sql`create trigger refuse_poison before insert on feedback when new.card_uuid = 'poison'
        begin select raise(abort, 'poison refused'); end`.execute(fx.store.db);
    } else {
      await sql`create function refuse_poison() returns trigger language plpgsql as $$
        begin if new.card_uuid = 'poison' then raise exception 'poison refused'; end if; return new; end $$`.execute(
        fx.store.db,
      );
      await sql`create trigger refuse_poison before insert on feedback for each row execute function refuse_poison()`.execute(
        fx.store.db,
      );
    }
    const items = Array.from({ length: 250 }, (_, i) => overridden(`batch-card-${i}`));
    items.push(overridden('poison'));

    await expect(fx.store.recordFeedback('order-sign-advice', items)).rejects.toMatchObject({
      code: 'service_unavailable',
    });

    expect((await fx.store.read.listFeedback({ cardUuid: 'batch-card-0' })).items).toHaveLength(0);
    expect((await fx.store.verifyChain()).ok).toBe(true);
    await sql`drop trigger refuse_poison${sql.raw(dialect === 'postgres' ? ' on feedback' : '')}`.execute(
      fx.store.db,
    );
    expect((await fx.store.recordFeedback('order-sign-advice', items.slice(0, 3))).stored).toBe(3);
  });

  it('pages through invocations, cards and feedback with cursors, and filters them', async () => {
    const service = `paging-${dialect}`;
    for (let i = 0; i < 5; i += 1) fx.store.audit.record(invocation({ serviceId: service }, 1));
    await fx.store.audit.flush();
    await fx.store.recordFeedback(
      service,
      [1, 2, 3].map((i) => overridden(`paging-card-${i}`)),
    );

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.store.read.listInvocations({
        serviceId: service,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((i) => i.hookInstance));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(5);

    const cardPage = await fx.store.read.listCards({ serviceId: service, limit: 3 });
    const rest = await fx.store.read.listCards({
      serviceId: service,
      limit: 3,
      cursor: cardPage.nextCursor!,
    });
    expect(cardPage.items).toHaveLength(3);
    expect(rest.items).toHaveLength(2);
    expect(rest.nextCursor).toBeUndefined();

    const feedback = await fx.store.read.listFeedback({
      serviceId: service,
      outcome: 'overridden',
      limit: 2,
    });
    expect(feedback.items).toHaveLength(2);
    expect(
      (await fx.store.read.listFeedback({ serviceId: service, cursor: feedback.nextCursor! })).items,
    ).toHaveLength(1);
    expect(
      (await fx.store.read.listFeedback({ serviceId: service, outcome: 'accepted' })).items,
    ).toHaveLength(0);
    expect((await fx.store.read.listInvocations({ serviceId: service, to: new Date(0) })).items).toHaveLength(
      0,
    );
    await expect(fx.store.read.listFeedback({ cursor: 'nonsense' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('summarizes invocations, cards and feedback per service', async () => {
    const service = `summary-${dialect}`;
    const record = invocation({ serviceId: service, durationMs: 10 }, 2);
    fx.store.audit.record(record);
    fx.store.audit.record(invocation({ serviceId: service, durationMs: 30, outcome: 'error' }, 0));
    await fx.store.audit.flush();
    await fx.store.recordFeedback(service, [
      accepted(record.cards[0]!),
      overridden(record.cards[1]!.uuid),
      overridden('ghost'),
    ]);

    const summary = await fx.store.read.summary();
    const mine = summary.services.find((s) => s.serviceId === service);
    expect(mine).toEqual({
      serviceId: service,
      invocations: 2,
      invocationsByOutcome: { ok: 1, 'precondition-failed': 0, error: 1 },
      meanDurationMs: 20,
      maxDurationMs: 30,
      cards: 2,
      cardsByAdvisor: { rules: 2, model: 0 },
      cardsByIndicator: { info: 0, warning: 2, critical: 0 },
      feedback: 3,
      accepted: 1,
      overridden: 2,
      flaggedFeedback: 1,
    });
  });

  it('remembers a JWT id until it expires and refuses its replay', async () => {
    const expires = new Date(Date.now() + 60_000);
    expect(await fx.store.rememberJti('https://ehr.example.org', 'jti-1', expires)).toBe(true);
    expect(await fx.store.rememberJti('https://ehr.example.org', 'jti-1', expires)).toBe(false);
    expect(await fx.store.rememberJti('https://other.example.org', 'jti-1', expires)).toBe(true);
    await fx.store.maintain(new Date(Date.now() + 120_000));
    expect(await fx.store.rememberJti('https://ehr.example.org', 'jti-1', expires)).toBe(true);
  });

  it('calls a jti fresh exactly once when many requests remember it at the same moment', async () => {
    const expires = new Date(Date.now() + 60_000);
    const calls = Array.from({ length: 200 }, (_, i) =>
      fx.store.rememberJti('https://ehr.example.org', `burst-${i % 50}`, expires),
    );
    const fresh = await Promise.all(calls);
    const freshPerJti = new Map<number, number>();
    fresh.forEach((f, i) => freshPerJti.set(i % 50, (freshPerJti.get(i % 50) ?? 0) + (f ? 1 : 0)));
    expect([...freshPerJti.values()]).toEqual(Array.from({ length: 50 }, () => 1));
  });
});

describe.each(DIALECTS)('hash chain on %s', (dialect) => {
  const fx = storeFixture(dialect, { auditRetentionDays: 1 });

  it('verifies untouched chains, then names the first edited, deleted or truncated row', async () => {
    const records = Array.from({ length: 4 }, () => invocation());
    records.forEach((r) => fx.store.audit.record(r));
    await fx.store.audit.flush();
    await fx.store.recordFeedback('order-sign-advice', [
      overridden('c-1', 'first'),
      overridden('c-2', 'second'),
    ]);
    expect(await fx.store.verifyChain()).toEqual({
      ok: true,
      checked: { invocations: 4, feedback: 2 },
      breaks: [],
    });

    // An edited card breaks its invocation's link; an edited comment breaks the feedback link.
    await fx.store.db
      .updateTable('cards')
      .set({ summary: 'nothing to see' })
      .where('uuid', '=', records[2]!.cards[1]!.uuid)
      .execute();
    await fx.store.db
      .updateTable('feedback')
      .set({ user_comment: 'rewritten' })
      .where('seq', '=', 2)
      .execute();
    const edited = await fx.store.verifyChain();
    expect(edited.ok).toBe(false);
    expect(edited.breaks).toEqual([
      expect.objectContaining({ chain: 'invocations', seq: 3, reason: 'hash-mismatch' }),
      expect.objectContaining({ chain: 'feedback', seq: 2, reason: 'hash-mismatch' }),
    ]);
    await fx.store.db
      .updateTable('cards')
      .set({ summary: records[2]!.cards[1]!.summary })
      .where('uuid', '=', records[2]!.cards[1]!.uuid)
      .execute();
    await fx.store.db.updateTable('feedback').set({ user_comment: 'second' }).where('seq', '=', 2).execute();
    expect((await fx.store.verifyChain()).ok).toBe(true);

    await fx.store.db.deleteFrom('cards').where('invocation_seq', '=', 2).execute();
    await fx.store.db.deleteFrom('invocations').where('seq', '=', 2).execute();
    expect((await fx.store.verifyChain()).breaks[0]).toMatchObject({
      chain: 'invocations',
      seq: 2,
      reason: 'sequence-gap',
    });

    await fx.store.db.deleteFrom('feedback').where('seq', '=', 2).execute();
    expect((await fx.store.verifyChain()).breaks).toContainEqual(
      expect.objectContaining({ chain: 'feedback', seq: 2, reason: 'head-mismatch' }),
    );
  });
});

describe.each(DIALECTS)('retention on %s', (dialect) => {
  const fx = storeFixture(dialect, { auditRetentionDays: 1 });

  it('purges rows older than AUDIT_RETENTION_DAYS and the rest of the chain still verifies', async () => {
    const old = Array.from({ length: 3 }, () => invocation());
    old.forEach((r) => fx.store.audit.record(r));
    await fx.store.audit.flush();
    await fx.store.recordFeedback('order-sign-advice', [overridden('old-card')]);
    const boundary = (await fx.store.read.listFeedback({ limit: 1 })).items[0]!.receivedAt;
    // Everything written from here on is recorded strictly after `boundary`.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const young = invocation();
    fx.store.audit.record(young);
    await fx.store.audit.flush();
    await fx.store.recordFeedback('order-sign-advice', [overridden('young-card')]);

    // "now" one day after the boundary: rows at or before it are past a one-day retention.
    await fx.store.maintain(new Date(new Date(boundary).getTime() + 24 * 60 * 60 * 1000 + 1));

    const invocations = await fx.store.read.listInvocations();
    expect(invocations.items.map((i) => i.hookInstance)).toEqual([young.hookInstance]);
    expect((await fx.store.read.listCards()).items).toHaveLength(young.cards.length);
    expect((await fx.store.read.listFeedback()).items.map((f) => f.cardUuid)).toEqual(['young-card']);
    expect(await fx.store.verifyChain()).toEqual({
      ok: true,
      checked: { invocations: 1, feedback: 1 },
      breaks: [],
    });

    fx.store.audit.record(invocation());
    await fx.store.audit.flush();
    expect((await fx.store.verifyChain()).ok).toBe(true);
  });
});

describe.each(DIALECTS)('restarts and settings on %s', (dialect) => {
  const locations: Location[] = [];
  const open: SqlStore[] = [];

  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await Promise.all(locations.map(dropLocation));
  });

  function fresh(): Location {
    const location = newLocation(dialect);
    locations.push(location);
    return location;
  }

  it('keeps invocations, feedback, settings and the pseudonym key across a restart on the same location', async () => {
    const location = fresh();
    const before = await openAt(location);
    const record = invocation();
    before.audit.record(record);
    await before.recordFeedback('order-sign-advice', [accepted(record.cards[0]!)]);
    await before.setAiMode('order-sign-advice', 'off', 'safety-officer');
    const key = before.pseudonymKey;
    await before.close(); // close flushes the queued invocation

    const after = await openAt(location);
    open.push(after);
    expect((await after.read.listInvocations()).items.map((i) => i.hookInstance)).toEqual([
      record.hookInstance,
    ]);
    expect((await after.read.listFeedback()).items).toHaveLength(1);
    expect(await after.getAiMode('order-sign-advice')).toBe('off');
    expect(after.pseudonymKey).toBe(key);
    expect((await after.verifyChain()).ok).toBe(true);
  });

  it('uses PSEUDONYM_KEY when it is set', async () => {
    const store = await openAt(fresh(), { pseudonymKey: 'configured-key' });
    open.push(store);
    expect(store.pseudonymKey).toBe('configured-key');
  });

  it('has model advice on by default and switches it off durably, with the change logged', async () => {
    const store = await openAt(fresh());
    open.push(store);
    expect(await store.getAiMode('patient-view-advice')).toBe('on');
    await store.setAiMode('patient-view-advice', 'off', 'dr-safety');
    expect(await store.getAiMode('patient-view-advice')).toBe('off');
    expect(await store.getAiMode('order-sign-advice')).toBe('on');
    const changes = await store.db.selectFrom('setting_changes').selectAll().execute();
    expect(changes).toEqual([
      expect.objectContaining({ key: 'ai_mode:patient-view-advice', value: 'off', actor: 'dr-safety' }),
    ]);
  });

  it('keeps shadow mode apart from on for an older release reading only ai_enabled', async () => {
    const store = await openAt(fresh());
    open.push(store);
    await store.setAiMode('order-sign-advice', 'shadow', 'dr-safety');
    const rows = await store.db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'like', '%order-sign-advice')
      .orderBy('key')
      .execute();
    // The older release shows advice unless ai_enabled is 'false': in shadow it must read off.
    expect(rows).toEqual([
      { key: 'ai_enabled:order-sign-advice', value: 'false' },
      { key: 'ai_mode:order-sign-advice', value: 'shadow' },
    ]);
  });

  it('reads a switch written by an older release (ai_enabled only)', async () => {
    const store = await openAt(fresh(), {}, { aiCacheTtlMs: 0 });
    open.push(store);
    await store.db
      .insertInto('settings')
      .values({
        key: 'ai_enabled:patient-view-advice',
        value: 'false',
        updated_at: '2026-11-30T00:00:00.000Z',
        updated_by: 'old',
      })
      .execute();
    expect(await store.getAiMode('patient-view-advice')).toBe('off');
  });
});
