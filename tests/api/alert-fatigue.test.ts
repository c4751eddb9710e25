/**
 * Alert-fatigue control across an ordering session, through HTTP with real parts: authenticated EHR clients (JWTs
 * signed with `jose`, keys served by a local JWK Set server), the real feedback endpoint, and the real store on
 * SQLite and on PostgreSQL (a fresh schema per case). A finding is left out at order-sign only when the same user
 * of the same EHR client and tenant overrode it, with a reason, on an order-select card about the same draft order
 * of the same patient within two hours; critical findings always come back; every repeat is in the audit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { PROVENANCE_EXTENSION, type Card } from '../../src/cds/types.js';
import type { AppDeps } from '../../src/http/app.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createJwtAuthenticator } from '../../src/security/jwt.js';
import { MemoryReplayGuard } from '../../src/security/memoryReplayGuard.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import {
  type JwksServer,
  type SigningKey,
  createSigningKey,
  signToken,
  startJwksServer,
} from '../fakes/jwks-server.js';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import { DIALECTS, type Location, dropLocation, newLocation, openAt } from '../int/store/helpers.js';

const BASE = 'https://cds.example.org';
const AUDIT_TOKEN = 'alert-fatigue-audit-token-0123456789abcdef';
const INTERACTION = 'interactions/anticoagulant-nsaid';
const ALLERGY = 'allergy/class-penicillin';
const SELECT = '/cds-services/order-select-advice';
const SIGN = '/cds-services/order-sign-advice';
const MINUTE = 60_000;

interface Caller {
  readonly iss: string;
  readonly tenant?: string;
}
const HOSPITAL_A: Caller = { iss: 'https://ehr-a.example.org', tenant: 'north' };
const HOSPITAL_A_OTHER_TENANT: Caller = { iss: 'https://ehr-a.example.org', tenant: 'south' };
const HOSPITAL_B: Caller = { iss: 'https://ehr-b.example.org', tenant: 'north' };
const DR_FIXTURE = 'Practitioner/dr-fixture';

let jwks: JwksServer;
const keys = new Map<string, SigningKey>();

beforeAll(async () => {
  jwks = await startJwksServer();
  for (const caller of [HOSPITAL_A, HOSPITAL_B]) {
    const key = await createSigningKey('ES384');
    keys.set(caller.iss, key);
    jwks.setKeys(`/${new URL(caller.iss).hostname}/jwks.json`, [key.publicJwk]);
  }
});

afterAll(async () => {
  await jwks.close();
});

const ruleOf = (card: Card): string | undefined => card.extension[PROVENANCE_EXTENSION].ruleId;
const byRule = (cards: readonly Card[], ruleId: string): Card | undefined =>
  cards.find((c) => ruleOf(c) === ruleId);

interface Call {
  readonly caller?: Caller;
  readonly userId?: string;
  readonly patientId: string;
}

interface Session {
  readonly app: Express;
  readonly deps: AppDeps;
  /** The service's clock: unset, the real time. */
  at: Date | undefined;
}

describe.each(DIALECTS)('overridden on order-select, at order-sign, on %s', (dialect) => {
  const opened: { location: Location; store: SqlStore }[] = [];

  afterEach(async () => {
    for (const { location, store } of opened.splice(0)) {
      await store.close();
      await dropLocation(location);
    }
  });

  async function session(): Promise<Session> {
    const location = newLocation(dialect);
    const store = await openAt(location);
    opened.push({ location, store });
    const authenticator = createJwtAuthenticator({
      clients: [HOSPITAL_A, HOSPITAL_B].map((c) => ({
        iss: c.iss,
        jwksUrl: jwks.url(`/${new URL(c.iss).hostname}/jwks.json`),
        allowedJku: [],
        fhirServers: [],
      })),
      maxLifetimeSeconds: 300,
      replayGuard: new MemoryReplayGuard(),
      logger: silentLogger(),
    });
    const s: Session = { at: undefined } as Session;
    const { app, deps } = await testApp(
      { publicBaseUrl: BASE, rateLimitPerMinute: 0, auditTokens: [AUDIT_TOKEN] },
      { authenticator, store, now: () => s.at ?? new Date() },
    );
    return Object.assign(s, { app, deps });
  }

  async function post(s: Session, path: string, body: object, caller: Caller = HOSPITAL_A) {
    const token = await signToken({
      key: keys.get(caller.iss)!,
      iss: caller.iss,
      aud: `${BASE}${path}`,
      claims: caller.tenant === undefined ? {} : { tenant: caller.tenant },
    });
    return request(s.app).post(path).set('Authorization', `Bearer ${token}`).send(body);
  }

  /** order-select of the ibuprofen draft (an NSAID with warfarin on the chart: a warning), or of amoxicillin. */
  async function select(
    s: Session,
    call: Call & { readonly draft?: 'draft-ibuprofen' | 'draft-amoxicillin' },
  ): Promise<Card[]> {
    const body = requestFixture('order-select.full-prefetch') as {
      context: { patientId: string; userId: string; selections: string[] };
    };
    body.context.patientId = call.patientId;
    body.context.userId = call.userId ?? DR_FIXTURE;
    body.context.selections = [`MedicationRequest/${call.draft ?? 'draft-ibuprofen'}`];
    const res = await post(s, SELECT, body, call.caller);
    expect(res.status).toBe(200);
    await s.deps.store.audit.flush();
    return res.body.cards as Card[];
  }

  /** order-sign of both drafts; `renameIbuprofen` gives the ibuprofen draft another id (another draft order). */
  async function sign(s: Session, call: Call & { readonly renameIbuprofen?: string }): Promise<Card[]> {
    const body = requestFixture('order-sign.full-prefetch') as {
      context: {
        patientId: string;
        userId: string;
        draftOrders: { entry: { resource: { id: string } }[] };
      };
    };
    body.context.patientId = call.patientId;
    body.context.userId = call.userId ?? DR_FIXTURE;
    if (call.renameIbuprofen) {
      const draft = body.context.draftOrders.entry.find((e) => e.resource.id === 'draft-ibuprofen')!;
      draft.resource.id = call.renameIbuprofen;
    }
    const res = await post(s, SIGN, body, call.caller);
    expect(res.status).toBe(200);
    await s.deps.store.audit.flush();
    return res.body.cards as Card[];
  }

  async function override(
    s: Session,
    path: string,
    card: Card,
    options: { readonly reason?: boolean; readonly caller?: Caller; readonly at?: Date } = {},
  ): Promise<void> {
    const res = await post(
      s,
      `${path}/feedback`,
      {
        feedback: [
          {
            card: card.uuid,
            outcome: 'overridden',
            ...(options.reason === false
              ? {}
              : {
                  overrideReason: {
                    reason: card.overrideReasons![0],
                    userComment: 'Discussed with the patient, see note',
                  },
                }),
            outcomeTimestamp: (options.at ?? s.at ?? new Date()).toISOString(),
          },
        ],
      },
      options.caller,
    );
    expect(res.status).toBe(200);
  }

  const audit = (s: Session, path: string) =>
    request(s.app).get(`/audit/api${path}`).set('Authorization', `Bearer ${AUDIT_TOKEN}`).expect(200);

  /** Selects the ibuprofen draft and overrides its interaction card; returns that card. */
  async function overriddenAtSelection(
    s: Session,
    call: Call,
    options: { readonly reason?: boolean } = {},
  ): Promise<Card> {
    const interaction = byRule(await select(s, call), INTERACTION);
    expect(interaction).toBeDefined();
    await override(s, SELECT, interaction!, { ...options, caller: call.caller });
    return interaction!;
  }

  it('leaves out the interaction the same clinician overrode with a reason, says so, and audits it', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    const overridden = await overriddenAtSelection(s, { patientId });

    const cards = await sign(s, { patientId });

    expect(byRule(cards, INTERACTION)).toBeUndefined();
    expect(byRule(cards, ALLERGY)?.indicator).toBe('critical');
    // The signing screen is not left silent: one quiet line says what was not repeated, and why.
    const notice = byRule(cards, 'overridden-at-selection');
    expect(notice).toMatchObject({ indicator: 'info' });
    expect(notice!.detail).toMatch(/Ibuprofen \\?\+ warfarin/);
    expect(notice!.detail).toContain(overridden.overrideReasons![0]!.display);
    expect(notice!.detail).not.toContain('Discussed with the patient');

    const { body: repeats } = await audit(s, '/override-repeats');
    expect(repeats.items).toEqual([
      expect.objectContaining({
        serviceId: 'order-sign-advice',
        decision: 'suppressed',
        ruleId: INTERACTION,
        findingKey: 'interaction:ibuprofen|warfarin',
        indicator: 'warning',
        draftOrders: ['MedicationRequest/draft-ibuprofen'],
        cardUuid: null,
        overrideCardUuid: overridden.uuid,
        overrideReason: expect.objectContaining({ code: overridden.overrideReasons![0]!.code }),
      }),
    ]);
    const { body: summary } = await audit(s, '/summary');
    expect(summary.overrideRepeats).toEqual({ suppressed: 1, shown: 0 });
  });

  it('repeats it when the override gave no reason', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    await overriddenAtSelection(s, { patientId }, { reason: false });

    expect(byRule(await sign(s, { patientId }), INTERACTION)).toBeDefined();
  });

  it('repeats it for another prescriber', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    await overriddenAtSelection(s, { patientId });

    expect(byRule(await sign(s, { patientId, userId: 'Practitioner/dr-other' }), INTERACTION)).toBeDefined();
  });

  it('repeats it for another EHR client whose patient has the same id', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    await overriddenAtSelection(s, { patientId });

    expect(byRule(await sign(s, { patientId, caller: HOSPITAL_B }), INTERACTION)).toBeDefined();
  });

  it('repeats it for another tenant of the same EHR client', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    await overriddenAtSelection(s, { patientId });

    expect(byRule(await sign(s, { patientId, caller: HOSPITAL_A_OTHER_TENANT }), INTERACTION)).toBeDefined();
  });

  it('repeats it when the override was made on an order-sign card', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    const first = byRule(await sign(s, { patientId }), INTERACTION);
    await override(s, SIGN, first!);

    expect(byRule(await sign(s, { patientId }), INTERACTION)).toBeDefined();
  });

  it('repeats it for another draft order of the same drug', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    await overriddenAtSelection(s, { patientId });

    const cards = await sign(s, { patientId, renameIbuprofen: 'draft-ibuprofen-2' });
    expect(byRule(cards, INTERACTION)).toBeDefined();
  });

  it('repeats it when the override was made on another client, even for a card of this one', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    const interaction = byRule(await select(s, { patientId }), INTERACTION);
    await override(s, SELECT, interaction!, { caller: HOSPITAL_B });

    expect(byRule(await sign(s, { patientId }), INTERACTION)).toBeDefined();
  });

  it('repeats it after the two-hour window, and not within it', async () => {
    const s = await session();
    const late = `pt-${randomUUID()}`;
    const inTime = `pt-${randomUUID()}`;
    const now = Date.now();
    s.at = new Date(now - 121 * MINUTE);
    await overriddenAtSelection(s, { patientId: late });
    s.at = new Date(now - 119 * MINUTE);
    await overriddenAtSelection(s, { patientId: inTime });
    s.at = new Date(now);

    expect(byRule(await sign(s, { patientId: late }), INTERACTION)).toBeDefined();
    expect(byRule(await sign(s, { patientId: inTime }), INTERACTION)).toBeUndefined();
  });

  it('always repeats a critical finding, saying when and with what reason it was overridden', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    s.at = new Date(Date.now() - 30 * MINUTE);
    const allergy = byRule(await select(s, { patientId, draft: 'draft-amoxicillin' }), ALLERGY);
    expect(allergy?.indicator).toBe('critical');
    const overriddenAt = new Date(s.at.getTime() + 2 * MINUTE);
    await override(s, SELECT, allergy!, { at: overriddenAt });
    s.at = undefined;

    const again = byRule(await sign(s, { patientId }), ALLERGY);

    expect(again?.indicator).toBe('critical');
    const reason = allergy!.overrideReasons![0]!;
    expect(again!.detail).toContain('Overridden at order selection');
    expect(again!.detail).toContain(`${overriddenAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    expect(again!.detail).toContain(reason.display);
    expect(again!.detail).not.toContain('Discussed with the patient');
    const { body: repeats } = await audit(s, '/override-repeats');
    expect(repeats.items).toEqual([
      expect.objectContaining({
        decision: 'shown',
        ruleId: ALLERGY,
        indicator: 'critical',
        cardUuid: again!.uuid,
        overrideCardUuid: allergy!.uuid,
      }),
    ]);
    const { body: summary } = await audit(s, '/summary');
    expect(summary.overrideRepeats).toEqual({ suppressed: 0, shown: 1 });
  });
  /**
   * Apixaban on the chart, drafts of aspirin and ibuprofen: all three interact. With ibuprofen selected its card
   * speaks for ibuprofen + aspirin and ibuprofen + apixaban; signing both drafts makes aspirin's card (aspirin +
   * ibuprofen, aspirin + apixaban) under the same key, about the same drafts.
   */
  function threeDrugs(patientId: string, hook: 'order-select' | 'order-sign'): object {
    const body = requestFixture('order-select.full-prefetch') as {
      hook: string;
      hookInstance: string;
      context: Record<string, unknown> & { draftOrders: { entry: { resource: Record<string, unknown> }[] } };
      prefetch: { medications: { entry: { resource: Record<string, unknown> }[] } };
    };
    const drug = (text: string, code: string) => ({
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code, display: text }],
      text,
    });
    const [active] = body.prefetch.medications.entry;
    active!.resource = {
      ...active!.resource,
      id: 'apixaban-1',
      medicationCodeableConcept: drug('apixaban 5 MG Oral Tablet', '1364445'),
    };
    body.prefetch.medications.entry = [active!];
    const aspirin = body.context.draftOrders.entry.find((e) => e.resource.id === 'draft-amoxicillin')!;
    aspirin.resource = {
      ...aspirin.resource,
      id: 'draft-aspirin',
      medicationCodeableConcept: drug('Aspirin 81 MG Delayed Release Oral Tablet', '243670'),
    };
    body.context.patientId = patientId;
    body.context.userId = DR_FIXTURE;
    body.hook = hook;
    body.hookInstance = randomUUID();
    if (hook === 'order-select') body.context.selections = ['MedicationRequest/draft-ibuprofen'];
    else delete body.context.selections;
    return body;
  }

  it('leaves out a card for several drugs only when the overridden card spoke for each of its concerns', async () => {
    const s = await session();
    const patientId = `pt-${randomUUID()}`;
    const selected = await post(s, SELECT, threeDrugs(patientId, 'order-select'));
    expect(selected.status).toBe(200);
    const ibuprofen = (selected.body.cards as Card[]).find((c) =>
      /^Ibuprofen interacts with 2/.test(c.summary),
    );
    expect(ibuprofen).toBeDefined();
    await s.deps.store.audit.flush();
    await override(s, SELECT, ibuprofen!);

    const signed = await post(s, SIGN, threeDrugs(patientId, 'order-sign'));
    expect(signed.status).toBe(200);
    const cards = signed.body.cards as Card[];

    // Aspirin + apixaban was never on the card the clinician overrode: aspirin's card is shown.
    expect(cards.find((c) => /^Aspirin interacts with 2/.test(c.summary))).toBeDefined();
    expect(byRule(cards, 'overridden-at-selection')).toBeUndefined();
    await s.deps.store.audit.flush();
    const { body: repeats } = await audit(s, '/override-repeats');
    expect(repeats.items).toEqual([]);
  });
});
