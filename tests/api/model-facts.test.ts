/**
 * The model fact sheet through HTTP: public (no token), built from the configuration, the audit (the model that
 * last answered) and the stored evaluation report (written here by the eval harness's own report builder), every
 * value escaped on the page, and nothing secret in it (no key, no endpoint host). The model is the Azure OpenAI
 * STAND-IN.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildReport, type ScenarioResult } from '../../scripts/eval.js';
import type { ModelFacts } from '../../src/modelFacts/facts.js';
import { type FakeAzureOpenAI, standIn, startFakeAzureOpenAI } from '../fakes/azure-openai-server.js';
import { requestFixture } from '../helpers/fixtures.js';
import { type TestApp, testApp } from '../helpers/testApp.js';

const TOKEN = 'facts-test-token-0a7d31-9c4e2b8f61d0';
const API_KEY = 'stand-in-key-never-shown-4f1c';

function result(name: string, found: string[], missed: string[]): ScenarioResult {
  return {
    name,
    serviceId: 'order-sign-advice',
    ageBand: '65-79',
    sex: 'female',
    expected: found.length + missed.length,
    latencyMs: 120,
    found,
    missed,
    falseAlarms: [],
    advisors: {
      model: { status: 'ok', latencyMs: 110, found, missed, falseAlarms: [] },
    },
  };
}

describe('GET /model-facts', () => {
  let fake: FakeAzureOpenAI;
  let running: TestApp;
  let evalFile: string;

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI({ deployment: 'advice-<b>', apiKey: API_KEY });
    fake.behaviour = standIn.goodAdvice();
    evalFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'facts-')), 'eval.json');
    const report = buildReport(
      [result('a', ['interaction:ibuprofen|warfarin'], []), result('b', ['x', 'y', 'z'], ['w'])],
      {
        advisors: ['rules', 'model'],
        model: 'advice (answered by stand-in)',
        budgetMs: 2000,
        modelGuardDrops: {},
        note: 'Stand-in run <script>alert(1)</script>',
      },
      new Date('2026-12-01T09:30:00.000Z'),
    );
    writeFileSync(evalFile, JSON.stringify(report));
    running = await testApp({
      auditTokens: [TOKEN],
      evalReportFile: evalFile,
      azureOpenAI: {
        endpoint: fake.endpoint,
        deployment: 'advice-<b>',
        apiKey: API_KEY,
        apiVersion: '2024-10-21',
      },
    });
  });

  afterAll(async () => {
    for (const advisor of running.deps.advisors) advisor.close?.();
    await running.deps.store.close();
    await fake.close();
  });

  it('answers without a token, from the configuration and the stored evaluation, with nothing secret', async () => {
    const res = await request(running.app).get('/model-facts.json').expect(200);
    const facts = res.body as ModelFacts;
    expect(facts.model).toMatchObject({
      configured: true,
      deployment: 'advice-<b>',
      endpointKind: 'azure-openai',
      endpoint: 'Azure OpenAI deployments route',
      apiVersion: '2024-10-21',
      lastAnswered: null,
    });
    expect(facts.evaluation).toEqual({
      onRecord: true,
      date: '2026-12-01T09:30:00.000Z',
      model: 'advice (answered by stand-in)',
      note: 'Stand-in run <script>alert(1)</script>',
      figures: expect.arrayContaining([
        { label: 'Cases replayed', value: '2' },
        { label: 'Model: expected findings found (recall)', value: '80.0 %' },
        { label: 'Model: missed', value: '1' },
      ]),
    });
    expect(facts.services).toEqual([
      { id: 'patient-view-advice', title: expect.any(String), mode: 'on' },
      { id: 'order-select-advice', title: expect.any(String), mode: 'on' },
      { id: 'order-sign-advice', title: expect.any(String), mode: 'on' },
    ]);
    expect(facts.neverSees.join(' ')).toMatch(/identifiers/);
    expect(facts.outOfScope.length).toBeGreaterThan(0);
    expect(facts.limitations.length).toBeGreaterThan(0);
    const text = JSON.stringify(facts);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(new URL(fake.endpoint).host);
  });

  it('names the model version that answered most recently, and the mode set per service', async () => {
    await request(running.app)
      .post('/cds-services/order-sign-advice')
      .send(requestFixture('order-sign.full-prefetch'))
      .expect(200);
    await running.deps.store.audit.flush();
    await request(running.app)
      .put('/admin/services/patient-view-advice/ai')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ mode: 'shadow' })
      .expect(200);
    // The public sheet is rebuilt at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const facts = (await request(running.app).get('/model-facts.json').expect(200)).body as ModelFacts;
    expect(facts.model.lastAnswered).toEqual({
      deployment: 'advice-<b>',
      modelVersion: expect.any(String),
      promptVersion: facts.model.promptVersion,
      at: expect.any(String),
    });
    expect(facts.services.find((s) => s.id === 'patient-view-advice')?.mode).toBe('shadow');
  });

  it('renders the page with every value escaped, no script, and a policy that allows none', async () => {
    const res = await request(running.app).get('/model-facts').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('advice-&lt;b&gt;');
    expect(res.text).toContain('Stand-in run &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toContain('2026-12-01T09:30:00.000Z');
    expect(res.text).not.toContain(API_KEY);
    await request(running.app).post('/model-facts').expect(405);
  });

  it('says "no evaluation on record" when there is no report, and that no model is configured', async () => {
    const bare = await testApp({ evalReportFile: path.join(os.tmpdir(), 'no-such-eval-report.json') });
    try {
      const facts = (await request(bare.app).get('/model-facts.json').expect(200)).body as ModelFacts;
      expect(facts.evaluation).toEqual({ onRecord: false, statement: 'no evaluation on record' });
      expect(facts.model).toMatchObject({ configured: false, deployment: null, endpointKind: null });
      const page = await request(bare.app).get('/model-facts').expect(200);
      expect(page.text).toContain('no evaluation on record');
      expect(page.text).toContain('No model is configured');
    } finally {
      await bare.deps.store.close();
    }
  });
});
