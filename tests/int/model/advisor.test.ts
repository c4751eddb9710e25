/**
 * The model advisor with the real `AzureOpenAI` client over real HTTP against a STAND-IN for Azure OpenAI
 * (`tests/fakes/azure-openai-server.ts`). The stand-in is not a model: its advice is scripted per test.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { Registry } from 'prom-client';
import {
  createModelAdvisor,
  InMemoryAiSwitch,
  type ModelAdvisor,
  type ModelAdvisorOptions,
} from '../../../src/advisors/model/index.js';
import { createModelPort } from '../../../src/advisors/model/gateway/index.js';
import { COGNITIVE_SERVICES_SCOPE as ENTRA_SCOPE, fromAzureOpenAI } from '../../../src/modelEndpoint.js';
import type { AdvisorOutcome, AiMode } from '../../../src/advisors/types.js';
import { testConfig } from '../../helpers/testConfig.js';
import { type Logger } from '../../../src/logger.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import {
  type FakeAzureOpenAI,
  type FakeBehaviour,
  standIn,
  startFakeAzureOpenAI,
} from '../../fakes/azure-openai-server.js';
import {
  adviceItem,
  fixtureContext,
  fixtureDraftAmoxicillin,
  fixtureDraftIbuprofen,
  fixtureReview,
  IDENTIFYING_STRINGS,
  INJECTION,
  reviewOfPatientAged,
  TEXT_INJECTION,
} from '../../unit/model/fixtures.js';

const DEPLOYMENT = 'advice-deploy';
const API_KEY = 'stand-in-key';
const MODEL_VERSION = 'stand-in-model-2024-08-06';
/** Generous slack over the deadline for a loaded CI machine; the precise figure is measured in `bench/`. */
const DEADLINE_SLACK_MS = 250;

const goodAdvice = standIn.goodAdvice();

let fake: FakeAzureOpenAI | undefined;
let advisor: ModelAdvisor | undefined;

afterEach(async () => {
  advisor?.close();
  advisor = undefined;
  await fake?.close();
  fake = undefined;
});

async function setup(
  behaviour: FakeBehaviour,
  options: Partial<ModelAdvisorOptions> = {},
): Promise<{ fake: FakeAzureOpenAI; advisor: ModelAdvisor; registry: Registry; aiSwitch: InMemoryAiSwitch }> {
  fake = await startFakeAzureOpenAI({ deployment: DEPLOYMENT, apiKey: API_KEY, modelVersion: MODEL_VERSION });
  fake.behaviour = behaviour;
  const registry = new Registry();
  const aiSwitch = new InMemoryAiSwitch();
  const config = testConfig({
    azureOpenAI: {
      endpoint: fake.endpoint,
      deployment: DEPLOYMENT,
      apiKey: API_KEY,
      apiVersion: '2024-10-21',
    },
  });
  advisor = createModelAdvisor(config, {
    logger: silentLogger(),
    metricsRegistry: registry,
    aiSwitch,
    options,
  });
  if (!advisor) throw new Error('advisor not created');
  return { fake, advisor, registry, aiSwitch };
}

async function timed(run: Promise<AdvisorOutcome>): Promise<{ outcome: AdvisorOutcome; elapsedMs: number }> {
  const t0 = performance.now();
  const outcome = await run;
  return { outcome, elapsedMs: performance.now() - t0 };
}

describe('model advisor against the Azure OpenAI stand-in', () => {
  it('returns labelled, grounded findings from good advice', async () => {
    const { advisor } = await setup(goodAdvice);

    const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(outcome.status).toBe('ok');
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0]).toMatchObject({
      advisor: 'model',
      key: 'interaction:ibuprofen|warfarin',
      model: `${DEPLOYMENT}/${MODEL_VERSION}`,
      evidence: ['MedicationRequest/draft-ibu-1', 'MedicationRequest/mr-warf-1'],
    });
    expect(outcome.findings[0]?.source.label).toMatch(/AI-generated/);
  });

  it('speaks the Azure wire format: deployment path, api-version, api-key, strict JSON-schema response format', async () => {
    const { advisor, fake } = await setup(goodAdvice);

    await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    const [request] = fake.requests;
    expect(request?.path).toBe(`/openai/deployments/${DEPLOYMENT}/chat/completions`);
    expect(request?.apiVersion).toBe('2024-10-21');
    expect(request?.headers['api-key']).toBe(API_KEY);
    expect(request?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'model_advice', strict: true, schema: { type: 'object', required: ['advice'] } },
    });
    expect(request?.body.messages?.map((m) => m.role)).toEqual(['system', 'user', 'user']);
  });

  it('sends no name, identifier, address, telecom, birth date or resource id from the fixture patient', async () => {
    const { advisor, fake } = await setup(goodAdvice);

    await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(fake.requests).toHaveLength(1);
    for (const request of fake.requests) {
      for (const s of IDENTIFYING_STRINGS) expect(request.rawBody).not.toContain(s);
    }
  });

  it('sends no instruction planted in the chart, neither in a free-text field nor in a coded display', async () => {
    const { advisor, fake } = await setup(goodAdvice);

    await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    const body = fake.requests[0]?.rawBody ?? '';
    expect(body).toContain('<patient_data>');
    expect(body).not.toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
    expect(body).not.toContain(TEXT_INJECTION);
    expect(INJECTION).toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
  });

  it('neutralizes hostile output that obeys an injection: invented aliases, links, long text, bad indicators, destructive suggestions', async () => {
    const { advisor, registry } = await setup(standIn.hostileAdvice());

    const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(outcome.status).toBe('ok');
    const requestRefs = new Set([
      'MedicationRequest/mr-warf-1',
      'MedicationRequest/mr-text-1',
      'MedicationRequest/draft-ibu-1',
      'Condition/cond-af-1',
      'Condition/cond-htn-1',
      'AllergyIntolerance/allergy-pcn-1',
      'Observation/obs-inr-1',
      'Observation/obs-cr-1',
    ]);
    // "cancel every order" advises stopping everything: dropped whole; the item with an extra `links` key is kept
    // with the key ignored (the schema's keys only).
    expect(outcome.findings).toHaveLength(2);
    for (const finding of outcome.findings) {
      for (const ref of finding.evidence) expect(requestRefs.has(ref)).toBe(true);
      expect(finding.summary.length).toBeLessThan(140);
      expect(`${finding.summary} ${finding.detail}`).not.toMatch(/https?:|www\.|javascript:|evil\./);
      expect(finding.severity).not.toBe('critical');
      expect(finding.links).toBeUndefined();
      for (const action of (finding.suggestions ?? []).flatMap((s) => s.actions)) {
        expect(action).toMatchObject({ type: 'delete', resourceId: 'MedicationRequest/draft-ibu-1' });
      }
    }
    expect(outcome.findings[0]?.suggestions).toBeUndefined();
    const dropped = await registry.getSingleMetricAsString('cds_model_items_dropped_total');
    expect(dropped).toMatch(/reason="unknown-alias"} 1/);
    expect(dropped).toMatch(/reason="invalid-item"} 2/);
    expect(dropped).toMatch(/reason="blanket-discontinuation"} 1/);
    expect(dropped).toMatch(/reason="suggestion-target-not-draft"} 1/);
  });

  it('holds the deadline when the model hangs, and reports a timeout with no findings', async () => {
    const { advisor } = await setup(standIn.hang);

    const { outcome, elapsedMs } = await timed(advisor.advise(fixtureReview(), AbortSignal.timeout(300)));

    expect(outcome).toMatchObject({ status: 'timeout', findings: [] });
    expect(elapsedMs).toBeLessThan(300 + DEADLINE_SLACK_MS);
  });

  it('serves late advice from the cache on the next hook for the same patient and orders', async () => {
    const { advisor, fake, registry } = await setup(standIn.goodAdvice(400));

    const first = await advisor.advise(fixtureReview('order-select-advice'), AbortSignal.timeout(100));
    await advisor.drain();
    const second = await advisor.advise(fixtureReview('order-sign-advice'), AbortSignal.timeout(100));

    expect(first.status).toBe('timeout');
    expect(second.status).toBe('cached');
    expect(second.findings.map((f) => f.key)).toEqual(['interaction:ibuprofen|warfarin']);
    expect(fake.requests).toHaveLength(1);
    expect(await registry.getSingleMetricAsString('cds_model_late_answers_total')).toMatch(
      /outcome="cached"} 1/,
    );
  });

  it('shows on order-select only advice about the selected drafts, and the rest from the cache on order-sign', async () => {
    const context = fixtureContext('order-select', {
      drafts: [fixtureDraftIbuprofen, fixtureDraftAmoxicillin],
    });
    const { advisor, fake } = await setup({
      kind: 'advice',
      advice: () => ({ advice: [adviceItem({ kind: 'allergy', cites: ['D2', 'A1'], suggestion: null })] }),
    });

    const select = await advisor.advise(
      fixtureReview('order-select-advice', context),
      AbortSignal.timeout(5000),
    );
    const sign = await advisor.advise(fixtureReview('order-sign-advice', context), AbortSignal.timeout(5000));

    expect(select).toMatchObject({ status: 'ok', findings: [] });
    expect(sign.status).toBe('cached');
    expect(sign.findings.map((f) => f.evidence)).toEqual([
      ['MedicationRequest/draft-amox-1', 'AllergyIntolerance/allergy-pcn-1'],
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('shares one call between hooks that ask about the same picture at the same time', async () => {
    const { advisor, fake } = await setup(standIn.goodAdvice(100));

    const [a, b] = await Promise.all([
      advisor.advise(fixtureReview(), AbortSignal.timeout(5000)),
      advisor.advise(fixtureReview(), AbortSignal.timeout(5000)),
    ]);

    expect([a.status, b.status]).toEqual(['ok', 'ok']);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a server error as an error outcome, without SDK retries that would run past the deadline', async () => {
    const { advisor, fake } = await setup(standIn.serverError(500));

    const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(outcome).toMatchObject({ status: 'error', reason: 'http-500', findings: [] });
    expect(fake.requests).toHaveLength(1);
  });

  it('honours 429 retry-after: rate-limited, and the next hook does not call until it has passed', async () => {
    const { advisor, fake } = await setup(standIn.rateLimit(30));

    const first = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));
    const second = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(first).toMatchObject({ status: 'rate-limited', reason: 'http-429' });
    expect(second).toMatchObject({ status: 'rate-limited', reason: 'retry-after' });
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a prompt blocked by the content filter as an error, without tripping the breaker', async () => {
    const { advisor } = await setup(standIn.contentFilter, { breakerMinimumCalls: 1 });

    const first = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));
    const second = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(first).toMatchObject({ status: 'error', reason: 'content-filter' });
    expect(second).toMatchObject({ status: 'error', reason: 'content-filter' });
  });

  it('rejects garbage, a refusal, and output stopped by the content filter', async () => {
    const { advisor, fake, registry } = await setup(standIn.garbage);

    const garbage = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));
    fake.behaviour = { kind: 'content', content: null, refusal: 'I cannot help with that.' };
    const refusal = await advisor.advise(fixtureReview('order-select-advice'), AbortSignal.timeout(5000));
    fake.behaviour = { kind: 'content', content: '{"advice":[]}', finishReason: 'content_filter' };
    const filtered = await advisor.advise(fixtureReview('patient-view-advice'), AbortSignal.timeout(5000));

    expect(garbage).toMatchObject({ status: 'rejected', reason: 'not-json', findings: [] });
    expect(refusal).toMatchObject({ status: 'rejected', reason: 'refusal' });
    expect(filtered).toMatchObject({ status: 'rejected', reason: 'content-filter' });
    expect(await registry.getSingleMetricAsString('cds_model_advice_total')).toMatch(
      /outcome="output-rejected"} 1/,
    );
  });

  it('opens the circuit when most recent calls fail, and skips the model during the cool-down', async () => {
    const { advisor, fake } = await setup(standIn.serverError(503), { breakerMinimumCalls: 3 });

    const failures = [];
    for (let i = 0; i < 3; i++)
      failures.push(await advisor.advise(fixtureReview(), AbortSignal.timeout(5000)));
    const skipped = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(failures.map((o) => o.status)).toEqual(['error', 'error', 'error']);
    expect(skipped).toMatchObject({ status: 'circuit-open', findings: [] });
    expect(advisor.circuitState).toBe('open');
    expect(fake.requests).toHaveLength(3);
  });

  it('counts calls that never answer within the call limit towards the circuit breaker', async () => {
    const { advisor } = await setup(standIn.hang, { breakerMinimumCalls: 2, maxCallMs: 150 });

    const a = await advisor.advise(reviewOfPatientAged(40), AbortSignal.timeout(50));
    const b = await advisor.advise(reviewOfPatientAged(41), AbortSignal.timeout(50));
    await advisor.drain();
    const c = await advisor.advise(reviewOfPatientAged(42), AbortSignal.timeout(50));

    expect([a.status, b.status, c.status]).toEqual(['timeout', 'timeout', 'circuit-open']);
  });

  it('does not hold local queueing against the model: calls waiting for a concurrency slot time out as queued', async () => {
    const { advisor } = await setup(standIn.hang, {
      maxConcurrentCalls: 1,
      maxQueuedCalls: 10,
      breakerMinimumCalls: 2,
    });
    const [first, ...queued] = await Promise.all([
      advisor.advise(reviewOfPatientAged(40), AbortSignal.timeout(400)),
      ...[41, 42, 43].map((age) => advisor.advise(reviewOfPatientAged(age), AbortSignal.timeout(100))),
    ]);

    expect(queued.map((o) => [o.status, o.reason])).toEqual([
      ['timeout', 'queued'],
      ['timeout', 'queued'],
      ['timeout', 'queued'],
    ]);
    expect(first).toMatchObject({ status: 'timeout', reason: 'deadline' });
    expect(advisor.circuitState).toBe('closed');
  });

  it('drops a queued call once no hook waits for it, so it never takes a slot from a fresher one', async () => {
    const { advisor, fake, registry } = await setup(standIn.goodAdvice(300), {
      maxConcurrentCalls: 1,
      maxQueuedCalls: 5,
    });
    const other = reviewOfPatientAged(41);

    const [first, second] = await Promise.all([
      advisor.advise(fixtureReview(), AbortSignal.timeout(2000)),
      advisor.advise(other, AbortSignal.timeout(100)),
    ]);
    await advisor.drain();

    expect(first.status).toBe('ok');
    expect(second).toMatchObject({ status: 'timeout', reason: 'queued' });
    expect(await registry.getSingleMetricAsString('cds_model_calls_total')).toMatch(
      /outcome="abandoned-in-queue",code="none"} 1/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('answers rate-limited at once when every concurrency slot and queue place is taken', async () => {
    const { advisor, fake } = await setup(standIn.hang, { maxConcurrentCalls: 1, maxQueuedCalls: 0 });
    const other = reviewOfPatientAged(41);

    const [first, second] = await Promise.all([
      advisor.advise(fixtureReview(), AbortSignal.timeout(300)),
      advisor.advise(other, AbortSignal.timeout(300)),
    ]);

    expect(first).toMatchObject({ status: 'timeout' });
    expect(second).toMatchObject({ status: 'rate-limited', reason: 'concurrency-limit' });
    expect(fake.requests).toHaveLength(1);
  });

  it('returns disabled without calling the model when the kill switch is off for the service', async () => {
    const { advisor, fake, aiSwitch } = await setup(goodAdvice);
    aiSwitch.setEnabled('order-sign-advice', false);

    const off = await advisor.advise(fixtureReview('order-sign-advice'), AbortSignal.timeout(5000));
    const on = await advisor.advise(fixtureReview('order-select-advice'), AbortSignal.timeout(5000));

    expect(off).toMatchObject({ status: 'disabled', findings: [] });
    expect(on.status).toBe('ok');
    expect(fake.requests).toHaveLength(1);
  });

  it('takes an asynchronous switch (the store): off means disabled, a failing switch fails closed, a slow one is bounded', async () => {
    const { advisor: base, fake } = await setup(goodAdvice);
    base.close();
    const config = testConfig({
      azureOpenAI: {
        endpoint: fake.endpoint,
        deployment: DEPLOYMENT,
        apiKey: API_KEY,
        apiVersion: '2024-10-21',
      },
    });
    const withSwitch = (mode: (id: string) => Promise<AiMode>): ModelAdvisor =>
      createModelAdvisor(config, { logger: silentLogger(), aiSwitch: { mode } })!;

    const off = await withSwitch(() => Promise.resolve<AiMode>('off')).advise(
      fixtureReview(),
      AbortSignal.timeout(5000),
    );
    const failing = await withSwitch(() => Promise.reject(new Error('store down'))).advise(
      fixtureReview(),
      AbortSignal.timeout(5000),
    );
    const { outcome: slow, elapsedMs } = await timed(
      withSwitch(() => new Promise<AiMode>(() => undefined)).advise(
        fixtureReview(),
        AbortSignal.timeout(200),
      ),
    );

    expect(off).toMatchObject({ status: 'disabled', reason: 'switched-off' });
    expect(failing).toMatchObject({ status: 'disabled', reason: 'switch-unavailable' });
    expect(slow).toMatchObject({ status: 'timeout', findings: [] });
    expect(elapsedMs).toBeLessThan(200 + DEADLINE_SLACK_MS);
    expect(fake.requests).toHaveLength(0);
  });

  it('close() stops calls still running after their hook answered, so shutdown does not wait for the model', async () => {
    const { advisor, registry } = await setup(standIn.hang, { maxCallMs: 120_000 });
    await advisor.advise(fixtureReview(), AbortSignal.timeout(50));

    advisor.close();
    await advisor.drain();

    expect(await registry.getSingleMetricAsString('cds_model_late_answers_total')).toMatch(
      /outcome="lost"} 1/,
    );
  }, 5000);

  it('counts every outcome in the metrics registry it was given', async () => {
    const { advisor, registry } = await setup(goodAdvice);

    await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));
    await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

    const text = await registry.getSingleMetricAsString('cds_model_advice_total');
    expect(text).toMatch(/service="order-sign-advice",outcome="ok"} 1/);
    expect(text).toMatch(/service="order-sign-advice",outcome="cached"} 1/);
    expect(await registry.getSingleMetricAsString('cds_model_calls_total')).toMatch(
      /outcome="ok",code="none"} 1/,
    );
  });
});

describe('model advisor configuration', () => {
  it('shares its metrics with another advisor on the same registry instead of failing', () => {
    const registry = new Registry();
    const config = testConfig({
      azureOpenAI: {
        endpoint: 'http://127.0.0.1:9',
        deployment: DEPLOYMENT,
        apiKey: API_KEY,
        apiVersion: '2024-10-21',
      },
    });

    const build = (): ModelAdvisor | undefined =>
      createModelAdvisor(config, { logger: silentLogger(), metricsRegistry: registry });

    expect(build).not.toThrow();
    expect(build).not.toThrow();
  });

  it('is off, and says so at start, when no endpoint is configured', () => {
    const lines: string[] = [];
    const logger = { info: (message: string) => lines.push(message) } as unknown as Logger;

    const created = createModelAdvisor(testConfig({ azureOpenAI: undefined }), { logger });

    expect(created).toBeUndefined();
    expect(lines).toEqual(['model advisor off: neither MODEL_ENDPOINT nor AZURE_OPENAI_ENDPOINT is set']);
  });

  it('uses keyless Entra ID when no key is set: a bearer token fetched at start and cached, never an api-key header', async () => {
    fake = await startFakeAzureOpenAI({ deployment: DEPLOYMENT, bearerToken: 'entra-token-stand-in' });
    fake.behaviour = goodAdvice;
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: (scope): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return Promise.resolve({ token: 'entra-token-stand-in', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const config = testConfig({
      azureOpenAI: {
        endpoint: fake.endpoint,
        deployment: DEPLOYMENT,
        apiKey: undefined,
        apiVersion: '2024-10-21',
      },
    });
    advisor = createModelAdvisor(config, { logger: silentLogger(), credential });
    await new Promise((resolve) => setImmediate(resolve));
    const scopesBeforeFirstHook = [...scopes];

    const outcome = await advisor!.advise(fixtureReview(), AbortSignal.timeout(5000));

    expect(outcome.status).toBe('ok');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer entra-token-stand-in');
    expect(fake.requests[0]?.headers['api-key']).toBeUndefined();
    expect(scopesBeforeFirstHook).toEqual([ENTRA_SCOPE]);
    expect(scopes).toEqual([ENTRA_SCOPE]);
  });

  it('ignores OPENAI_BASE_URL and OPENAI_LOG=debug from the environment: data goes only to the endpoint, never to the console', async () => {
    const saved = { base: process.env.OPENAI_BASE_URL, log: process.env.OPENAI_LOG };
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/elsewhere';
    process.env.OPENAI_LOG = 'debug';
    const spies = (['log', 'debug', 'info', 'warn', 'error'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const { advisor, fake } = await setup(goodAdvice);

      const outcome = await advisor.advise(fixtureReview(), AbortSignal.timeout(5000));

      expect(outcome.status).toBe('ok');
      expect(fake.requests).toHaveLength(1);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      process.env.OPENAI_BASE_URL = saved.base;
      process.env.OPENAI_LOG = saved.log;
      if (saved.base === undefined) delete process.env.OPENAI_BASE_URL;
      if (saved.log === undefined) delete process.env.OPENAI_LOG;
    }
  });

  it('builds the keyless client with DefaultAzureCredential without asking it for a token', () => {
    const client = createModelPort(
      fromAzureOpenAI({
        endpoint: 'https://example-resource.openai.azure.com',
        deployment: DEPLOYMENT,
        apiKey: undefined,
        apiVersion: '2024-10-21',
      }),
    );

    expect(client.auth).toBe('entra-id');
  });
});
