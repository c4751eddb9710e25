/**
 * The model gateway for every way Azure AI Foundry serves a model, through the real app over HTTP: configuration
 * from environment variables (`loadConfig`), the real composition root, the real `openai` clients, and a STAND-IN
 * per endpoint kind (`tests/fakes/model-stand-ins.ts`: scripted, not a model) speaking that kind's wire format —
 * paths, api-version, key header, error bodies (the inference API's top-level `{code, message}` and its 422
 * `parameter_not_supported`).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createModelAdvisor, type ModelAdvisor } from '../../../src/advisors/model/index.js';
import { type Card, PROVENANCE_EXTENSION } from '../../../src/cds/types.js';
import { loadConfig } from '../../../src/config.js';
import { testConfig } from '../../helpers/testConfig.js';
import { type AppDeps, createApp } from '../../../src/http/app.js';
import { createMetrics } from '../../../src/metrics.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { type EndpointKind, KIND_FACTS } from '../../../src/modelEndpoint.js';
import { buildDeps } from '../../../src/server.js';
import { type FakeBehaviour, standIn } from '../../fakes/azure-openai-server.js';
import { type CapturedLog, captureLogger } from '../../fakes/jwks-server.js';
import {
  type ModelStandIn,
  type ModelStandInOptions,
  startModelStandIn,
} from '../../fakes/model-stand-ins.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { fixtureReview } from '../../unit/model/fixtures.js';

const KINDS: readonly EndpointKind[] = ['azure-openai', 'openai-v1', 'foundry-models', 'serverless'];
const MODEL = 'advice-model';
const KEY = 'stand-in-key';
const ANSWERED = 'stand-in-answering-model-2025-01-31';
const BUDGET_MS = 1000;
/** Generous slack over the budget for a loaded CI machine; the precise figure is measured in `bench/`. */
const SLACK_MS = 400;

/** Advice the rules do not raise (so it becomes its own AI card): renal monitoring before an NSAID in CKD. */
const novelAdvice: FakeBehaviour = standIn.advising((data) => [
  {
    kind: 'monitoring',
    summary: 'Check renal function before an NSAID in chronic kidney disease.',
    detail: 'Scripted by the stand-in.',
    severity: 'info',
    cites: [data.draftOrders[0]!.alias, data.problems[0]!.alias],
    certainty: 'moderate',
    suggestion: { kind: 'order-lab', loinc: '2160-0' },
  },
]);

let stand: ModelStandIn | undefined;
let deps: AppDeps | undefined;

afterEach(async () => {
  for (const advisor of deps?.advisors ?? []) advisor.close?.();
  await deps?.store.close();
  deps = undefined;
  await stand?.close();
  stand = undefined;
});

interface Booted {
  readonly app: Express;
  readonly stand: ModelStandIn;
  readonly model: ModelAdvisor;
  readonly logs: CapturedLog[];
  readonly metric: (name: string) => Promise<string>;
}

async function boot(
  kind: EndpointKind,
  options: {
    readonly standIn?: Partial<ModelStandInOptions>;
    readonly behaviour?: FakeBehaviour;
    readonly env?: (endpoint: string) => Record<string, string>;
  } = {},
): Promise<Booted> {
  stand = await startModelStandIn({
    kind,
    model: MODEL,
    apiKey: KEY,
    answeredModel: ANSWERED,
    ...options.standIn,
  });
  stand.behaviour = options.behaviour ?? novelAdvice;
  const env = {
    MODEL_ENDPOINT: stand.endpoint,
    // A loopback URL names no kind; Azure's host names do (tests/unit/model/endpoint.test.ts).
    MODEL_ENDPOINT_KIND: kind,
    MODEL_NAME: MODEL,
    MODEL_API_KEY: KEY,
    ...options.env?.(stand.endpoint),
  };
  const { logger, entries } = captureLogger();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-advisor-gateway-'));
  const config = testConfig({
    dataDir,
    adviceBudgetMs: BUDGET_MS,
    modelEndpoint: loadConfig(env).modelEndpoint,
  });
  deps = await buildDeps(config, logger, { metrics: createMetrics() });
  const model = deps.advisors.find((a) => a.name === 'model') as ModelAdvisor | undefined;
  if (!model) throw new Error('model advisor not built');
  const registry = deps.metrics.registry;
  return {
    app: createApp(deps),
    stand,
    model,
    logs: entries,
    metric: (name) => registry.getSingleMetricAsString(name),
  };
}

/** The order-sign fixture (warfarin, an ibuprofen draft), its patient `years` old: a different picture per age. */
function orderSign(years = 75): Record<string, unknown> {
  const body = requestFixture('order-sign.full-prefetch');
  const patient = body.prefetch?.patient as { birthDate?: string };
  patient.birthDate = `${new Date().getUTCFullYear() - years}-01-01`;
  return body;
}

const provenance = (card: Card): { advisor: string; model?: string } => card.extension[PROVENANCE_EXTENSION];
const aiCards = (body: unknown): Card[] =>
  (body as { cards: Card[] }).cards.filter((c) => provenance(c).advisor === 'model');

describe.each(KINDS)('model gateway, %s endpoint', (kind) => {
  it("turns good advice into AI cards named after the model that answered, speaking the kind's wire format", async () => {
    const { app, stand } = await boot(kind);

    const res = await request(app).post('/cds-services/order-sign-advice').send(orderSign());

    expect(res.status).toBe(200);
    const ai = aiCards(res.body);
    expect(ai).toHaveLength(1);
    expect(ai[0]?.source.label).toBe(`CDS Advisor AI (${ANSWERED}, AI-generated)`);
    expect(provenance(ai[0]!).model).toBe(`${MODEL}/${ANSWERED}`);
    expect(JSON.stringify(ai[0])).not.toMatch(/Azure OpenAI/);
    expect(stand.requests).toHaveLength(1);
    const sent = stand.requests[0]!;
    const expected = {
      'azure-openai': { path: `/openai/deployments/${MODEL}/chat/completions`, apiVersion: '2024-10-21' },
      'openai-v1': { path: '/openai/v1/chat/completions', apiVersion: null },
      'foundry-models': { path: '/models/chat/completions', apiVersion: '2024-05-01-preview' },
      serverless: { path: '/chat/completions', apiVersion: '2024-05-01-preview' },
    }[kind];
    expect({ path: sent.path, apiVersion: sent.apiVersion }).toEqual(expected);
    if (kind === 'serverless') {
      expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(sent.headers['api-key']).toBeUndefined();
    } else {
      expect(sent.headers['api-key']).toBe(KEY);
      expect(sent.headers.authorization).toBeUndefined();
    }
    expect(sent.body.model).toBe(MODEL);
    expect(sent.body).toMatchObject({ temperature: 0, max_tokens: 1500 });
    expect(sent.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    const inference = kind === 'foundry-models' || kind === 'serverless';
    expect(sent.headers['extra-parameters']).toBe(inference ? 'drop' : undefined);
  });

  it('steps down to JSON mode with the schema in the prompt when the model refuses json_schema, and remembers it', async () => {
    const { app, stand, logs, model } = await boot(kind, { standIn: { refuses: ['json_schema'] } });

    const first = await request(app).post('/cds-services/order-sign-advice').send(orderSign(70));
    const second = await request(app).post('/cds-services/order-sign-advice').send(orderSign(71));

    expect(aiCards(first.body)).toHaveLength(1);
    expect(aiCards(second.body)).toHaveLength(1);
    const formats = stand.requests.map((r) => (r.body.response_format as { type: string } | undefined)?.type);
    expect(formats).toEqual(['json_schema', 'json_object', 'json_object']);
    const instruction = stand.requests[1]?.body.messages?.at(-1);
    expect(instruction).toMatchObject({ role: 'system' });
    expect(instruction?.content).toMatch(/JSON Schema/);
    expect(logs.filter((l) => l.message.startsWith('model endpoint refused a parameter'))).toHaveLength(1);
    expect(model.health()).toMatchObject({ state: 'usable', outputMode: 'json-object', profile: 'standard' });
  });

  it('speaks to a reasoning model that refuses temperature and max_tokens: max_completion_tokens, no temperature', async () => {
    const { app, stand, model } = await boot(kind, { standIn: { refuses: ['temperature', 'max_tokens'] } });

    const first = await request(app).post('/cds-services/order-sign-advice').send(orderSign(70));
    const second = await request(app).post('/cds-services/order-sign-advice').send(orderSign(71));

    expect(aiCards(first.body)).toHaveLength(1);
    expect(aiCards(second.body)).toHaveLength(1);
    const last = stand.requests.at(-1)!.body;
    expect(last.temperature).toBeUndefined();
    expect(last.max_tokens).toBeUndefined();
    expect(last.max_completion_tokens).toBe(4000);
    // One refused call, then every call in the reasoning profile.
    expect(stand.requests).toHaveLength(3);
    expect(model.health()).toMatchObject({ profile: 'reasoning', outputMode: 'json-schema' });
  });

  it('a refused key makes the lane unauthorised after three calls: calls stop, readyz and one loud log line say what to fix', async () => {
    const { app, logs, model, metric, stand } = await boot(kind, {
      env: () => ({ MODEL_API_KEY: 'wrong-key' }),
    });

    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(
        await request(app)
          .post('/cds-services/order-sign-advice')
          .send(orderSign(60 + i)),
      );
    const ready = await request(app).get('/readyz');

    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(aiCards(res.body)).toEqual([]);
      expect((res.body as { cards: Card[] }).cards.length).toBeGreaterThan(0);
    }
    expect(await metric('cds_model_calls_total')).toMatch(/outcome="http-401",code="401"} 3/);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      model: { state: 'unauthorised', kind, model: MODEL, lastError: { httpStatus: 401 } },
    });
    expect((ready.body as { model: { fix: string } }).model.fix).toMatch(/MODEL_API_KEY/);
    // Readiness is not authenticated: the lane's state, not where the model lives.
    expect(JSON.stringify(ready.body)).not.toContain(new URL(stand.endpoint).host);
    const loud = logs.filter((l) => l.level === 'error');
    expect(loud).toHaveLength(1);
    expect(loud[0]?.message).toMatch(/^MODEL LANE UNAUTHORISED: model advice stopped .*MODEL_API_KEY/);
    expect(loud[0]?.meta).toMatchObject({ kind, httpStatus: 401, code: '401' });
    expect(JSON.stringify(logs)).not.toContain('wrong-key');
    expect(model.health().state).toBe('unauthorised');
    expect(await metric('cds_model_lane_usable')).toMatch(/cds_model_lane_usable 0/);
  });

  it('a wrong model name or path makes the lane misconfigured, naming the setting to check', async () => {
    const env =
      kind === 'serverless'
        ? (endpoint: string): Record<string, string> => ({ MODEL_ENDPOINT: `${endpoint}/v9` })
        : (): Record<string, string> => ({ MODEL_NAME: 'no-such-model' });
    const { app, logs, model, metric } = await boot(kind, { env });

    for (let i = 0; i < 3; i++)
      await request(app)
        .post('/cds-services/order-sign-advice')
        .send(orderSign(60 + i));
    const ready = await request(app).get('/readyz');

    const report = (
      ready.body as { model: { state: string; fix: string; lastError: { httpStatus: number } } }
    ).model;
    expect(report.state).toBe('misconfigured');
    expect(report.fix).toMatch(/check MODEL_NAME/);
    expect(await metric('cds_model_calls_total')).toMatch(
      kind === 'foundry-models' ? /code="unknown_model"} 3/ : /outcome="http-404"/,
    );
    expect(logs.filter((l) => l.level === 'error')[0]?.message).toMatch(/^MODEL LANE MISCONFIGURED/);
    expect(model.health().state).toBe('misconfigured');
  });

  it('re-checks a stopped lane with a synthetic patient and resumes when the endpoint answers', async () => {
    const { app, stand, model, logs } = await boot(kind, {
      behaviour: { kind: 'status', status: 404, code: 'DeploymentNotFound' },
    });
    for (let i = 0; i < 3; i++)
      await request(app)
        .post('/cds-services/order-sign-advice')
        .send(orderSign(60 + i));
    expect(model.health().state).toBe('misconfigured');
    const before = stand.requests.length;

    await model.recheck();
    expect(model.health().state).toBe('misconfigured');
    stand.behaviour = novelAdvice;
    await model.recheck();
    const res = await request(app).post('/cds-services/order-sign-advice').send(orderSign(40));

    expect(model.health().state).toBe('usable');
    expect(aiCards(res.body)).toHaveLength(1);
    const probe = stand.requests[before]!;
    expect(probe.rawBody).toContain('<patient_data>');
    expect(probe.rawBody).not.toContain('Quisenberry');
    expect(logs.some((l) => l.message.startsWith('model lane usable again'))).toBe(true);
  });

  it('a server error and a 429 are outcomes with their codes (logged, counted) that leave the lane usable', async () => {
    const { app, model, metric, logs, stand } = await boot(kind, { behaviour: standIn.serverError(503) });

    const failed = await request(app).post('/cds-services/order-sign-advice').send(orderSign(70));
    stand.behaviour = standIn.rateLimit(30);
    const limited = await request(app).post('/cds-services/order-sign-advice').send(orderSign(71));
    const skipped = await request(app).post('/cds-services/order-sign-advice').send(orderSign(72));

    for (const res of [failed, limited, skipped]) {
      expect(res.status).toBe(200);
      expect(aiCards(res.body)).toEqual([]);
    }
    const calls = await metric('cds_model_calls_total');
    expect(calls).toMatch(/outcome="http-503",code="InternalServerError"} 1/);
    expect(calls).toMatch(/outcome="http-429",code="429"} 1/);
    expect(await metric('cds_model_advice_total')).toMatch(/outcome="rate-limited"} 2/);
    expect(logs.find((l) => l.message === 'model advice')).toMatchObject({
      level: 'warn',
      meta: { status: 'error', reason: 'http-503', httpStatus: 503, code: 'InternalServerError' },
    });
    // The second 429-limited hook did not call: retry-after is honoured.
    expect(stand.requests).toHaveLength(2);
    expect(model.health().state).toBe('usable');
  });

  it('holds the deadline when the model hangs: rule cards within the budget', async () => {
    const { app } = await boot(kind, { behaviour: standIn.hang });

    const t0 = performance.now();
    const res = await request(app).post('/cds-services/order-sign-advice').send(orderSign());
    const elapsedMs = performance.now() - t0;

    expect(res.status).toBe(200);
    expect((res.body as { cards: Card[] }).cards.length).toBeGreaterThan(0);
    expect(aiCards(res.body)).toEqual([]);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + SLACK_MS);
  });
});

describe.each(KINDS)('model gateway, %s endpoint, keyless', (kind) => {
  it("authenticates with an Entra ID bearer token for the kind's default scope, never a key header", async () => {
    stand = await startModelStandIn({ kind, model: MODEL, bearerToken: 'entra-token-stand-in' });
    stand.behaviour = standIn.goodAdvice();
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: (scope): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return Promise.resolve({ token: 'entra-token-stand-in', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const config = loadConfig({
      MODEL_ENDPOINT: stand.endpoint,
      MODEL_ENDPOINT_KIND: kind,
      MODEL_NAME: MODEL,
    });
    const advisor = createModelAdvisor(config, { logger: silentLogger(), credential });

    try {
      const outcome = await advisor!.advise(fixtureReview(), AbortSignal.timeout(5000));

      expect(outcome.status).toBe('ok');
      expect(stand.requests[0]?.headers.authorization).toBe('Bearer entra-token-stand-in');
      expect(stand.requests[0]?.headers['api-key']).toBeUndefined();
      expect(new Set(scopes)).toEqual(new Set([KIND_FACTS[kind].scope]));
    } finally {
      advisor?.close();
    }
  });
});
