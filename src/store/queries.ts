/**
 * Overrides the order-sign hook may leave unrepeated (alert-fatigue control): the one read the hook path makes of
 * the audit tables, compiled once per database. The safety team's reads are `src/store/read/`.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Severity } from '../findings/types.js';
import { codingOf } from './rows.js';
import type { Database } from './schema.js';
import type { OverrideScope, SelectionOverride } from './types.js';

/**
 * The override lookup runs on every order-sign call: its SQL is built and compiled once per database, and each call
 * only binds its values (building and compiling the query cost more than SQLite running it). The slots are
 * placeholder values no caller can send (they start with NUL, which the store never keeps).
 */
const SLOT = {
  patient: '\u0000patient',
  user: '\u0000user',
  client: '\u0000client',
  since: '\u0000since',
} as const;

interface SelectionOverrideRow {
  readonly card_uuid: string;
  readonly finding_key: string | null;
  readonly draft_orders: string | null;
  readonly covers: string | null;
  readonly indicator: string;
  readonly reason_system: string | null;
  readonly reason_code: string | null;
  readonly reason_display: string | null;
  readonly outcome_at: string;
}

const selectionOverridesSql = new WeakMap<Kysely<Database>, CompiledQuery<SelectionOverrideRow>>();

function selectionOverridesTemplate(db: Kysely<Database>): CompiledQuery<SelectionOverrideRow> {
  let compiled = selectionOverridesSql.get(db);
  if (!compiled) {
    compiled = db
      .selectFrom('invocations')
      .innerJoin('cards', 'cards.invocation_seq', 'invocations.seq')
      .innerJoin('feedback', 'feedback.card_uuid', 'cards.uuid')
      .select([
        'cards.uuid as card_uuid',
        'cards.finding_key',
        'cards.draft_orders',
        'cards.covers',
        'cards.indicator',
        'feedback.reason_system',
        'feedback.reason_code',
        'feedback.reason_display',
        'feedback.outcome_at',
      ])
      .where('invocations.patient_pseudonym', '=', SLOT.patient)
      .where('invocations.user_pseudonym', '=', SLOT.user)
      .where('invocations.client_pseudonym', '=', SLOT.client)
      .where('invocations.hook', '=', 'order-select')
      .where('invocations.started_at', '>=', SLOT.since)
      .where('feedback.outcome', '=', 'overridden')
      .where('feedback.reason_system', 'is not', null)
      .where('feedback.reason_code', 'is not', null)
      // Sent by the client that got the card, to the service that issued it.
      .whereRef('feedback.client_pseudonym', '=', 'invocations.client_pseudonym')
      .whereRef('feedback.service_id', '=', 'cards.service_id')
      .where('cards.finding_key', 'is not', null)
      .where('cards.draft_orders', 'is not', null)
      .orderBy('feedback.outcome_at', 'desc')
      .compile();
    selectionOverridesSql.set(db, compiled);
  }
  return compiled;
}

/**
 * Overrides given with a coded reason on cards of this user's order-select calls for this patient, from this EHR
 * client, since a time (the call's start), newest override first.
 */
export async function selectionOverrides(
  db: Kysely<Database>,
  scope: OverrideScope,
  since: Date,
): Promise<SelectionOverride[]> {
  const template = selectionOverridesTemplate(db);
  const values: Readonly<Record<string, string>> = {
    [SLOT.patient]: scope.patientPseudonym,
    [SLOT.user]: scope.userPseudonym,
    [SLOT.client]: scope.clientPseudonym,
    [SLOT.since]: since.toISOString(),
  };
  const parameters = template.parameters.map((p) => (typeof p === 'string' ? (values[p] ?? p) : p));
  const { rows } = await db.executeQuery<SelectionOverrideRow>(CompiledQuery.raw(template.sql, parameters));
  const out: SelectionOverride[] = [];
  for (const row of rows) {
    if (row.finding_key === null || row.draft_orders === null) continue;
    if (row.reason_system === null || row.reason_code === null) continue;
    out.push({
      cardUuid: row.card_uuid,
      findingKey: row.finding_key,
      draftOrders: JSON.parse(row.draft_orders) as string[],
      ...(row.covers !== null && { covers: JSON.parse(row.covers) as string[] }),
      indicator: row.indicator as Severity,
      reason: codingOf(row.reason_system, row.reason_code, row.reason_display),
      overriddenAt: row.outcome_at,
    });
  }
  return out;
}
