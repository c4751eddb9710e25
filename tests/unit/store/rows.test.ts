/**
 * What an invocation's link hashes, as columns are added: a card written before a column existed must hash to the
 * bytes it was chained with, or every existing trail would fail `npm run audit:verify`.
 */
import { describe, expect, it } from '@jest/globals';
import { linkHash } from '../../../src/store/canonical.js';
import { invocationContent } from '../../../src/store/rows.js';
import type { CardsTable, InvocationsTable } from '../../../src/store/schema.js';

const ROW: Omit<InvocationsTable, 'prev_hash' | 'hash'> = {
  seq: 3,
  hook_instance: 'hi-1',
  service_id: 'order-sign-advice',
  hook: 'order-sign',
  started_at: '2026-11-24T10:00:00.000Z',
  duration_ms: 12.5,
  outcome: 'ok',
  patient_pseudonym: 'p',
  advisors: '[]',
  card_count: 1,
  recorded_at: '2026-11-24T10:00:01.000Z',
  client_pseudonym: null,
  user_pseudonym: null,
  missing_data: null,
  data_gaps: null,
};

/** A card as migration 006 left the table: no suggestion summaries (the column reads back null). */
const CARD: CardsTable = {
  invocation_seq: 3,
  position: 0,
  uuid: 'c-1',
  service_id: 'order-sign-advice',
  hook_instance: 'hi-1',
  advisor: 'rules',
  rule_id: 'r',
  model: null,
  prompt_version: null,
  indicator: 'warning',
  summary: 's',
  evidence: '["MedicationRequest/1"]',
  suggestion_uuids: '["s-1"]',
  issued_at: '2026-11-24T10:00:00.000Z',
  finding_key: 'k',
  draft_orders: '["MedicationRequest/1"]',
  covers: null,
  suggestion_summaries: null,
};

const GENESIS = '0'.repeat(64);

describe('the invocation link across added card columns', () => {
  it('hashes a card without suggestion summaries to the bytes chained before migration 007', () => {
    // Computed with the code before migration 007 added the column, for this very row.
    expect(linkHash(GENESIS, invocationContent(ROW, [CARD]))).toBe(
      'c83eca1e0eb4e2f299caa3e76153f87da7bd552e96d6c5ee2e013de04ebb8497',
    );
  });

  it('covers the summaries of a card written with them: dropping them changes the link', () => {
    const summaries = JSON.stringify([
      { uuid: 's-1', label: null, actions: [{ type: 'delete', resourceType: 'MedicationRequest' }] },
    ]);
    const withSummaries = linkHash(
      GENESIS,
      invocationContent(ROW, [{ ...CARD, suggestion_summaries: summaries }]),
    );
    expect(withSummaries).not.toBe(linkHash(GENESIS, invocationContent(ROW, [CARD])));
  });
});
