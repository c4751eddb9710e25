/**
 * Replays the ground-truth cases through the advisors and judges what each said against the clinician's
 * expectations. Every case run gets a fresh model advisor (its own late-answer cache, breaker and metrics), so no
 * answer is served from a cache another case — or the same case's order-select — filled, and each run's tokens
 * and guard drops are its own.
 *
 * The path to the advisors is the production one as main has it today (validate for the service, normalize, the
 * hook module's review, race the deadline, merge); it moves to the one pipeline function once that lands.
 */
import type { Patient } from 'fhir/r4.js';
import { Registry } from 'prom-client';
import { SERVICES } from '../../hooks/index.js';
import { createModelAdvisor } from '../../src/advisors/model/index.js';
import type { Advisor, AdvisorOutcome } from '../../src/advisors/types.js';
import type { Finding } from '../../src/findings/types.js';
import { assessRenalFunction } from '../../src/clinical/renal.js';
import type { Config } from '../../src/config.js';
import { adviseWithin, findingsOf, reviewOf } from '../../src/pipeline/review.js';
import { validateHookRequest } from '../../src/pipeline/validateRequest.js';
import { resolveAsSent } from '../../src/prefetch/resolve.js';
import type { Logger } from '../../src/logger.js';
import {
  type Expectations,
  type GroundTruthCase,
  judge,
  kindLabel,
  matchesConcern,
  primaryKind,
} from './groundTruth.js';
import {
  ageBand,
  type CaseRun,
  type EvalAdvisor,
  type ExpectationOutcome,
  type JudgedItem,
  renalBand,
  type Subgroups,
} from './metrics.js';

/** The model's stated certainty, as its card states it (the one place a finding carries it). */
export function statedCertainty(finding: Pick<Finding, 'detail'>): string | undefined {
  return /stated certainty: (low|moderate|high)\b/i.exec(finding.detail)?.[1]?.toLowerCase();
}

export function judgeFindings(
  caseName: string,
  run: number,
  advisor: EvalAdvisor,
  findings: readonly Finding[],
  e: Expectations,
): { items: JudgedItem[]; expectations: ExpectationOutcome[] } {
  const items = findings.map((f, index): JudgedItem => {
    const auto = judge(f, e);
    const certainty = f.advisor === 'model' ? statedCertainty(f) : undefined;
    return {
      id: `${caseName}#${run}#${advisor}#${index}`,
      advisor,
      kind: kindLabel(f),
      severity: f.severity,
      ...(certainty && { certainty }),
      key: f.key,
      summary: f.summary,
      verdict: auto.verdict,
      basis: auto.verdict === 'correct' ? auto.matched : auto.reason,
    };
  });
  const expectations = e.expected.map((x): ExpectationOutcome => {
    const hits = findings.filter((f) => matchesConcern(f, x));
    return {
      advisor,
      kind: primaryKind(x),
      severity: x.severity,
      found: hits.length > 0,
      severityAgreed: hits.length === 0 ? null : hits.some((f) => f.severity === x.severity),
    };
  });
  return { items, expectations };
}

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';

/** Demographic extensions on the Patient (US Core race and ethnicity, or any other with a text), by short name. */
export function demographicExtensions(patient: Patient | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ext of patient?.extension ?? []) {
    const name = ext.url.startsWith(US_CORE) ? ext.url.slice(US_CORE.length) : ext.url;
    const text = ext.valueString ?? ext.extension?.find((e) => e.url === 'text')?.valueString;
    if (text) out[name] = text;
  }
  return out;
}

export interface RunOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly budgetMs: number;
  /** Runs per case (stability); each on a fresh model advisor. */
  readonly repeat: number;
  /** Whether a model endpoint is configured (the stand-in counts). */
  readonly withModel: boolean;
}

async function counterValues(
  registry: Registry,
  name: string,
  label: string,
): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [String(v.labels[label]), v.value] as const).filter(([, n]) => n > 0),
  );
}

export async function runCase(
  c: GroundTruthCase,
  run: number,
  rules: Advisor,
  options: RunOptions,
): Promise<CaseRun> {
  const service = SERVICES.find((s) => s.definition.hook === c.request.hook);
  if (!service) throw new Error(`${c.name}: no service answers ${c.request.hook}`);
  const { definition } = service;
  const request = validateHookRequest(definition, c.request);
  // The production path from request to review, on the prefetch as the case sends it; each run its own hook call.
  const data = resolveAsSent(
    Object.keys(definition.prefetch),
    request.prefetch,
    definition.historyPrefetch ?? [],
  );
  const review = reviewOf(
    service,
    { ...request, hookInstance: `${request.hookInstance}-${run}` },
    data,
    new Date(c.expectations.now),
  );
  const patient = review.patient;

  const registry = new Registry();
  const model = options.withModel
    ? createModelAdvisor(options.config, { logger: options.logger, metricsRegistry: registry })
    : undefined;
  const advisors: Advisor[] = model ? [rules, model] : [rules];
  const t0 = performance.now();
  let outcomes: AdvisorOutcome[];
  try {
    outcomes = await adviseWithin(advisors, review, AbortSignal.timeout(options.budgetMs));
  } finally {
    model?.close();
  }
  const hookLatencyMs = performance.now() - t0;
  const shown = findingsOf(outcomes, definition);

  const judged = [
    ...outcomes.map((o) => judgeFindings(c.name, run, o.advisor, o.findings, c.expectations)),
    judgeFindings(c.name, run, 'shown', shown, c.expectations),
  ];
  const tokens = model ? await counterValues(registry, 'cds_model_tokens_total', 'type') : undefined;
  const subgroups: Subgroups = {
    ageBand: ageBand(patient.patient.ageYears),
    sex: patient.patient.sex ?? 'unknown',
    renalBand: renalBand(assessRenalFunction(patient).egfr?.value),
    extensions: demographicExtensions(request.prefetch?.patient as Patient | undefined),
  };
  return {
    caseName: c.name,
    run,
    hook: request.hook,
    subgroups,
    hookLatencyMs,
    advisors: Object.fromEntries(
      outcomes.map((o) => [o.advisor, { status: o.status, latencyMs: o.latencyMs }]),
    ),
    tokens: tokens ? { prompt: tokens.prompt ?? 0, completion: tokens.completion ?? 0 } : null,
    items: judged.flatMap((j) => j.items),
    expectations: judged.flatMap((j) => j.expectations),
    guardDrops: model ? await counterValues(registry, 'cds_model_items_dropped_total', 'reason') : {},
  };
}

/** Every case, `repeat` times, one at a time (latency per hook, not under load: that is `npm run bench`). */
export async function runGroundTruth(
  cases: readonly GroundTruthCase[],
  rules: Advisor,
  options: RunOptions,
): Promise<CaseRun[]> {
  const runs: CaseRun[] = [];
  for (const c of cases) {
    for (let run = 1; run <= options.repeat; run++) runs.push(await runCase(c, run, rules, options));
  }
  return runs;
}
