/**
 * Run by fhir-limits.test.ts under npm start's heap flags (plus --expose-gc): the real app, default settings but
 * for the budget, reads every prefetch key from a hostile FHIR server on 127.0.0.1. Prints, per scenario, what the
 * hook answered, how long it took and how much the process grew while the server sent its bodies:
 * - `huge`: every read answered with a 100 MB body, sent as fast as it is taken;
 * - `endless`: every read answered with a body that never ends, sent as fast as it is taken;
 * - `deadline`: with the byte limit at its highest, a body that never ends at a steady 3 MB/s while the garbage
 *   collector runs every 50 ms — the deadline, not the limit, must end it.
 */
import request from 'supertest';
import { requestFixture, withFhirServer } from '../helpers/fixtures.js';
import { testApp } from '../helpers/testApp.js';
import {
  type HostileFhirServer,
  type Responder,
  endlessBody,
  hugeBody,
  pacedBody,
  startHostileFhirServer,
} from '../fakes/hostile-fhir-server.js';

const BUDGET_MS = 1500;
const MB = 2 ** 20;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

interface Figures {
  readonly status: number;
  readonly message: string;
  readonly elapsedMs: number;
  readonly rssGrowthMb: number;
  readonly heapGrowthMb: number;
  readonly serverSentMb: number;
}

async function scenario(
  server: HostileFhirServer,
  respond: Responder,
  config: { fhirMaxResponseBytes?: number },
  collectEveryMs?: number,
): Promise<Figures> {
  server.respond = respond;
  const { app } = await testApp({ adviceBudgetMs: BUDGET_MS, ...config });
  // The app's own start (its store and audit writer thread) is not what is measured.
  await request(app).get('/readyz');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const body = withFhirServer(requestFixture('patient-view.no-prefetch'), `${server.origin}/fhir`, 'token');
  gc!();
  const before = process.memoryUsage();
  const sentBefore = server.bytesSent();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
    if (collectEveryMs) gc!();
  }, collectEveryMs ?? 10);
  const started = performance.now();
  const res = await request(app)
    .post('/cds-services/patient-view-advice')
    .send(body)
    .timeout(BUDGET_MS + 20_000);
  const elapsedMs = Math.round(performance.now() - started);
  clearInterval(sample);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  peakHeap = Math.max(peakHeap, after.heapUsed);
  return {
    status: res.status,
    message: String((res.body as { error?: { message?: string } }).error?.message ?? ''),
    elapsedMs,
    rssGrowthMb: Math.round((peakRss - before.rss) / MB),
    heapGrowthMb: Math.round((peakHeap - before.heapUsed) / MB),
    serverSentMb: Math.round((server.bytesSent() - sentBefore) / MB),
  };
}

const server = await startHostileFhirServer();
try {
  const huge = await scenario(server, hugeBody(100 * MB), {});
  const endless = await scenario(server, endlessBody(), {});
  const deadline = await scenario(server, pacedBody(150 * 1024, 50), { fhirMaxResponseBytes: 64 * MB }, 50);
  process.stdout.write(`${JSON.stringify({ budgetMs: BUDGET_MS, huge, endless, deadline })}\n`);
} finally {
  await server.close();
}
process.exit(0);
