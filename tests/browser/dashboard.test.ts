/**
 * The safety dashboard in a real browser: Debian's chromium (never a downloaded one) driven by playwright-core,
 * against the real service on 127.0.0.1 (port 0) with a known audit history, the rules and the model advisor
 * (the real AzureOpenAI client talking to the Azure OpenAI stand-in). A missing chromium fails the suite: .ci/run
 * installs it.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page, chromium } from 'playwright-core';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { createModelAdvisor, type ModelAdvisor, PROMPT_VERSION } from '../../src/advisors/model/index.js';
import { createRulesAdvisor } from '../../src/advisors/rules/index.js';
import { type Card, PROVENANCE_EXTENSION } from '../../src/cds/types.js';
import { testConfig } from '../helpers/testConfig.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { SqlStore } from '../../src/store/sqlStore.js';
import {
  type FakeAzureOpenAI,
  patientDataOf,
  standIn,
  startFakeAzureOpenAI,
} from '../fakes/azure-openai-server.js';
import { requestFixture } from '../helpers/fixtures.js';
import { reviewOfPatientAged } from '../unit/model/fixtures.js';
import { type Location, newLocation, openAt } from '../int/store/helpers.js';
import { INTERACTION, type Seeded, seedAudit } from '../api/audit/seed.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token-5e7b21-c8a04f3d9e17';
const ARTIFACTS = path.join(PROJECT_ROOT, 'tests', 'artifacts');

let location: Location;
let store: SqlStore;
let seeded: Seeded;
let fake: FakeAzureOpenAI;
let model: ModelAdvisor;
let service: RunningServer;
let browser: Browser;
let page: Page;
const browserErrors: string[] = [];

async function orderSelect(): Promise<Card[]> {
  const res = await fetch(`${service.url}/cds-services/order-select-advice`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(requestFixture('order-select.full-prefetch')),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { cards: Card[] }).cards;
}

const modelCards = (cards: readonly Card[]): Card[] =>
  cards.filter((c) => (c.extension[PROVENANCE_EXTENSION] as { advisor: string }).advisor === 'model');

/** Waits until the page has finished loading what the current address asks for. */
async function ready(): Promise<void> {
  await page.waitForSelector('body[data-state="ready"]');
}

const text = async (selector: string): Promise<string> => (await page.textContent(selector))?.trim() ?? '';

beforeAll(async () => {
  // Fail, never skip: the browser test is part of the suite.
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  await buildDashboard();

  location = newLocation('sqlite');
  store = await openAt(location);
  seeded = await seedAudit(store);

  fake = await startFakeAzureOpenAI({ deployment: 'advice', apiKey: 'stand-in-key' });
  fake.behaviour = standIn.advising((data) => [
    {
      kind: 'other',
      summary: 'Consider checking renal function before continuing NSAID therapy.',
      detail: 'Scripted by the stand-in.',
      severity: 'info',
      cites: [data.draftOrders[0]!.alias],
      certainty: 'moderate',
      suggestion: null,
    },
  ]);
  const azureOpenAI = {
    endpoint: fake.endpoint,
    deployment: 'advice',
    apiKey: 'stand-in-key',
    apiVersion: '2024-10-21',
  };
  const config = testConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir: location.dataDir,
    auditTokens: [TOKEN],
    azureOpenAI,
  });
  // The kill switch as the composition root wires it: the model advisor asks the store.
  model = createModelAdvisor(config, {
    logger: silentLogger(),
    aiSwitch: { mode: (serviceId) => store.getAiMode(serviceId) },
  })!;
  service = await startServer(config, silentLogger(), { store, advisors: [createRulesAdvisor(), model] });

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  // Any script error or CSP violation on the page fails the test at the end.
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  model?.close();
  await service?.stop();
  await fake?.close();
});

describe('the safety dashboard in chromium', () => {
  it('is served under a strict Content-Security-Policy, scripts only from our own bundle', async () => {
    const res = await fetch(`${service.url}/audit`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('asks for a token, then shows the seeded numbers', async () => {
    await page.goto(`${service.url}/audit`);
    await page.waitForSelector('body[data-state="signed-out"]');
    await page.fill('#token', 'not-the-token');
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#login-error:not([hidden])');
    browserErrors.length = 0; // the refused login logs its 401, as it should

    await page.fill('#token', TOKEN);
    await page.click('#login-form button[type="submit"]');
    await ready();

    expect(await text('#kpi-invocations')).toBe('5');
    expect(await text('#kpi-cards')).toBe('7');
    expect(await text('#kpi-cards-per-call')).toBe('1.4');
    expect(await text('#kpi-accepted')).toBe('33.3%');
    expect(await text('#kpi-overridden')).toBe('66.7%');
    expect(await text('#kpi-accepted-note')).toBe('2 of 6 answered');
    expect(await text('#kpi-ai-share')).toBe('40%');
    expect(await text('#kpi-latency')).toBe('300 ms / 500 ms');
    // One interaction left out at order-sign (overridden at selection, with a reason); one call lacked labs.
    expect(await text('#kpi-quieted')).toBe('1');
    expect(await text('#kpi-quieted-note')).toBe('0 critical shown again');
    expect(await text('#kpi-data-gaps')).toBe('1');

    const fatigue = await page.$$eval('#fatigue tbody tr', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent?.trim())),
    );
    expect(fatigue).toEqual([
      [INTERACTION, 'Rule', '3', '3', '100%', 'Benefit outweighs risk (2) · Already monitoring (1)'],
      ['gpt-4o-2024-08-06', 'AI model', '2', '1', '50%', 'no reason given (1)'],
    ]);
    const outcomes = await page.$$eval('#model-outcomes tbody tr', (rows) =>
      rows.map(
        (r) => [r.getAttribute('data-status') ?? '', r.querySelector('.num')?.textContent ?? ''] as const,
      ),
    );
    expect(Object.fromEntries(outcomes)).toMatchObject({
      ok: '1',
      timeout: '1',
      error: '1',
      'circuit-open': '1',
      rejected: '1',
      disabled: '0',
    });
    expect(await page.getAttribute('#model-lane', 'data-state')).toBe('usable');
    expect(await text('#model-lane')).toMatch(/^Model lane usable: azure-openai endpoint, /);
    expect(await page.$$('#cards tbody tr[data-uuid]')).toHaveLength(7);
    // Both charts were drawn by our bundled chart.js.
    expect(await page.$$eval('canvas', (canvases) => canvases.map((c) => c.width > 0))).toEqual([true, true]);
  });

  it('filters by service, keeps the filter in the address, and a shared address shows the same view', async () => {
    await page.selectOption('#filters select[name="service"]', 'order-select-advice');
    await page.click('#filters button[type="submit"]');
    await page.waitForURL(/service=order-select-advice/);
    await ready();
    expect(await text('#kpi-invocations')).toBe('3');
    expect(await text('#kpi-cards')).toBe('6');
    expect(await page.$$('#cards tbody tr[data-uuid]')).toHaveLength(6);

    const shared = await browser.newPage();
    await shared.context().addCookies(await page.context().cookies());
    await shared.goto(page.url());
    await shared.waitForSelector('body[data-state="ready"]');
    expect((await shared.textContent('#kpi-invocations'))?.trim()).toBe('3');
    expect(await shared.inputValue('#filters select[name="service"]')).toBe('order-select-advice');
    await shared.close();
  });

  it('drills into one card: what it said, its evidence, provenance and feedback', async () => {
    const uuid = seeded.cards.RA.uuid;
    await page.click(`#cards tbody tr[data-uuid="${uuid}"]`);
    await page.waitForSelector('#detail:not([hidden])');
    await page.waitForURL(new RegExp(`card=${uuid}`));
    const detail = await text('#detail');
    expect(detail).toContain('Warfarin with ibuprofen raises bleeding risk');
    expect(detail).toContain(INTERACTION);
    expect(detail).toContain('Built-in rule');
    expect(await page.$$eval('#detail .evidence li', (items) => items.map((li) => li.textContent))).toEqual([
      'MedicationRequest/draft-1',
      'Observation/egfr-1',
    ]);
    expect(detail).toContain('overridden');
    expect(detail).toContain('reason: Benefit outweighs risk');
    expect(await text('#detail .repeats')).toBe(
      'Not repeated at signing on 2026-11-21 08:00 (order-sign-advice; reason given: Benefit outweighs risk)',
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    // The README's picture is refreshed on request only, so a test run leaves the working tree clean.
    const readmeShot = path.join(PROJECT_ROOT, 'docs', 'dashboard.png');
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1' || !existsSync(readmeShot)) {
      mkdirSync(path.dirname(readmeShot), { recursive: true });
      copyFileSync(shot, readmeShot);
    }
  });

  it('flips the kill switch: the next order-select comes back without model cards, and with them once on again', async () => {
    const before = await orderSelect();
    expect(modelCards(before)).toHaveLength(1);
    const callsBefore = fake.requests.length;

    const row = '#switches tr[data-service="order-select-advice"]';
    expect(await text(`${row} .badge`)).toBe('ON');
    await page.click(`${row} button[data-mode="off"]`);
    await page.waitForSelector(`${row} .badge.off`);
    expect(await text(`${row} td:nth-child(3)`)).toMatch(/ by session:[0-9a-f]{12}$/);

    const off = await orderSelect();
    expect(modelCards(off)).toEqual([]);
    expect(off.length).toBeGreaterThan(0); // the rules still speak
    expect(fake.requests.length).toBe(callsBefore); // and the model was not even asked
    expect(await store.getAiMode('order-select-advice')).toBe('off');

    await page.click(`${row} button[data-mode="on"]`);
    await page.waitForSelector(`${row} .badge.on`);
    expect(modelCards(await orderSelect())).toHaveLength(1);
  });

  it('opens an AI card and shows why it appeared: model, prompt, the item as returned, the guards, the input as sent', async () => {
    const [card] = modelCards(await orderSelect());
    await store.audit.flush();
    await page.reload();
    await ready();
    await page.click(`#cards tbody tr[data-uuid="${card!.uuid}"]`);
    await page.waitForSelector('#detail .ai-why');
    const why = await text('#detail .ai-why');
    expect(why).toContain('Why this AI card appeared');
    expect(why).toContain('azure-openai');
    expect(why).toContain(PROMPT_VERSION);
    expect(why).toContain('Consider checking renal function before continuing NSAID therapy.');
    expect(why).toContain('kept at severity info; no suggestion');
    expect(why).toContain('shown as this AI card');
    expect(why).toMatch(/Advice from(this hook's own call|an earlier hook)/);
    // The input on record is the input the model was sent, and it holds no record id.
    const input = JSON.parse((await page.textContent('#detail .ai-input')) ?? '') as unknown;
    expect(input).toEqual(patientDataOf(fake.requests.at(-1)!));
    expect(JSON.stringify(input)).not.toMatch(/MedicationRequest\//);
    await page.click('#close-detail');
  });

  it('in shadow, shows what the model would have said beside what happened, and never shows it to clinicians', async () => {
    const row = '#switches tr[data-service="order-select-advice"]';
    await page.click(`${row} button[data-mode="shadow"]`);
    await page.waitForSelector(`${row} .badge.shadow`);
    expect(await store.getAiMode('order-select-advice')).toBe('shadow');

    const cards = await orderSelect();
    expect(modelCards(cards)).toEqual([]);
    expect(cards.length).toBeGreaterThan(0);
    await store.audit.flush();
    await page.reload();
    await ready();
    const shadowRows = await page.$$eval('#shadow tbody tr[data-verdict]', (rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
    );
    expect(shadowRows).toHaveLength(1);
    const [, serviceId, advice, happened, verdict] = shadowRows[0]!;
    expect(serviceId).toBe('order-select-advice');
    expect(advice).toContain('Consider checking renal function before continuing NSAID therapy.');
    for (const shown of cards) expect(happened).toContain(shown.summary);
    expect(verdict).toBe('no signal yet');
    expect(await text('#shadow-share-note')).toContain('1 items in 1 shadowed calls');

    // The clinician takes a card's first suggestion: the order it placed shows under that card, in words.
    const taken = cards.find((c) => (c.suggestions ?? []).length > 0)!;
    const suggestion = taken.suggestions![0]!;
    const fb = await fetch(`${service.url}/cds-services/order-select-advice/feedback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        feedback: [
          {
            card: taken.uuid,
            outcome: 'accepted',
            acceptedSuggestions: [{ id: suggestion.uuid }],
            outcomeTimestamp: new Date().toISOString(),
          },
        ],
      }),
    });
    expect(fb.status).toBe(200);
    await page.reload();
    await ready();
    const order = await text(
      `#shadow li[data-uuid="${taken.uuid}"] li[data-suggestion="${suggestion.uuid}"]`,
    );
    expect(order).toMatch(/^accepted \d{4}-\d{2}-\d{2} \d{2}:\d{2}: /);
    expect(order).toContain(suggestion.label);
    const firstAction = suggestion.actions![0]!;
    expect(order).toContain(
      firstAction.type === 'delete' ? `delete ${firstAction.resourceId}` : `${firstAction.type} `,
    );
    expect(await text(`#shadow li[data-uuid="${taken.uuid}"]`)).toContain('accepted (matched by draft)');
    // The item suggested no order of its own: it agreed through the accepted card.
    expect(await text('#shadow tbody tr[data-verdict] td:nth-child(5)')).toBe(
      'agreed: the matching card was accepted',
    );

    await page.click(`${row} button[data-mode="on"]`);
    await page.waitForSelector(`${row} .badge.on`);
  });

  it('shows a model lane stopped by a configuration error, and what to change', async () => {
    const saved = fake.behaviour;
    fake.behaviour = { kind: 'status', status: 404, code: 'DeploymentNotFound' };
    try {
      for (let age = 30; age < 33; age++)
        await model.advise(reviewOfPatientAged(age), AbortSignal.timeout(5000));
      await page.reload();
      await ready();

      expect(await page.getAttribute('#model-lane', 'data-state')).toBe('misconfigured');
      expect(await text('#model-lane')).toMatch(
        /^Model lane MISCONFIGURED since .+: model calls stopped, rule cards continue .*MODEL_NAME/,
      );
    } finally {
      fake.behaviour = saved;
      await model.recheck();
    }
    expect(model.health().state).toBe('usable');
  });

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
