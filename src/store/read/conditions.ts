/**
 * The WHERE clauses of the audit read side, one function per table, so lists, exports and summaries filter alike.
 * Card filters (advisor, rule, model, indicator) select invocations and feedback through the cards they issued
 * or answered (`IN (SELECT …)`: portable, and no duplicate rows as a join could give).
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import {
  type CardFacet,
  type CardFilter,
  type FeedbackFilter,
  hasCardFacet,
  type InvocationFilter,
  type OverrideRepeatFilter,
} from './filters.js';

type Eb<T extends keyof Database> = ExpressionBuilder<Database, T>;

/**
 * Columns are qualified (`cards.x`) so the same clause works in a query that joins feedback to cards; `feedback`
 * and `cards` share column names (`service_id`).
 */
export function cardFacetWhere(eb: Eb<'cards'>, f: CardFacet): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  if (f.advisor !== undefined) where.push(eb('cards.advisor', '=', f.advisor));
  if (f.ruleId !== undefined) where.push(eb('cards.rule_id', '=', f.ruleId));
  if (f.model !== undefined) where.push(eb('cards.model', '=', f.model));
  if (f.indicator !== undefined) where.push(eb('cards.indicator', '=', f.indicator));
  return where;
}

/** Cards issued in the range, by the service, matching the card filters (and their feedback outcome). */
export function cardWhere(eb: Eb<'cards'>, f: CardFilter): Expression<SqlBool> {
  const where = cardFacetWhere(eb, f);
  if (f.serviceId !== undefined) where.push(eb('cards.service_id', '=', f.serviceId));
  if (f.hookInstance !== undefined) where.push(eb('cards.hook_instance', '=', f.hookInstance));
  if (f.uuid !== undefined) where.push(eb('cards.uuid', '=', f.uuid));
  if (f.from) where.push(eb('cards.issued_at', '>=', f.from.toISOString()));
  if (f.to) where.push(eb('cards.issued_at', '<', f.to.toISOString()));
  if (f.outcome === 'none') {
    where.push(eb('cards.uuid', 'not in', eb.selectFrom('feedback').select('feedback.card_uuid')));
  } else if (f.outcome !== undefined) {
    const outcome = f.outcome;
    where.push(
      eb(
        'cards.uuid',
        'in',
        eb.selectFrom('feedback').select('feedback.card_uuid').where('feedback.outcome', '=', outcome),
      ),
    );
  }
  return eb.and(where);
}

/**
 * The model advisor's status is inside the invocation's `advisors` JSON text. The store writes each entry with
 * its keys in a fixed order (`advisor`, `status`, …; see invocationRow in src/store/rows.ts), so a LIKE on that
 * exact fragment finds it in SQLite and PostgreSQL alike. Statuses hold no LIKE wildcards (`%`, `_`).
 */
export function modelStatusPattern(status: string): string {
  return `%"advisor":"model","status":"${status}"%`;
}

export function invocationWhere(eb: Eb<'invocations'>, f: InvocationFilter): Expression<SqlBool> {
  const where: Expression<SqlBool>[] = [];
  if (f.serviceId !== undefined) where.push(eb('invocations.service_id', '=', f.serviceId));
  if (f.outcome !== undefined) where.push(eb('invocations.outcome', '=', f.outcome));
  if (f.patientPseudonym !== undefined)
    where.push(eb('invocations.patient_pseudonym', '=', f.patientPseudonym));
  if (f.hookInstance !== undefined) where.push(eb('invocations.hook_instance', '=', f.hookInstance));
  if (f.from) where.push(eb('invocations.started_at', '>=', f.from.toISOString()));
  if (f.to) where.push(eb('invocations.started_at', '<', f.to.toISOString()));
  if (f.modelStatus !== undefined)
    where.push(eb('invocations.advisors', 'like', modelStatusPattern(f.modelStatus)));
  if (hasCardFacet(f)) {
    where.push(
      eb(
        'invocations.seq',
        'in',
        eb
          .selectFrom('cards')
          .select('cards.invocation_seq')
          .where((inner) => inner.and(cardFacetWhere(inner, f))),
      ),
    );
  }
  return eb.and(where);
}

/** Feedback received in the range (by receipt time, as the store's own queries count it). */
export function feedbackWhere(eb: Eb<'feedback'>, f: FeedbackFilter): Expression<SqlBool> {
  const where: Expression<SqlBool>[] = [];
  if (f.serviceId !== undefined) where.push(eb('feedback.service_id', '=', f.serviceId));
  if (f.outcome !== undefined) where.push(eb('feedback.outcome', '=', f.outcome));
  if (f.cardUuid !== undefined) where.push(eb('feedback.card_uuid', '=', f.cardUuid));
  if (f.flagged === true) where.push(eb('feedback.flag', 'is not', null));
  if (f.flagged === false) where.push(eb('feedback.flag', 'is', null));
  if (f.from) where.push(eb('feedback.received_at', '>=', f.from.toISOString()));
  if (f.to) where.push(eb('feedback.received_at', '<', f.to.toISOString()));
  if (hasCardFacet(f)) {
    where.push(
      eb(
        'feedback.card_uuid',
        'in',
        eb
          .selectFrom('cards')
          .select('cards.uuid')
          .where((inner) => inner.and(cardFacetWhere(inner, f))),
      ),
    );
  }
  return eb.and(where);
}

/**
 * Override repeats issued in the range, by the service; the card filters apply to the finding that repeated (its
 * advisor, rule, model, severity), which has no card when it was left out.
 */
export function overrideRepeatWhere(
  eb: Eb<'override_repeats'>,
  f: OverrideRepeatFilter,
): Expression<SqlBool> {
  const where: Expression<SqlBool>[] = [];
  if (f.serviceId !== undefined) where.push(eb('override_repeats.service_id', '=', f.serviceId));
  if (f.from) where.push(eb('override_repeats.issued_at', '>=', f.from.toISOString()));
  if (f.to) where.push(eb('override_repeats.issued_at', '<', f.to.toISOString()));
  if (f.advisor !== undefined) where.push(eb('override_repeats.advisor', '=', f.advisor));
  if (f.ruleId !== undefined) where.push(eb('override_repeats.rule_id', '=', f.ruleId));
  if (f.model !== undefined) where.push(eb('override_repeats.model', '=', f.model));
  if (f.indicator !== undefined) where.push(eb('override_repeats.indicator', '=', f.indicator));
  if (f.decision !== undefined) where.push(eb('override_repeats.decision', '=', f.decision));
  return eb.and(where);
}
