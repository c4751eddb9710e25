/**
 * Renders the demo's cards for one patient in a page laid out like the CDS Hooks sandbox, in Debian's chromium
 * (playwright-core, never a downloaded browser), and saves a PNG for docs/integration.md.
 * Run: `npx tsx scripts/demo-screenshot.ts [patient-id] [out.png]` (default demo-ellis, docs/cards-in-sandbox-layout.png).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createLogger } from '../src/logger.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { type RenderableCard, cardsPage } from './demo/cardsPage.js';
import { chartOpenRequest } from './demo/chartOpen.js';
import { endpointOf, mintToken } from './demo/mint.js';
import { DEMO_PATIENTS } from './demo/patients.js';
import { startDemo } from './demo/run.js';

const patientId = process.argv[2] ?? 'demo-ellis';
const out = path.resolve(process.argv[3] ?? path.join(PROJECT_ROOT, 'docs', 'cards-in-sandbox-layout.png'));
const patient = DEMO_PATIENTS.find((p) => p.id === patientId);
if (!patient) throw new Error(`no demo patient ${patientId}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'cds-demo-shot-'));
const demo = await startDemo({
  dir,
  env: { PORT: '3990' },
  fhirPort: 0,
  logger: createLogger('error', true),
});
try {
  const token = await mintToken(demo.identity, endpointOf(demo.config.publicBaseUrl, 'patient-view-advice'));
  const res = await fetch(`${demo.service.url}/cds-services/patient-view-advice`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(chartOpenRequest(patientId, demo.fhir.baseUrl)),
  });
  if (res.status !== 200) throw new Error(`patient-view answered ${res.status}`);
  const { cards } = (await res.json()) as { cards: RenderableCard[] };
  const page = path.join(dir, 'cards.html');
  writeFileSync(
    page,
    cardsPage(`Patient View — ${patient.name}`, 'patient-view-advice · CDS Advisor demo', cards),
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await tab.goto(`file://${page}`);
    await tab.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`${cards.length} card(s) for ${patientId} → ${path.relative(PROJECT_ROOT, out)}`);
} finally {
  await demo.stop();
}
