/**
 * Where one hook call's time goes: each stage of the order-sign pipeline run in-process on the benchmark's own
 * payload (the 21 KB body autocannon sends), timed per call after a warm-up. The stages are the real functions
 * `invokeService` calls (the request-to-review path is `src/pipeline/review.ts`), in its order; the HTTP server, Express and the middleware are what the HTTP figures add.
 * Standalone: `npx tsx bench/stages.bench.ts` (BENCH_STAGE_ITERATIONS, default 3000); `bench/run.ts` imports it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVICES } from '../hooks/index.js';
import { createRulesAdvisor } from '../src/advisors/rules/index.js';
import type { Finding } from '../src/findings/types.js';
import { buildCards } from '../src/cards/build.js';
import type { HookRequest } from '../src/cds/types.js';
import { clientPseudonym, createPseudonymizer, userPseudonym } from '../src/pipeline/pseudonym.js';
import { findingsOf, reviewOf } from '../src/pipeline/review.js';
import { validateHookRequest } from '../src/pipeline/validateRequest.js';
import { resolveAsSent } from '../src/prefetch/resolve.js';
import { createLogger } from '../src/logger.js';
import { ANONYMOUS_CLIENT } from '../src/security/types.js';
import { writeInvocations } from '../src/store/auditWriter.js';
import { connect } from '../src/store/connect.js';
import { migrate } from '../src/store/migrate.js';
import { selectionOverrides } from '../src/store/queries.js';
import type { InvocationRecord } from '../src/store/types.js';
import { hookPayload } from './payload.js';

export interface StageCost {
  readonly stage: string;
  /** Mean time per hook call, in microseconds. */
  readonly meanUs: number;
}

const SERVICE_ID = 'order-sign-advice';
const AUDIT_BATCH = 50;

async function timed(stage: string, iterations: number, run: () => unknown): Promise<StageCost> {
  for (let i = 0; i < Math.min(300, iterations); i++) await run();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await run();
  return { stage, meanUs: Math.round(((performance.now() - t0) * 1000 * 10) / iterations) / 10 };
}

export async function benchStages(
  iterations = Number(process.env.BENCH_STAGE_ITERATIONS ?? 3000),
): Promise<StageCost[]> {
  const service = SERVICES.find((s) => s.definition.id === SERVICE_ID);
  if (!service) throw new Error(`${SERVICE_ID} is not registered`);
  const { definition } = service;
  const advisor = createRulesAdvisor();
  const signal = new AbortController().signal;
  const text = hookPayload('order-sign');
  const pseudonymize = createPseudonymizer('bench-pseudonym-key-0123456789abcdef');

  const parsed: unknown = JSON.parse(text);
  const request: HookRequest = validateHookRequest(definition, parsed);
  const context = request.context as unknown as Record<string, unknown>;
  const data = resolveAsSent(Object.keys(definition.prefetch), request.prefetch);
  const review = reviewOf(service, request, data, new Date());
  const outcomes = [await advisor.advise(review, signal)];
  const findings: Finding[] = findingsOf(outcomes, definition);
  const built = buildCards(findings, SERVICE_ID, request.hookInstance);
  const scope = {
    patientPseudonym: pseudonymize(String(context.patientId)),
    userPseudonym: userPseudonym(pseudonymize, String(context.userId)),
    clientPseudonym: clientPseudonym(pseudonymize, ANONYMOUS_CLIENT),
  };
  const record = (): InvocationRecord => ({
    hookInstance: request.hookInstance,
    serviceId: SERVICE_ID,
    hook: 'order-sign',
    startedAt: new Date(),
    durationMs: 1.25,
    outcome: 'ok',
    ...scope,
    advisors: [{ advisor: 'rules', status: 'ok', latencyMs: 0.1, findings: findings.length }],
    cards: buildCards(findings, SERVICE_ID, request.hookInstance).records,
  });

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-bench-stages-'));
  const connection = connect({ dataDir, databaseUrl: undefined, logger: createLogger('error', true) });
  try {
    await migrate(connection);
    const batches = Math.max(10, Math.round(iterations / AUDIT_BATCH));
    const stages = [
      await timed('parse the JSON body (21 KB)', iterations, () => JSON.parse(text)),
      // On the parsed body (validation reads it and changes nothing), so the parse is not counted twice.
      await timed('validate the request (ajv, JSON Schemas)', iterations, () =>
        validateHookRequest(definition, parsed),
      ),
      await timed(
        'normalize the chart (8 medications, 6 problems, 2 allergies, 30 labs, 2 drafts)',
        iterations,
        () => reviewOf(service, request, data, new Date()),
      ),
      await timed('rules advisor (review and findings)', iterations, async () =>
        advisor.advise(review, signal),
      ),
      await timed(`build and validate ${built.cards.length} cards`, iterations, () =>
        buildCards(findingsOf(outcomes, definition), SERVICE_ID, request.hookInstance),
      ),
      await timed('serialize the response', iterations, () => JSON.stringify({ cards: built.cards })),
      await timed('override lookup (SQLite)', iterations, () =>
        selectionOverrides(connection.db, scope, new Date(Date.now() - 7_200_000)),
      ),
    ];
    // Audit rows go in batches, as the queue writes them: the cost per hook call is a batch's over its size.
    const audit = await timed(
      `audit trail row and ${built.cards.length} card rows, hash-chained (SQLite)`,
      batches,
      () => writeInvocations(connection.db, Array.from({ length: AUDIT_BATCH }, record)),
    );
    stages.push({ stage: audit.stage, meanUs: Math.round((audit.meanUs / AUDIT_BATCH) * 10) / 10 });
    return stages;
  } finally {
    await connection.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stages = await benchStages();
  console.log('| stage (order-sign, in-process) | µs per call |');
  console.log('| --- | --: |');
  for (const s of stages) console.log(`| ${s.stage} | ${s.meanUs} |`);
  console.log(`| **sum** | ${Math.round(stages.reduce((sum, s) => sum + s.meanUs, 0))} |`);
}
