/**
 * Model advice off / shadow / on, through HTTP, across two app instances on one PostgreSQL database: a mode set
 * through instance A is what instance B's hooks obey; in shadow the model is asked and its advice audited but
 * never sent; the shadow report puts it beside the cards shown and the clinician's answer; every change is on
 * record with who and when. The model is the Azure OpenAI STAND-IN (scripted, not a model).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import request from 'supertest';
import { shadowVerdicts } from '../../scripts/eval/shadowVerdicts.js';
import type { ShadowReport } from '../../src/store/read/shadow.js';
import type { Card, HookResponse } from '../../src/cds/types.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import {
  type FakeAzureOpenAI,
  type RecordedRequest,
  patientDataOf,
  standIn,
  startFakeAzureOpenAI,
} from '../fakes/azure-openai-server.js';
import { requestFixture } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import { dropLocation, type Location, newLocation, openAt } from '../int/store/helpers.js';

const TOKEN = 'shadow-test-token-5e0c2a-77b1d9f4a3c2';
const fingerprint = createHash('sha256').update(TOKEN).digest('hex').slice(0, 12);
const bearer = { Authorization: `Bearer ${TOKEN}` };
const SERVICE = 'order-sign-advice';
/** Chart text planted in the draft order's text, dosage and note: none of it may reach what the audit keeps. */
const NEEDLE = 'NEEDLE-5c1e Mrs Example, ward 7';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The stand-in's good interaction item, plus an item citing an alias that does not exist (the guards drop it). */
function adviceWithAnInvention(request: RecordedRequest): unknown {
  const good = (standIn.goodAdvice() as { advice: (r: RecordedRequest) => { advice: Json[] } }).advice(
    request,
  );
  const data = patientDataOf(request);
  return {
    advice: [
      ...good.advice,
      { ...good.advice[0], kind: 'dose', cites: [data.draftOrders[0]!.alias, 'M77'], suggestion: null },
    ],
  };
}

const modelCards = (res: { body: unknown }): Card[] =>
  (res.body as HookResponse).cards.filter(
    (c) => (c.extension?.['cds-advisor.provenance'] as { advisor: string }).advisor === 'model',
  );

describe('AI mode across two instances on one PostgreSQL', () => {
  let location: Location;
  let a: SqlStore;
  let b: SqlStore;
  let fake: FakeAzureOpenAI;
  let appA: Express;
  let appB: Express;

  beforeAll(async () => {
    location = newLocation('postgres');
    // B reads the mode from the database on every ask: what it obeys is what A wrote, not a cache.
    [a, b] = await Promise.all([openAt(location), openAt(location, {}, { aiCacheTtlMs: 0 })]);
    fake = await startFakeAzureOpenAI({ deployment: 'advice', apiKey: 'stand-in-key' });
    fake.behaviour = { kind: 'advice', advice: adviceWithAnInvention };
    const azureOpenAI = {
      endpoint: fake.endpoint,
      deployment: 'advice',
      apiKey: 'stand-in-key',
      apiVersion: '2024-10-21',
    };
    const config = { auditTokens: [TOKEN], azureOpenAI, publicBaseUrl: 'https://cds.example.org' };
    appA = (await testApp(config, { store: a })).app;
    appB = (await testApp(config, { store: b })).app;
  });

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await fake.close();
    await dropLocation(location);
  });

  const hook = (
    app: Express,
    body: object = requestFixture('order-sign.full-prefetch'),
  ): Promise<request.Response> => request(app).post(`/cds-services/${SERVICE}`).send(body).expect(200);

  /** The fixture with the needle in the ibuprofen draft's free text (its coding still names the drug). */
  function withNeedle(): Json {
    const body = requestFixture('order-sign.full-prefetch') as Json;
    const draft = (body.context.draftOrders.entry as Json[]).find(
      (e) => e.resource.id === 'draft-ibuprofen',
    )!.resource;
    draft.medicationCodeableConcept.text += ` ${NEEDLE}`;
    draft.dosageInstruction[0].text += ` ${NEEDLE}`;
    draft.note = [{ text: NEEDLE }];
    return body;
  }

  it('in shadow, instance B asks the model and audits its advice but shows none of it', async () => {
    const set = await request(appA)
      .put(`/admin/services/${SERVICE}/ai`)
      .set(bearer)
      .send({ mode: 'shadow' })
      .expect(200);
    expect((set.body as Json).ai).toMatchObject({
      mode: 'shadow',
      enabled: false,
      changedBy: `token:${fingerprint}`,
    });

    const calls = fake.requests.length;
    const res = await hook(appB, withNeedle());
    expect(fake.requests.length).toBe(calls + 1);
    expect(modelCards(res)).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain('AI-generated');
    await b.audit.flush();

    const shadow = await request(appA)
      .get('/audit/api/shadow')
      .query({ service: SERVICE })
      .set(bearer)
      .expect(200);
    const report = shadow.body as ShadowReport;
    expect(report.items).toHaveLength(1);
    const [item] = report.items;
    expect(item!.item).toMatchObject({
      outcome: 'shadow',
      guard: { outcome: 'kept', severity: 'warning', suggestion: 'kept' },
      returned: { kind: 'interaction', summary: 'Ibuprofen with warfarin raises the risk of bleeding.' },
      evidence: expect.arrayContaining(['MedicationRequest/draft-ibuprofen', 'MedicationRequest/warfarin-1']),
    });
    // Beside what happened: the cards the call showed, none answered yet.
    const shownKeys = item!.cardsShown.map((c) => c.findingKey);
    expect(shownKeys).toContain(item!.item.findingKey);
    expect(item!.match).toEqual({ cardUuid: expect.any(String), by: 'finding' });
    expect(item!.verdict).toBe('no-signal');
    expect(item!.agreedBy).toBeNull();
    expect(item!.cardsShown.every((c) => c.laterOrders.length === 0)).toBe(true);
    expect(report.agreement).toMatchObject({
      calls: 1,
      items: 1,
      agreed: 0,
      disagreed: 0,
      share: null,
      dropped: 1,
    });

    // The clinician accepts the rule card that says the same, at first taking its INR order: agreed, by the accepted
    // card alone (the shadow item would have cancelled the draft, not ordered a lab).
    const matched = (res.body as HookResponse).cards.find((c) => c.uuid === item!.match!.cardUuid)!;
    const feedback = (accepted: { id: string }[]) =>
      request(appB)
        .post(`/cds-services/${SERVICE}/feedback`)
        .send({
          feedback: [
            {
              card: matched.uuid,
              outcome: 'accepted',
              acceptedSuggestions: accepted,
              outcomeTimestamp: new Date().toISOString(),
            },
          ],
        })
        .expect(200);
    const inr = matched.suggestions!.find((s) => s.label.startsWith('Order INR'))!;
    expect((await feedback([{ id: inr.uuid }])).body).toMatchObject({ stored: 1, flagged: 0 });
    const report1 = (await request(appA).get('/audit/api/shadow').set(bearer).expect(200))
      .body as ShadowReport;
    expect(report1.items[0]).toMatchObject({ verdict: 'agreed', agreedBy: 'accepted-card' });

    // Then taking the suggestion that replaces the ibuprofen draft: the later order shows beside the card, and it
    // does what the shadow item suggested (cancel that draft).
    const replace = matched.suggestions!.find((s) => s.label.startsWith('Replace ibuprofen'))!;
    expect((await feedback([{ id: replace.uuid }])).body).toMatchObject({ stored: 1, flagged: 0 });
    const after = (await request(appA).get('/audit/api/shadow').set(bearer).expect(200)).body as ShadowReport;
    expect(after.items[0]).toMatchObject({ verdict: 'agreed', agreedBy: 'same-order' });
    expect(after.agreement).toMatchObject({ agreed: 1, disagreed: 0, share: 1 });
    const shown = after.items[0]!.cardsShown.find((c) => c.uuid === matched.uuid)!;
    expect(shown.laterOrders).toEqual([
      {
        suggestion: inr.uuid,
        acceptedAt: expect.any(String),
        summary: {
          uuid: inr.uuid,
          label: inr.label,
          actions: [
            {
              type: 'create',
              resourceType: 'ServiceRequest',
              code: 'http://loinc.org|6301-6',
              display: 'INR in Platelet poor plasma by Coagulation assay',
            },
          ],
        },
      },
      {
        suggestion: replace.uuid,
        acceptedAt: expect.any(String),
        summary: {
          uuid: replace.uuid,
          label: replace.label,
          actions: [
            {
              type: 'delete',
              resourceType: 'MedicationRequest',
              target: 'MedicationRequest/draft-ibuprofen',
            },
            {
              type: 'create',
              resourceType: 'MedicationRequest',
              code: expect.stringMatching(/^http:\/\/www\.nlm\.nih\.gov\/research\/umls\/rxnorm\|\d+$/),
              display: expect.any(String),
            },
          ],
        },
      },
    ]);
    expect(JSON.stringify(after)).not.toContain('NEEDLE');

    // The card's own detail says the same.
    const detail = (await request(appA).get(`/audit/api/cards/${matched.uuid}`).set(bearer).expect(200))
      .body as Json;
    expect(detail.laterOrders).toEqual(shown.laterOrders);
    expect(detail.card.suggestions).toHaveLength(matched.suggestions!.length);
    expect(JSON.stringify(detail.card)).not.toContain('NEEDLE');
  });

  it('exports the shadow advice as an adjudication sheet, and the filled sheet gives PPV and calibration', async () => {
    const res = await request(appA)
      .get('/audit/api/shadow/adjudication.csv')
      .query({ service: SERVICE })
      .set(bearer)
      .expect(200)
      .expect('Content-Type', /text\/csv/)
      .expect('Content-Disposition', /shadow-adjudication\.csv/);
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      service: SERVICE,
      kind: 'interaction',
      severity: 'warning',
      summary: 'Ibuprofen with warfarin raises the risk of bleeding.',
      guard_decision: 'kept at warning; suggestion kept',
      clinicians_response: 'agreed',
      verdict: '',
    });
    // What the acceptance ordered, in words: the label, then each action.
    expect(row!.later_orders!.split(' | ')).toEqual([
      'Order INR in Platelet poor plasma by Coagulation assay (create ServiceRequest ' +
        'INR in Platelet poor plasma by Coagulation assay [LOINC 6301-6])',
      expect.stringMatching(
        /^Replace ibuprofen with [a-z]+ \(delete MedicationRequest\/draft-ibuprofen; create MedicationRequest [a-z]+ \[RxNorm \d+\]\)$/,
      ),
    ]);
    expect(res.text).not.toContain('NEEDLE');
    expect(row!.item_id).toMatch(/^shadow-\d+-0$/);
    // Nothing of the chart's identity: the fixture patient's name, id and birth date stay out of the sheet.
    const fixture = JSON.stringify(requestFixture('order-sign.full-prefetch'));
    for (const needle of [/"family":"([^"]+)"/, /"birthDate":"([^"]+)"/])
      expect(res.text).not.toContain(needle.exec(fixture)![1]);

    const filled = stringify(
      rows.map((r) => ({ ...r, verdict: 'correct' })),
      { header: true, columns: Object.keys(row!) },
    );
    const figures = shadowVerdicts(filled);
    expect(figures).toMatchObject({ judged: 1, unjudged: 0, unsafe: 0, ppv: { k: 1, n: 1, rate: 1 } });
    expect(figures.calibration[row!.stated_certainty!]).toMatchObject({ k: 1, n: 1 });
    expect(figures.byClinicianResponse.agreed).toMatchObject({ k: 1, n: 1 });
  });

  it('on, set through B, shows the AI card on A, linking the fact sheet and reconstructable from the audit', async () => {
    await request(appB).put(`/admin/services/${SERVICE}/ai`).set(bearer).send({ mode: 'on' }).expect(200);
    fake.behaviour = standIn.advising((data) => [
      {
        kind: 'monitoring',
        summary: 'Check the INR within three days of adding ibuprofen to warfarin.',
        detail: 'NSAIDs can raise the INR; the last INR is already above range.',
        severity: 'warning',
        cites: [data.draftOrders[0]!.alias, data.activeMedications[0]!.alias],
        certainty: 'moderate',
        suggestion: { kind: 'order-lab', loinc: '6301-6' },
      },
    ]);
    // A's cache may still hold shadow for up to a second: wait it out, as an operator's change would be.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await hook(appA);
    const [card] = modelCards(res);
    expect(card).toBeDefined();
    expect(card!.source.url).toBe('https://cds.example.org/model-facts');
    expect(card!.detail).toContain('What the model did not see');

    await a.audit.flush();
    const detail = (await request(appB).get(`/audit/api/cards/${card!.uuid}`).set(bearer).expect(200))
      .body as Json;
    expect(detail.ai).toMatchObject({
      mode: 'on',
      endpointKind: 'azure-openai',
      deployment: 'advice',
      promptVersion: expect.any(String),
      servedFrom: 'call',
      input: { draftOrders: expect.any(Array), activeMedications: expect.any(Array) },
    });
    const own = (detail.ai.items as Json[]).filter((i) => i.cardUuid === card!.uuid);
    expect(own).toEqual([
      expect.objectContaining({
        outcome: 'shown',
        guard: { outcome: 'kept', severity: 'warning', suggestion: 'kept' },
        returned: expect.objectContaining({
          kind: 'monitoring',
          suggestion: { kind: 'order-lab', loinc: '6301-6' },
        }),
      }),
    ]);
    // The input on record is what was sent: no chart identifiers in it.
    const input = JSON.stringify(detail.ai.input);
    expect(input).not.toMatch(/draft-ibuprofen|warfarin-1|Practitioner|dr-fixture/);
    expect(patientDataOf(fake.requests.at(-1)!)).toEqual(detail.ai.input);
  });

  it('off, set through A, stops the model calls on B; every change is on record, newest first', async () => {
    await request(appA).put(`/admin/services/${SERVICE}/ai`).set(bearer).send({ enabled: false }).expect(200);
    const calls = fake.requests.length;
    const res = await hook(appB);
    expect(modelCards(res)).toEqual([]);
    expect(fake.requests.length).toBe(calls);

    const state = (await request(appB).get(`/admin/services/${SERVICE}/ai`).set(bearer).expect(200))
      .body as Json;
    expect(state.ai).toMatchObject({ mode: 'off', enabled: false });
    expect((state.history as Json[]).map((h) => h.mode)).toEqual(['off', 'on', 'shadow']);
    for (const change of state.history as Json[]) {
      expect(change.changedBy).toBe(`token:${fingerprint}`);
      expect(Number.isNaN(Date.parse(change.changedAt as string))).toBe(false);
    }
  });

  it('refuses a body with both or neither of mode and enabled, and an unknown mode, precisely', async () => {
    const both = await request(appA)
      .put(`/admin/services/${SERVICE}/ai`)
      .set(bearer)
      .send({ mode: 'on', enabled: true });
    expect(both.status).toBe(400);
    expect((both.body as Json).error.details).toEqual([
      { path: '', message: 'must have exactly one of mode ("off", "shadow" or "on") or enabled (boolean)' },
    ]);
    const neither = await request(appA).put(`/admin/services/${SERVICE}/ai`).set(bearer).send({});
    expect(neither.status).toBe(400);
    const unknown = await request(appA)
      .put(`/admin/services/${SERVICE}/ai`)
      .set(bearer)
      .send({ mode: 'loud' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as Json).error.details).toEqual([expect.objectContaining({ path: '/mode' })]);
    expect(await a.getAiMode(SERVICE)).toBe('off');
  });

  it('keeps the AI records under the audit hash chain: editing one breaks it', async () => {
    await Promise.all([a.audit.flush(), b.audit.flush()]);
    expect((await a.verifyChain()).ok).toBe(true);
    await a.db.updateTable('ai_advice').set({ input: '{}' }).execute();
    const report = await a.verifyChain();
    expect(report.ok).toBe(false);
    expect(report.breaks[0]).toMatchObject({ chain: 'invocations', reason: 'hash-mismatch' });
  });
});
