/**
 * The numbers a safety officer reads: volume per day, cards per invocation, acceptance and override rates per
 * service / rule / model version, the most overridden rules with their reasons, how the model behaved, and
 * latency percentiles.
 *
 * Rates are per cohort: the cards issued in the range, and the feedback those cards received (whenever it
 * arrived), so "of the cards shown last week, how many were overridden" has one answer. Counting is grouped SQL
 * that both dialects run alike; what lives in JSON text or needs every value (model outcomes, percentiles) is a
 * keyset-paged scan folded in JavaScript.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { AdvisorStatus } from '../../advisors/types.js';
import type { AdvisorName } from '../../findings/types.js';
import type { Database } from '../schema.js';
import type { AdvisorRunRecord, InvocationOutcome } from '../types.js';
import { cardWhere, invocationWhere, overrideRepeatWhere } from './conditions.js';
import type { AuditFilter } from './filters.js';
import { Samples } from './percentiles.js';
import type { AuditDb } from './queries.js';
import { type ReasonCount, MODEL_STATUSES, type AuditOverview } from './overviewShape.js';
import { RateCounter, Tally, ratio, round4 } from './rates.js';
import { overrideReasonLabel } from './reasonLabels.js';

const CALLED: ReadonlySet<AdvisorStatus> = new Set(['ok', 'timeout', 'error', 'rejected']);

type CardsEb = ExpressionBuilder<Database, 'cards'>;

const dayOf = (column: 'cards.issued_at' | 'invocations.started_at') =>
  sql<string>`substr(${sql.ref(column)}, 1, 10)`;

/** What the rates are broken down by; grouped on in SQL, rolled up per view in JavaScript. */
const CARD_KEYS = [
  'cards.service_id',
  'cards.advisor',
  'cards.rule_id',
  'cards.model',
  'cards.prompt_version',
] as const;
const REASON_KEYS = [
  'feedback.outcome',
  'feedback.reason_system',
  'feedback.reason_code',
  'feedback.reason_display',
] as const;

function cardGroups(db: AuditDb, f: AuditFilter) {
  const day = dayOf('cards.issued_at');
  return db
    .selectFrom('cards')
    .select((eb) => [day.as('day'), ...CARD_KEYS, eb.fn.countAll().as('n')])
    .where((eb) => cardWhere(eb, f))
    .groupBy([day, ...CARD_KEYS])
    .execute();
}

function feedbackGroups(db: AuditDb, f: AuditFilter) {
  const day = dayOf('cards.issued_at');
  return (
    db
      .selectFrom('feedback')
      .innerJoin('cards', 'cards.uuid', 'feedback.card_uuid')
      .select((eb) => [day.as('day'), ...CARD_KEYS, ...REASON_KEYS, eb.fn.countAll().as('n')])
      // The card clause names only `cards.*` columns, so it applies unchanged to this join.
      .where((eb) => cardWhere(eb as unknown as CardsEb, f))
      .groupBy([day, ...CARD_KEYS, ...REASON_KEYS])
      .execute()
  );
}

async function invocationsWithModelCards(db: AuditDb, f: AuditFilter): Promise<number> {
  const row = await db
    .selectFrom('cards')
    .select((eb) => eb.fn.count('cards.invocation_seq').distinct().as('n'))
    .where('cards.advisor', '=', 'model')
    .where((eb) =>
      eb(
        'cards.invocation_seq',
        'in',
        eb
          .selectFrom('invocations')
          .select('invocations.seq')
          .where((inner) => invocationWhere(inner, f)),
      ),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function overrideRepeatCounts(db: AuditDb, f: AuditFilter): Promise<AuditOverview['overrideRepeats']> {
  const rows = await db
    .selectFrom('override_repeats')
    .select((eb) => ['decision', eb.fn.countAll().as('n')])
    .where((eb) => overrideRepeatWhere(eb, f))
    .groupBy('decision')
    .execute();
  const n = (decision: string): number => Number(rows.find((r) => r.decision === decision)?.n ?? 0);
  return { suppressed: n('suppressed'), shown: n('shown') };
}

interface InvocationFold {
  invocations: number;
  withDataGaps: number;
  byOutcome: Record<InvocationOutcome, number>;
  perDay: Map<string, number>;
  cardCounts: Map<number, number>;
  cardSum: number;
  durations: Samples;
  consulted: number;
  modelOutcomes: Record<AdvisorStatus, number>;
  modelLatency: Samples;
}

const SCAN_PAGE = 2000;

/** One pass over the matching invocations, a page at a time, keeping only counters and latency samples. */
async function foldInvocations(db: AuditDb, f: AuditFilter): Promise<InvocationFold> {
  const fold: InvocationFold = {
    invocations: 0,
    withDataGaps: 0,
    byOutcome: { ok: 0, 'precondition-failed': 0, error: 0 },
    perDay: new Map(),
    cardCounts: new Map(),
    cardSum: 0,
    durations: new Samples(),
    consulted: 0,
    modelOutcomes: Object.fromEntries(MODEL_STATUSES.map((s) => [s, 0])) as Record<AdvisorStatus, number>,
    modelLatency: new Samples(),
  };
  let before: number | undefined;
  for (;;) {
    let query = db
      .selectFrom('invocations')
      .select(['seq', 'started_at', 'duration_ms', 'outcome', 'advisors', 'card_count', 'data_gaps'])
      .where((eb) => invocationWhere(eb, f));
    if (before !== undefined) query = query.where('seq', '<', before);
    const rows = await query.orderBy('seq', 'desc').limit(SCAN_PAGE).execute();
    for (const row of rows) {
      fold.invocations += 1;
      if (row.data_gaps !== null) fold.withDataGaps += 1;
      fold.byOutcome[row.outcome as InvocationOutcome] += 1;
      const day = row.started_at.slice(0, 10);
      fold.perDay.set(day, (fold.perDay.get(day) ?? 0) + 1);
      const cards = Number(row.card_count);
      fold.cardCounts.set(cards, (fold.cardCounts.get(cards) ?? 0) + 1);
      fold.cardSum += cards;
      fold.durations.push(Number(row.duration_ms));
      const model = (JSON.parse(row.advisors) as AdvisorRunRecord[]).find((a) => a.advisor === 'model');
      if (model) {
        fold.modelOutcomes[model.status] = (fold.modelOutcomes[model.status] ?? 0) + 1;
        if (model.status !== 'disabled') fold.consulted += 1;
        if (CALLED.has(model.status) && model.latencyMs >= 0) fold.modelLatency.push(model.latencyMs);
      }
    }
    if (rows.length < SCAN_PAGE) break;
    before = Number(rows[rows.length - 1]!.seq);
  }
  return fold;
}

function reasonKey(system: string | null, code: string | null): string {
  return code === null ? '' : `${system ?? ''}|${code}`;
}

function topReasons(counts: Map<string, ReasonCount>, most: number): ReasonCount[] {
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || (a.code ?? '').localeCompare(b.code ?? ''))
    .slice(0, most);
}

export async function overview(db: AuditDb, f: AuditFilter): Promise<AuditOverview> {
  const [cardRows, feedbackRows, withAdvice, fold, overrideRepeats] = await Promise.all([
    cardGroups(db, f),
    feedbackGroups(db, f),
    invocationsWithModelCards(db, f),
    foldInvocations(db, f),
    overrideRepeatCounts(db, f),
  ]);

  const totals = new RateCounter();
  const byService = new Tally<{ serviceId: string }>();
  const byAdvisor = { rules: new RateCounter(), model: new RateCounter() };
  const byRule = new Tally<{ ruleId: string }>();
  const byModel = new Tally<{ model: string; promptVersion: string | null }>();
  const fatigue = new Tally<{ advisor: AdvisorName; key: string }>();
  const days = new Map<string, { cards: number; accepted: number; overridden: number }>();
  const dayOfRow = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = { cards: 0, accepted: 0, overridden: 0 }));
    return d;
  };

  type Group = (typeof cardRows)[number];
  const countersOf = (row: Group): RateCounter[] => {
    const advisor = row.advisor as AdvisorName;
    const counters = [
      totals,
      byService.at(row.service_id, { serviceId: row.service_id }),
      byAdvisor[advisor],
    ];
    if (row.rule_id !== null) counters.push(byRule.at(row.rule_id, { ruleId: row.rule_id }));
    if (row.model !== null) {
      counters.push(
        byModel.at(`${row.model}\u0000${row.prompt_version ?? ''}`, {
          model: row.model,
          promptVersion: row.prompt_version,
        }),
      );
    }
    const key = advisor === 'rules' ? row.rule_id : row.model;
    if (key !== null) counters.push(fatigue.at(`${advisor}\u0000${key}`, { advisor, key }));
    return counters;
  };

  for (const row of cardRows) {
    const n = Number(row.n);
    for (const c of countersOf(row)) c.cards += n;
    dayOfRow(row.day).cards += n;
  }
  const reasons = new Map<string, ReasonCount>();
  const reasonsByRule = new Map<string, Map<string, ReasonCount>>();
  const addReason = (into: Map<string, ReasonCount>, row: (typeof feedbackRows)[number], n: number) => {
    const key = reasonKey(row.reason_system, row.reason_code);
    const seen = into.get(key);
    if (seen) into.set(key, { ...seen, count: seen.count + n });
    else {
      const code = row.reason_code;
      into.set(key, {
        system: code === null ? null : row.reason_system,
        code,
        display: code === null ? null : (row.reason_display ?? overrideReasonLabel(row.reason_system, code)),
        count: n,
      });
    }
  };
  for (const row of feedbackRows) {
    const n = Number(row.n);
    const accepted = row.outcome === 'accepted';
    for (const c of countersOf(row)) {
      c.feedback += n;
      if (accepted) c.accepted += n;
      else c.overridden += n;
    }
    const day = dayOfRow(row.day);
    if (accepted) day.accepted += n;
    else {
      day.overridden += n;
      addReason(reasons, row, n);
      const key = row.advisor === 'rules' ? row.rule_id : row.model;
      if (key !== null) {
        const ruleKey = `${row.advisor}\u0000${key}`;
        let own = reasonsByRule.get(ruleKey);
        if (!own) reasonsByRule.set(ruleKey, (own = new Map<string, ReasonCount>()));
        addReason(own, row, n);
      }
    }
  }

  const allDays = new Set([...days.keys(), ...fold.perDay.keys()]);
  const perDay = [...allDays].sort().map((day) => ({
    day,
    invocations: fold.perDay.get(day) ?? 0,
    cards: days.get(day)?.cards ?? 0,
    accepted: days.get(day)?.accepted ?? 0,
    overridden: days.get(day)?.overridden ?? 0,
  }));

  const alertFatigue = fatigue
    .rows()
    .filter((row) => row.overridden > 0)
    .sort((a, b) => b.overridden - a.overridden || (b.overrideRate ?? 0) - (a.overrideRate ?? 0))
    .slice(0, 10)
    .map((row) => ({
      ...row,
      reasons: topReasons(
        reasonsByRule.get(`${row.advisor}\u0000${row.key}`) ?? new Map<string, ReasonCount>(),
        3,
      ),
    }));

  return {
    from: f.from?.toISOString() ?? null,
    to: f.to?.toISOString() ?? null,
    totals: { invocations: fold.invocations, invocationsByOutcome: fold.byOutcome, ...totals.rate() },
    perDay,
    cardsPerInvocation: {
      mean: fold.invocations > 0 ? round4(fold.cardSum / fold.invocations) : null,
      distribution: [...fold.cardCounts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([cards, invocations]) => ({ cards, invocations })),
    },
    byService: byService.rows(),
    byAdvisor: { rules: byAdvisor.rules.rate(), model: byAdvisor.model.rate() },
    byRule: byRule.rows(),
    byModel: byModel.rows(),
    overrideReasons: topReasons(reasons, 10),
    alertFatigue,
    model: {
      invocations: fold.invocations,
      consulted: fold.consulted,
      withAdvice,
      adviceShare: ratio(withAdvice, fold.invocations),
      outcomes: fold.modelOutcomes,
      latencyMs: fold.modelLatency.percentiles(),
    },
    overrideRepeats,
    dataGaps: { invocations: fold.withDataGaps },
    latencyMs: fold.durations.percentiles(),
  };
}
