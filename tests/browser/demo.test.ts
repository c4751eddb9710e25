/**
 * The demo in a real browser (Debian's chromium through playwright-core): the safety dashboard the demo prints
 * opens with its token and says "no model configured" (the demo runs without a model endpoint) rather than ON;
 * an override sent back with only its code reads by its label; and the demo's cards render in the local page laid
 * out like the CDS Hooks sandbox (the screenshot in docs/integration.md is made the same way).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page, chromium } from 'playwright-core';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { type RenderableCard, cardsPage } from '../../scripts/demo/cardsPage.js';
import { chartOpenRequest } from '../../scripts/demo/chartOpen.js';
import { mintToken } from '../../scripts/demo/mint.js';
import { type RunningDemo, startDemo } from '../../scripts/demo/run.js';
import { OVERRIDE_REASON_SYSTEM } from '../../src/advisors/rules/findingKinds.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, 'tests', 'artifacts');

let demo: RunningDemo;
let browser: Browser;
let page: Page;
let cards: RenderableCard[];

/** A signed POST to `/cds-services/{path}` (a service, or its feedback endpoint). */
async function signed(servicePath: string, body: unknown): Promise<Response> {
  const token = await mintToken(demo.identity, `${demo.config.publicBaseUrl}/cds-services/${servicePath}`);
  return fetch(`${demo.service.url}/cds-services/${servicePath}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  await buildDashboard();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cds-demo-browser-'));
  // PUBLIC_BASE_URL must carry the real port for the JWT audience: a fixed one, unlikely to be taken.
  demo = await startDemo({ dir, env: { PORT: '3871' }, fhirPort: 0, logger: silentLogger() });
  const res = await signed('patient-view-advice', chartOpenRequest('demo-ellis', demo.fhir.baseUrl));
  expect(res.status).toBe(200);
  cards = ((await res.json()) as { cards: (RenderableCard & { uuid: string })[] }).cards;
  // A clinician dismisses the interaction card; the EHR sends back the reason's code only.
  const interaction = cards.find((c) => c.source.topic?.display === 'Drug interaction') as RenderableCard & {
    uuid: string;
  };
  await demo.service.deps.store.audit.flush();
  const feedback = await signed('patient-view-advice/feedback', {
    feedback: [
      {
        card: interaction.uuid,
        outcome: 'overridden',
        overrideReason: { reason: { system: OVERRIDE_REASON_SYSTEM, code: 'will-monitor' } },
        outcomeTimestamp: new Date().toISOString(),
      },
    ],
  });
  expect(feedback.status).toBe(200);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the demo in chromium', () => {
  it('opens the dashboard with the printed token; no model is configured, and the badge says so', async () => {
    await page.goto(`${demo.service.url}/audit`);
    await page.waitForSelector('body[data-state="signed-out"]');
    await page.fill('#token', demo.auditToken);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]');
    const badges = await page.$$eval('#switches .badge', (nodes) => nodes.map((n) => n.textContent?.trim()));
    expect(badges).toEqual(['no model configured', 'no model configured', 'no model configured']);
  });

  it('shows an override reason sent back by code alone by its label', async () => {
    await page.waitForSelector('#fatigue tbody tr[data-key]');
    const reasons = await page.textContent('#fatigue tbody');
    expect(reasons).toContain('Will monitor (1)');
    expect(reasons).not.toContain('will-monitor');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-dashboard.png'), fullPage: true });
  });

  it("renders the demo's cards in the sandbox-style page", async () => {
    const file = path.join(ARTIFACTS, 'demo-cards.html');
    writeFileSync(file, cardsPage('Patient View — Margaret Ellis, 84', 'patient-view-advice', cards));
    await page.goto(`file://${file}`);
    const summaries = await page.$$eval('.card h2', (nodes) => nodes.map((n) => n.textContent));
    expect(summaries).toEqual(cards.map((c) => c.summary));
    expect(await page.$$eval('.indicator.warning', (n) => n.length)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-cards.png'), fullPage: true });
  });
});
