/**
 * Counts per service over a time range (invocations by start time, feedback by receipt time): invocations by
 * outcome and duration, cards by advisor and indicator, feedback by outcome and flags.
 */
import type { Kysely } from 'kysely';
import type { AdvisorName, Severity } from '../../findings/types.js';
import type { Database } from '../schema.js';
import type { AuditSummary, InvocationOutcome, ServiceSummary, TimeRange } from '../types.js';

type MutableSummary = { -readonly [K in keyof ServiceSummary]: ServiceSummary[K] } & {
  invocationsByOutcome: Record<InvocationOutcome, number>;
  cardsByAdvisor: Record<AdvisorName, number>;
  cardsByIndicator: Record<Severity, number>;
  durationSum: number;
};

function emptySummary(serviceId: string): MutableSummary {
  return {
    serviceId,
    invocations: 0,
    invocationsByOutcome: { ok: 0, 'precondition-failed': 0, error: 0 },
    meanDurationMs: null,
    maxDurationMs: null,
    durationSum: 0,
    cards: 0,
    cardsByAdvisor: { rules: 0, model: 0 },
    cardsByIndicator: { info: 0, warning: 0, critical: 0 },
    feedback: 0,
    accepted: 0,
    overridden: 0,
    flaggedFeedback: 0,
  };
}

export async function summarize(db: Kysely<Database>, range: TimeRange = {}): Promise<AuditSummary> {
  const from = range.from?.toISOString();
  const to = range.to?.toISOString();
  let invocations = db
    .selectFrom('invocations')
    .select((eb) => [
      'service_id',
      'outcome',
      eb.fn.countAll().as('n'),
      eb.fn.sum<number>('duration_ms').as('total'),
      eb.fn.max('duration_ms').as('max'),
    ])
    .groupBy(['service_id', 'outcome']);
  let cards = db
    .selectFrom('cards')
    .select((eb) => ['service_id', 'advisor', 'indicator', eb.fn.countAll().as('n')])
    .groupBy(['service_id', 'advisor', 'indicator']);
  let feedback = db
    .selectFrom('feedback')
    .select((eb) => [
      'service_id',
      'outcome',
      eb('flag', 'is not', null).as('flagged'),
      eb.fn.countAll().as('n'),
    ])
    .groupBy(['service_id', 'outcome', 'flagged']);
  if (from) {
    invocations = invocations.where('started_at', '>=', from);
    cards = cards.where('issued_at', '>=', from);
    feedback = feedback.where('received_at', '>=', from);
  }
  if (to) {
    invocations = invocations.where('started_at', '<', to);
    cards = cards.where('issued_at', '<', to);
    feedback = feedback.where('received_at', '<', to);
  }
  const [invocationRows, cardRows, feedbackRows] = await Promise.all([
    invocations.execute(),
    cards.execute(),
    feedback.execute(),
  ]);

  const byService = new Map<string, MutableSummary>();
  const of = (id: string): MutableSummary => {
    let s = byService.get(id);
    if (!s) byService.set(id, (s = emptySummary(id)));
    return s;
  };
  for (const row of invocationRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.invocations += n;
    s.invocationsByOutcome[row.outcome as InvocationOutcome] += n;
    s.durationSum += Number(row.total ?? 0);
    const max = row.max === null ? null : Number(row.max);
    if (max !== null) s.maxDurationMs = Math.max(s.maxDurationMs ?? max, max);
  }
  for (const row of cardRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.cards += n;
    s.cardsByAdvisor[row.advisor as AdvisorName] += n;
    s.cardsByIndicator[row.indicator as Severity] += n;
  }
  for (const row of feedbackRows) {
    const s = of(row.service_id);
    const n = Number(row.n);
    s.feedback += n;
    if (row.outcome === 'accepted') s.accepted += n;
    else s.overridden += n;
    // SQLite answers 0/1, PostgreSQL a boolean.
    if (row.flagged === true || Number(row.flagged) === 1) s.flaggedFeedback += n;
  }
  const services = [...byService.values()]
    .sort((a, b) => (a.serviceId < b.serviceId ? -1 : 1))
    .map(({ durationSum, ...s }) => ({
      ...s,
      meanDurationMs: s.invocations > 0 ? durationSum / s.invocations : null,
    }));
  return { from: from ?? null, to: to ?? null, services };
}
