/**
 * Table shapes for Kysely. Both dialects store the same values: times as UTC ISO 8601 text with milliseconds
 * (sorts as text, reads back byte-identical, so hashes recompute), lists as JSON text, no booleans (SQLite has
 * none). A row read back equals the row written, which the hash chain relies on.
 */
export interface InvocationsTable {
  /** Position in the invocations hash chain; gap-free. */
  seq: number;
  hook_instance: string;
  service_id: string;
  hook: string;
  started_at: string;
  duration_ms: number;
  outcome: string;
  patient_pseudonym: string;
  /** JSON array of AdvisorRunRecord. */
  advisors: string;
  card_count: number;
  recorded_at: string;
  prev_hash: string;
  hash: string;
  /** Added by migration 003, null on rows recorded before it. Keyed pseudonym of the EHR client and tenant. */
  client_pseudonym: string | null;
  /** Keyed pseudonym of `context.userId`. */
  user_pseudonym: string | null;
  /** JSON array of MissingData: prefetch keys that could not be obtained, and why; null when none. */
  missing_data: string | null;
  /** JSON array of DataGap: checks that could not run on a reviewed drug for lack of data; null when none. */
  data_gaps: string | null;
}

/** Cards are covered by their invocation's hash. */
export interface CardsTable {
  invocation_seq: number;
  position: number;
  uuid: string;
  service_id: string;
  hook_instance: string;
  advisor: string;
  rule_id: string | null;
  model: string | null;
  prompt_version: string | null;
  indicator: string;
  summary: string;
  /** JSON array of `Type/id`. */
  evidence: string;
  /** JSON array of suggestion uuids. */
  suggestion_uuids: string;
  issued_at: string;
  /** Added by migration 002; null on cards recorded before it. */
  finding_key: string | null;
  /** Added by migration 003: JSON array of the draft orders (`MedicationRequest/id`) the finding concerns. */
  draft_orders: string | null;
  /** Added by migration 004: JSON array of the narrower finding keys the card speaks for; null: only its own. */
  covers: string | null;
  /**
   * Added by migration 007: JSON array of SuggestionSummary, PHI-free (what each suggestion would create, update or
   * delete); null when the card offered none, and on cards recorded before it.
   */
  suggestion_summaries: string | null;
}

/**
 * An order-sign finding that repeats one the same user overrode, with a reason, at order-select: left out
 * (`suppressed`) or shown again (`shown`, critical findings). Covered by its invocation's hash, like cards.
 */
export interface OverrideRepeatsTable {
  invocation_seq: number;
  position: number;
  service_id: string;
  hook_instance: string;
  decision: string;
  finding_key: string;
  advisor: string;
  rule_id: string | null;
  model: string | null;
  indicator: string;
  summary: string;
  /** JSON array of `Type/id`. */
  evidence: string;
  /** JSON array of `MedicationRequest/id`. */
  draft_orders: string;
  /** The card shown (decision `shown`); null when the finding was left out. */
  card_uuid: string | null;
  /** The order-select card the clinician overrode. */
  override_card_uuid: string;
  override_reason_system: string;
  override_reason_code: string;
  override_reason_display: string | null;
  /** When the clinician overrode it (the feedback's outcomeTimestamp, UTC). */
  overridden_at: string;
  issued_at: string;
}

/** Added by migration 006: the model's side of a hook call whose answer was used. Covered by its invocation's hash. */
export interface AiAdviceTable {
  invocation_seq: number;
  service_id: string;
  hook_instance: string;
  issued_at: string;
  /** `on` or `shadow`. */
  mode: string;
  endpoint_kind: string;
  deployment: string;
  model_version: string;
  prompt_version: string;
  /** `call` or `cache` (the late-answer cache: an answer fetched for an earlier hook). */
  served_from: string;
  answered_at: string;
  /** JSON: the de-identified ModelInput exactly as sent. */
  input: string;
  /** JSON array of AiItemRecord: each item as returned, its guard decision and what became of it. */
  items: string;
  invalid_items: number;
}

export interface FeedbackTable {
  seq: number;
  /** Identity of the item (see feedbackItemKey): the same item sent twice is stored once. */
  item_key: string;
  service_id: string;
  card_uuid: string;
  outcome: string;
  accepted_suggestions: string;
  reason_system: string | null;
  reason_code: string | null;
  reason_display: string | null;
  user_comment: string | null;
  outcome_timestamp: string;
  outcome_at: string;
  received_at: string;
  flag: string | null;
  prev_hash: string;
  hash: string;
  /** Added by migration 003: keyed pseudonym of the EHR client that sent the item; null before it. */
  client_pseudonym: string | null;
}

/** One row per chain: the head appenders lock, and the anchor left by retention purges. */
export interface ChainHeadTable {
  chain: string;
  seq: number;
  hash: string;
  anchor_seq: number;
  anchor_hash: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface SettingChangesTable {
  id: string;
  key: string;
  value: string;
  changed_at: string;
  actor: string;
}

export interface JtiReplayTable {
  issuer: string;
  jti: string;
  expires_at: string;
}

export interface Database {
  invocations: InvocationsTable;
  cards: CardsTable;
  override_repeats: OverrideRepeatsTable;
  ai_advice: AiAdviceTable;
  feedback: FeedbackTable;
  chain_head: ChainHeadTable;
  settings: SettingsTable;
  setting_changes: SettingChangesTable;
  jti_replay: JtiReplayTable;
}

/** prev_hash of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);
