/**
 * `npm run fire -- <service-id> <scenario>`: posts a fixture patient from `tests/fixtures/scenarios/` to a running
 * CDS Advisor and prints the cards readably. Without arguments, lists the scenarios.
 * `npm run fire -- patient-view-advice --patient <id>`: a chart-open call for a patient of the demo's FHIR server
 * (DEMO_FHIR_URL, default http://127.0.0.1:3001/fhir), no prefetch: the service reads the chart itself.
 *
 * - CDS_URL: the service (default http://127.0.0.1:3000).
 * - Authentication: each call is signed with a fresh JWT from the EHR identity file `--key FILE` or CDS_KEY_FILE
 *   names, else the demo's (`.demo/`, when `npm run demo` has made one); CDS_TOKEN sends a fixed token instead
 *   (good for one call only: the service refuses a replayed `jti`).
 * - Dates in a scenario are relative to its `now` (in `<scenario>.expected.json`); they are shifted to today so a
 *   lab that was "3 days old" still is.
 * - An order-select scenario can be fired at order-sign-advice: the selections are dropped, every draft is signed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartOpenRequest } from './demo/chartOpen.js';
import { identityFileFromEnv, readIdentity } from './demo/identity.js';
import { endpointOf, mintToken } from './demo/mint.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = path.join(ROOT, 'tests/fixtures/scenarios');
const BASE_URL = (process.env.CDS_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const HOOK_OF: Readonly<Record<string, string>> = {
  'patient-view-advice': 'patient-view',
  'order-select-advice': 'order-select',
  'order-sign-advice': 'order-sign',
};
const DAY_MS = 86_400_000;

interface Expected {
  readonly description: string;
  readonly now: string;
  readonly services: Record<string, { key: string }[]>;
}

interface CardLike {
  summary: string;
  indicator: string;
  detail?: string;
  source: { label: string; url?: string };
  suggestions?: {
    label: string;
    isRecommended?: boolean;
    actions?: {
      type: string;
      description: string;
      resourceId?: string;
      resource?: { resourceType: string };
    }[];
  }[];
  overrideReasons?: { display?: string; code: string }[];
  links?: { label: string; url: string }[];
  extension?: Record<string, { advisor?: string; ruleId?: string; evidence?: string[] } | undefined>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function listScenarios(): void {
  const names = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.replace('.expected.json', ''))
    .sort();
  console.log(
    'usage: npm run fire -- <service-id> <scenario>\n\nscenarios (services with expected findings):',
  );
  for (const name of names) {
    const expected = readJson<Expected>(path.join(SCENARIOS, `${name}.expected.json`));
    console.log(`  ${name}  [${Object.keys(expected.services).join(', ')}]\n      ${expected.description}`);
  }
}

/** Shifts every ISO date (YYYY-MM-DD…) in the scenario by whole days, so relative ages of data stay true. */
function shiftDates(value: unknown, days: number): unknown {
  if (typeof value === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})(.*)$/.exec(value);
    if (!m?.[1]) return value;
    const shifted = new Date(Date.parse(`${m[1]}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
    return shifted + (m[2] ?? '');
  }
  if (Array.isArray(value)) return value.map((v) => shiftDates(v, days));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'hookInstance' ? v : shiftDates(v, days)]),
    );
  }
  return value;
}

function prepare(serviceId: string, scenario: string): Record<string, unknown> {
  const request = readJson<Record<string, unknown> & { context: Record<string, unknown> }>(
    path.join(SCENARIOS, `${scenario}.json`),
  );
  const expected = readJson<Expected>(path.join(SCENARIOS, `${scenario}.expected.json`));
  const hook = HOOK_OF[serviceId];
  if (hook && hook !== request.hook) {
    if (hook === 'order-sign' && request.hook === 'order-select') {
      delete request.context.selections;
      request.hook = hook;
    } else {
      console.warn(
        `note: ${scenario} is a ${String(request.hook)} scenario; ${serviceId} will likely reject it`,
      );
    }
  }
  const days = Math.round((Date.now() - Date.parse(expected.now)) / DAY_MS);
  return { ...(shiftDates(request, days) as Record<string, unknown>), hookInstance: crypto.randomUUID() };
}

/** Card details are markdown with chart text escaped; for a terminal, drop the escapes. */
function plain(markdown: string): string {
  return markdown.replace(/\\([\\`*_{}[\]()#+\-.!|~:=<>&/])/g, '$1').replace(/\*\*/g, '');
}

const ICON: Readonly<Record<string, string>> = {
  critical: '⛔ CRITICAL',
  warning: '⚠️  WARNING',
  info: 'ℹ️  INFO',
};

function printCard(card: CardLike, index: number): void {
  const provenance = card.extension?.['cds-advisor.provenance'];
  console.log(`\n${index + 1}. ${ICON[card.indicator] ?? card.indicator}  ${card.summary}`);
  console.log(`   source: ${card.source.label}${card.source.url ? ` <${card.source.url}>` : ''}`);
  if (provenance)
    console.log(
      `   by: ${provenance.advisor ?? '?'}${provenance.ruleId ? ` (${provenance.ruleId})` : ''}; evidence: ${(provenance.evidence ?? []).join(', ')}`,
    );
  if (card.detail)
    console.log(
      plain(card.detail)
        .split('\n')
        .map((l) => `   | ${l}`)
        .join('\n'),
    );
  for (const s of card.suggestions ?? []) {
    console.log(`   → ${s.label}${s.isRecommended ? ' (recommended)' : ''}`);
    for (const a of s.actions ?? [])
      console.log(`       ${a.type} ${a.resourceId ?? a.resource?.resourceType ?? ''}: ${a.description}`);
  }
  if (card.overrideReasons?.length)
    console.log(`   override reasons: ${card.overrideReasons.map((r) => r.display ?? r.code).join(' · ')}`);
  for (const l of card.links ?? []) console.log(`   link: ${l.label} <${l.url}>`);
}

/** The Authorization header: a fixed CDS_TOKEN, or a fresh JWT for this call from an EHR identity file. */
async function authorization(serviceId: string, keyFile: string | undefined): Promise<string | undefined> {
  if (process.env.CDS_TOKEN && !keyFile) return `Bearer ${process.env.CDS_TOKEN}`;
  const file = keyFile ?? identityFileFromEnv();
  if (!file) return undefined;
  return `Bearer ${await mintToken(readIdentity(file), endpointOf(BASE_URL, serviceId))}`;
}

async function fire(
  serviceId: string,
  scenario: string,
  body: Record<string, unknown>,
  keyFile: string | undefined,
): Promise<number> {
  const url = `${BASE_URL}/cds-services/${encodeURIComponent(serviceId)}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const auth = await authorization(serviceId, keyFile);
  if (auth) headers.authorization = auth;
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    console.error(
      `cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}\nIs the service running (npm start)? Set CDS_URL to point elsewhere.`,
    );
    return 2;
  }
  const elapsed = performance.now() - started;
  const text = await response.text();
  if (!response.ok) {
    console.error(`${response.status} ${response.statusText} from ${url}\n${text}`);
    return 1;
  }
  const { cards = [] } = JSON.parse(text) as { cards?: CardLike[] };
  console.log(`${serviceId} ← ${scenario}: ${cards.length} card(s) in ${elapsed.toFixed(0)} ms`);
  cards.forEach(printCard);
  const expectedFile = path.join(SCENARIOS, `${scenario}.expected.json`);
  const expected = body.fhirServer ? undefined : readJson<Expected>(expectedFile).services[serviceId];
  if (expected) {
    const list = expected.map((e) => e.key).join(', ') || 'none';
    console.log(`\nthe scenario expects ${expected.length} rule finding(s) here: ${list}`);
  }
  return 0;
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const keyFile = option('--key');
const patientId = option('--patient');
const [serviceId, scenario] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (serviceId && patientId) {
  process.exitCode = /^[A-Za-z0-9.-]{1,64}$/.test(patientId)
    ? await fire(
        serviceId,
        `patient ${patientId}`,
        chartOpenRequest(patientId, process.env.DEMO_FHIR_URL ?? 'http://127.0.0.1:3001/fhir'),
        keyFile,
      )
    : 2;
} else if (!serviceId || !scenario) {
  listScenarios();
} else if (!/^[a-z0-9-]+$/.test(scenario)) {
  console.error('scenario names are lower-case words joined by hyphens (run without arguments to list them)');
  process.exitCode = 2;
} else {
  process.exitCode = await fire(serviceId, scenario, prepare(serviceId, scenario), keyFile);
}
