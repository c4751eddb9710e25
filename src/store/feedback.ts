/**
 * Feedback writes (https://cds-hooks.hl7.org/2.0/#feedback): all items of one request in one transaction,
 * appended to the feedback chain. The same item sent twice (EHR retries, overlapping batches) is stored once.
 */
import type { Kysely } from 'kysely';
import { canonicalJson, linkHash, sha256Hex } from './canonical.js';
import { advanceChainHead, lockChainHead } from './chain.js';
import { chunks } from './chunks.js';
import { clean, feedbackContent } from './rows.js';
import type { Database, FeedbackTable } from './schema.js';
import type { CardRecord, FeedbackFlag, FeedbackItem, FeedbackWriteResult } from './types.js';

/** The instant of an RFC 3339 timestamp in one spelling, so `…50.52Z` and `…50.520Z` are the same item. */
export function normalizeTimestamp(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toISOString();
}

/**
 * Identity of a feedback item: service, card, outcome, instant, accepted suggestions and reason code. The free-text
 * comment is left out: a resend is the same decision even if an EHR re-encodes its text.
 */
export function feedbackItemKey(serviceId: string, item: FeedbackItem): string {
  const reason = item.overrideReason?.reason;
  return sha256Hex(
    canonicalJson({
      serviceId,
      card: item.card,
      outcome: item.outcome,
      at: normalizeTimestamp(item.outcomeTimestamp),
      suggestions: [...new Set((item.acceptedSuggestions ?? []).map((s) => s.id))].sort(),
      reason: reason ? { system: reason.system, code: reason.code } : null,
    }),
  );
}

interface KnownCard {
  readonly serviceId: string;
  readonly suggestionUuids: readonly string[];
}

function flagOf(serviceId: string, item: FeedbackItem, card: KnownCard | undefined): FeedbackFlag | null {
  if (!card) return 'unknown-card';
  if (card.serviceId !== serviceId) return 'other-service';
  const known = new Set(card.suggestionUuids);
  if ((item.acceptedSuggestions ?? []).some((s) => !known.has(s.id))) return 'unknown-suggestion';
  return null;
}

export interface FeedbackWriteOptions {
  /** Looks up a card not yet written (still in this instance's audit queue). */
  readonly pendingCard?: (uuid: string) => CardRecord | undefined;
  readonly now?: () => Date;
  /** Keyed pseudonym of the EHR client that sent the items. */
  readonly clientPseudonym?: string;
}

export async function writeFeedback(
  db: Kysely<Database>,
  serviceId: string,
  items: readonly FeedbackItem[],
  options: FeedbackWriteOptions = {},
): Promise<FeedbackWriteResult> {
  const byKey = new Map<string, FeedbackItem>();
  for (const item of items) {
    const key = feedbackItemKey(serviceId, item);
    if (!byKey.has(key)) byKey.set(key, item);
  }
  if (byKey.size === 0) return { stored: 0, duplicates: 0, flagged: 0 };
  return db.transaction().execute(async (trx) => {
    // Taking the chain head first also serializes concurrent writers, so the duplicate check below is race-free.
    const head = await lockChainHead(trx, 'feedback');
    const existing = await trx
      .selectFrom('feedback')
      .select('item_key')
      .where('item_key', 'in', [...byKey.keys()])
      .execute();
    const seen = new Set(existing.map((r) => r.item_key));
    const fresh = [...byKey].filter(([key]) => !seen.has(key));
    if (fresh.length === 0) return { stored: 0, duplicates: items.length, flagged: 0 };

    const uuids = [...new Set(fresh.map(([, item]) => item.card))];
    const stored = await trx
      .selectFrom('cards')
      .select(['uuid', 'service_id', 'suggestion_uuids'])
      .where('uuid', 'in', uuids)
      .execute();
    const cards = new Map<string, KnownCard>(
      stored.map((c) => [
        c.uuid,
        { serviceId: c.service_id, suggestionUuids: JSON.parse(c.suggestion_uuids) as string[] },
      ]),
    );
    const cardFor = (uuid: string): KnownCard | undefined => cards.get(uuid) ?? options.pendingCard?.(uuid);

    const receivedAt = (options.now?.() ?? new Date()).toISOString();
    let { seq, hash } = head;
    let flagged = 0;
    const rows: FeedbackTable[] = fresh.map(([key, item]) => {
      seq += 1;
      const flag = flagOf(serviceId, item, cardFor(item.card));
      if (flag) flagged += 1;
      const reason = item.overrideReason?.reason;
      const row = {
        seq,
        item_key: key,
        service_id: clean(serviceId),
        card_uuid: clean(item.card),
        outcome: item.outcome,
        accepted_suggestions: JSON.stringify((item.acceptedSuggestions ?? []).map((s) => clean(s.id))),
        reason_system: reason ? clean(reason.system) : null,
        reason_code: reason ? clean(reason.code) : null,
        reason_display: reason?.display !== undefined ? clean(reason.display) : null,
        user_comment:
          item.overrideReason?.userComment !== undefined ? clean(item.overrideReason.userComment) : null,
        outcome_timestamp: clean(item.outcomeTimestamp),
        outcome_at: clean(normalizeTimestamp(item.outcomeTimestamp)),
        received_at: receivedAt,
        flag,
        client_pseudonym: options.clientPseudonym === undefined ? null : clean(options.clientPseudonym),
      };
      const prevHash = hash;
      hash = linkHash(prevHash, feedbackContent(row));
      return { ...row, prev_hash: prevHash, hash };
    });
    for (const chunk of chunks(rows)) await trx.insertInto('feedback').values(chunk).execute();
    await advanceChainHead(trx, 'feedback', { seq, hash });
    return { stored: rows.length, duplicates: items.length - rows.length, flagged };
  });
}
