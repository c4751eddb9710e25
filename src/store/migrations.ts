/**
 * The one migration set for both dialects, inline so the build needs no migration folder at run time. Only
 * portable column types are used (text, bigint, double precision), see schema.ts. Never edit a migration that
 * has shipped: add the next one.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { GENESIS_HASH } from './schema.js';

// Migrations must not depend on the current typed schema: it describes the latest state, not theirs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const initial: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('invocations')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('hook_instance', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('hook', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'double precision', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('patient_pseudonym', 'text', (c) => c.notNull())
      .addColumn('advisors', 'text', (c) => c.notNull())
      .addColumn('card_count', 'bigint', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('invocations_service_started')
      .on('invocations')
      .columns(['service_id', 'started_at'])
      .execute();
    await db.schema.createIndex('invocations_started').on('invocations').column('started_at').execute();
    await db.schema.createIndex('invocations_recorded').on('invocations').column('recorded_at').execute();
    await db.schema
      .createIndex('invocations_patient')
      .on('invocations')
      .column('patient_pseudonym')
      .execute();
    await db.schema
      .createIndex('invocations_hook_instance')
      .on('invocations')
      .column('hook_instance')
      .execute();

    await db.schema
      .createTable('cards')
      .addColumn('invocation_seq', 'bigint', (c) =>
        c.notNull().references('invocations.seq').onDelete('cascade'),
      )
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('uuid', 'text', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('hook_instance', 'text', (c) => c.notNull())
      .addColumn('advisor', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text')
      .addColumn('model', 'text')
      .addColumn('prompt_version', 'text')
      .addColumn('indicator', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('suggestion_uuids', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cards_pk', ['invocation_seq', 'position'])
      .execute();
    await db.schema.createIndex('cards_uuid').on('cards').column('uuid').execute();
    await db.schema
      .createIndex('cards_service_issued')
      .on('cards')
      .columns(['service_id', 'issued_at'])
      .execute();
    await db.schema.createIndex('cards_issued').on('cards').column('issued_at').execute();

    await db.schema
      .createTable('feedback')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('item_key', 'text', (c) => c.notNull().unique())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('card_uuid', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('accepted_suggestions', 'text', (c) => c.notNull())
      .addColumn('reason_system', 'text')
      .addColumn('reason_code', 'text')
      .addColumn('reason_display', 'text')
      .addColumn('user_comment', 'text')
      .addColumn('outcome_timestamp', 'text', (c) => c.notNull())
      .addColumn('outcome_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('flag', 'text')
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feedback_card').on('feedback').column('card_uuid').execute();
    await db.schema
      .createIndex('feedback_service_received')
      .on('feedback')
      .columns(['service_id', 'received_at'])
      .execute();
    await db.schema.createIndex('feedback_received').on('feedback').column('received_at').execute();

    await db.schema
      .createTable('chain_head')
      .addColumn('chain', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('anchor_seq', 'bigint', (c) => c.notNull())
      .addColumn('anchor_hash', 'text', (c) => c.notNull())
      .execute();
    await db
      .insertInto('chain_head')
      .values(
        ['invocations', 'feedback'].map((chain) => ({
          chain,
          seq: 0,
          hash: GENESIS_HASH,
          anchor_seq: 0,
          anchor_hash: GENESIS_HASH,
        })),
      )
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('setting_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('changed_at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('setting_changes_key')
      .on('setting_changes')
      .columns(['key', 'changed_at'])
      .execute();

    await db.schema
      .createTable('jti_replay')
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('jti_replay_pk', ['issuer', 'jti'])
      .execute();
    await db.schema.createIndex('jti_replay_expires').on('jti_replay').column('expires_at').execute();
  },
};

/** The finding's identity on each card, so an override on order-select can quiet the same finding on order-sign. */
const cardFindingKey: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('cards').addColumn('finding_key', 'text').execute();
    await db.schema.createIndex('cards_finding_key').on('cards').column('finding_key').execute();
  },
};

/**
 * Who asked (keyed pseudonyms of the EHR client and of the user), what data was missing and which checks it kept
 * from running, the draft orders each card concerns, which client sent each feedback item, and the order-sign
 * findings that repeat one overridden at order-select (left out, or shown again because critical).
 */
const sessionScope: Migration = {
  async up(db: AnyDb) {
    for (const column of ['client_pseudonym', 'user_pseudonym', 'missing_data', 'data_gaps']) {
      await db.schema.alterTable('invocations').addColumn(column, 'text').execute();
    }
    await db.schema.alterTable('cards').addColumn('draft_orders', 'text').execute();
    await db.schema.alterTable('feedback').addColumn('client_pseudonym', 'text').execute();
    // The order-sign override lookup: one patient, one user, one client, order-select calls since a time.
    await db.schema
      .createIndex('invocations_override_scope')
      .on('invocations')
      .columns(['patient_pseudonym', 'user_pseudonym', 'client_pseudonym', 'hook', 'started_at'])
      .execute();

    await db.schema
      .createTable('override_repeats')
      .addColumn('invocation_seq', 'bigint', (c) =>
        c.notNull().references('invocations.seq').onDelete('cascade'),
      )
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('hook_instance', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('finding_key', 'text', (c) => c.notNull())
      .addColumn('advisor', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text')
      .addColumn('model', 'text')
      .addColumn('indicator', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('draft_orders', 'text', (c) => c.notNull())
      .addColumn('card_uuid', 'text')
      .addColumn('override_card_uuid', 'text', (c) => c.notNull())
      .addColumn('override_reason_system', 'text', (c) => c.notNull())
      .addColumn('override_reason_code', 'text', (c) => c.notNull())
      .addColumn('override_reason_display', 'text')
      .addColumn('overridden_at', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('override_repeats_pk', ['invocation_seq', 'position'])
      .execute();
    await db.schema
      .createIndex('override_repeats_service_issued')
      .on('override_repeats')
      .columns(['service_id', 'issued_at'])
      .execute();
    await db.schema
      .createIndex('override_repeats_issued')
      .on('override_repeats')
      .column('issued_at')
      .execute();
    await db.schema
      .createIndex('override_repeats_override_card')
      .on('override_repeats')
      .column('override_card_uuid')
      .execute();
    await db.schema.createIndex('override_repeats_card').on('override_repeats').column('card_uuid').execute();
  },
};

/**
 * The narrower finding keys each card speaks for (one card for a drug's several interactions): an override at
 * selection leaves out at signing only a card that speaks for nothing the overridden card did not.
 */
const cardCovers: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('cards').addColumn('covers', 'text').execute();
  },
};

/**
 * The model's side of each hook call whose model answer was used (shown or shadowed): the de-identified input as
 * sent, each item as returned with its guard decision and what became of it, and the endpoint kind, model and
 * prompt versions. One row per invocation, covered by its hash.
 */
const aiAdvice: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('ai_advice')
      .addColumn('invocation_seq', 'bigint', (c) =>
        c.primaryKey().references('invocations.seq').onDelete('cascade'),
      )
      .addColumn('service_id', 'text', (c) => c.notNull())
      .addColumn('hook_instance', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('endpoint_kind', 'text', (c) => c.notNull())
      .addColumn('deployment', 'text', (c) => c.notNull())
      .addColumn('model_version', 'text', (c) => c.notNull())
      .addColumn('prompt_version', 'text', (c) => c.notNull())
      .addColumn('served_from', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('items', 'text', (c) => c.notNull())
      .addColumn('invalid_items', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ai_advice_issued').on('ai_advice').column('issued_at').execute();
    await db.schema
      .createIndex('ai_advice_mode_service_issued')
      .on('ai_advice')
      .columns(['mode', 'service_id', 'issued_at'])
      .execute();
  },
};

/**
 * What each card's suggestions would do (PHI-free summaries), so an acceptance read from feedback, which names only
 * a suggestion's uuid, says what was ordered or changed.
 */
const cardSuggestionSummaries: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('cards').addColumn('suggestion_summaries', 'text').execute();
  },
};

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026-11-24-001-initial': initial,
  '2026-11-24-002-card-finding-key': cardFindingKey,
  '2026-11-25-003-session-scope': sessionScope,
  '2026-11-26-004-card-covers': cardCovers,
  '2026-12-05-006-ai-advice': aiAdvice,
  '2026-12-05-007-card-suggestion-summaries': cardSuggestionSummaries,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};
