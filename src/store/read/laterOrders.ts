/**
 * Later orders: what a clinician's acceptance of a card ordered or changed. CDS Hooks feedback names only the
 * accepted suggestions' uuids (https://cds-hooks.hl7.org/2.0/#suggestion-accepted); the card's audit record keeps
 * what each suggestion would do (`src/findings/suggestionSummary.ts`), so the two together say what was ordered.
 * Orders placed outside the card, or acceptances the EHR never reported, are not seen.
 */
import type { SuggestionSummary } from '../../findings/suggestionSummary.js';
import { IN_LIST_CHUNK, chunks } from '../chunks.js';
import type { AuditDb } from './queries.js';

export interface LaterOrder {
  /** The accepted suggestion's uuid, as the feedback named it. */
  readonly suggestion: string;
  /** When the clinician accepted it (the feedback's outcomeTimestamp, UTC); the first time, if sent again. */
  readonly acceptedAt: string;
  /**
   * What it ordered or changed, as recorded with the card; null when the card was recorded before the audit kept
   * suggestion summaries, or never offered that uuid (feedback flagged `unknown-suggestion`).
   */
  readonly summary: SuggestionSummary | null;
}

const parse = <T>(text: string | null): T[] => (text === null ? [] : (JSON.parse(text) as T[]));

/** The later orders of each of these cards (their stored `suggestion_summaries`), oldest acceptance first. */
export async function laterOrdersOf(
  db: AuditDb,
  cards: readonly { readonly uuid: string; readonly suggestion_summaries: string | null }[],
): Promise<Map<string, LaterOrder[]>> {
  const out = new Map<string, LaterOrder[]>();
  const summaries = new Map(cards.map((c) => [c.uuid, parse<SuggestionSummary>(c.suggestion_summaries)]));
  for (const batch of chunks([...summaries.keys()], IN_LIST_CHUNK)) {
    const rows = await db
      .selectFrom('feedback')
      .select(['card_uuid', 'accepted_suggestions', 'outcome_at'])
      .where('outcome', '=', 'accepted')
      .where('card_uuid', 'in', batch)
      .orderBy('outcome_at')
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      const orders = out.get(row.card_uuid) ?? [];
      out.set(row.card_uuid, orders);
      for (const suggestion of parse<string>(row.accepted_suggestions)) {
        if (orders.some((o) => o.suggestion === suggestion)) continue;
        const summary = summaries.get(row.card_uuid)?.find((s) => s.uuid === suggestion) ?? null;
        orders.push({ suggestion, acceptedAt: row.outcome_at, summary });
      }
    }
  }
  return out;
}
