/**
 * Shadow advice beside what happened: each item the model would have shown in shadow mode, the cards the same
 * hook call did show, and how clinicians answered them; and the share of shadow advice their actions agreed with.
 *
 * "Agreed", plainly: a shadow item (one the guards kept) matches a card shown in the same hook call when the card
 * has the item's finding key (or speaks for it), or, failing that, concerns a draft order the item cites. The item
 * *agreed* with the clinician when a matching card was accepted; *disagreed* when matching cards were only
 * overridden; it has *no signal* when nothing matched or no feedback came. The share is agreed / (agreed +
 * disagreed): silence is not counted as agreement.
 *
 * Later orders: for each shown card, the suggestions clinicians accepted, read as what they ordered or changed
 * (`laterOrders.ts`). An agreed item says how (`agreedBy`): `same-order` when an accepted suggestion of a matching
 * card does what the item itself suggested — creates the lab (LOINC) or service (SNOMED CT) the item would order, or
 * deletes or updates a draft order the item cites and the card concerns, where the item would cancel a draft; only a
 * suggestion the guards kept counts — and `accepted-card` otherwise (the card was accepted with another of its
 * suggestions). It refines "agreed" and never changes the share.
 */
import { LOINC, SNOMED } from '../../clinical/types.js';
import type { Severity } from '../../findings/types.js';
import { toStoredAiAdvice } from '../rows.js';
import type { AiItemRecord } from '../types.js';
import { IN_LIST_CHUNK, chunks } from '../chunks.js';
import type { AuditFilter } from './filters.js';
import { type LaterOrder, laterOrdersOf } from './laterOrders.js';
import { type AuditDb, type CardResponses, responsesOf } from './queries.js';

/** How many shadowed calls the share is computed over at most (the newest in the filter). */
export const SHADOW_WINDOW = 2000;
const DEFAULT_LIMIT = 50;

export type ShadowVerdict = 'agreed' | 'disagreed' | 'no-signal';

export interface ShownCard {
  readonly uuid: string;
  readonly advisor: string;
  readonly indicator: Severity;
  readonly summary: string;
  readonly findingKey: string | null;
  readonly responses: CardResponses;
  /** What clinicians' acceptances of this card ordered or changed, oldest first (empty: nothing accepted). */
  readonly laterOrders: readonly LaterOrder[];
}

/** How an agreed item agreed: its matching card accepted, or accepted ordering what the item itself suggested. */
export type AgreedBy = 'accepted-card' | 'same-order';

export interface ShadowItem {
  readonly invocationSeq: number;
  readonly serviceId: string;
  readonly hookInstance: string;
  readonly issuedAt: string;
  readonly model: string;
  readonly promptVersion: string;
  readonly servedFrom: 'call' | 'cache';
  /** Its place among the items the model returned on that call: with `invocationSeq`, the item's stable id. */
  readonly itemIndex: number;
  /** Age and sex as the model was given them (de-identified: ages over 89 as `90+`). */
  readonly patient: { readonly age: number | '90+' | null; readonly sex: string | null };
  /** The item as the model returned it, with the severity the guards allowed and its finding key and evidence. */
  readonly item: AiItemRecord;
  /** Every card the same call showed, with the clinicians' answers to it. */
  readonly cardsShown: readonly ShownCard[];
  /** The shown card the item is judged against, and why it matched. */
  readonly match: { readonly cardUuid: string; readonly by: 'finding' | 'draft' } | null;
  readonly verdict: ShadowVerdict;
  /** Set when `verdict` is `agreed`. */
  readonly agreedBy: AgreedBy | null;
}

export interface ShadowReport {
  readonly items: readonly ShadowItem[];
  readonly agreement: {
    readonly calls: number;
    readonly items: number;
    readonly agreed: number;
    readonly disagreed: number;
    readonly noSignal: number;
    /** agreed / (agreed + disagreed); null when no item could be judged. */
    readonly share: number | null;
    /** Items the guards dropped in shadow (never judged). */
    readonly dropped: number;
    /** True when more shadowed calls matched than the window holds: the figures cover the newest ones. */
    readonly windowed: boolean;
  };
}

interface CardRow {
  readonly uuid: string;
  readonly invocation_seq: number;
  readonly advisor: string;
  readonly indicator: string;
  readonly summary: string;
  readonly finding_key: string | null;
  readonly covers: string | null;
  readonly draft_orders: string | null;
  readonly suggestion_summaries: string | null;
}

const list = (text: string | null): string[] => (text === null ? [] : (JSON.parse(text) as string[]));

function matchOf(
  item: AiItemRecord,
  cards: readonly CardRow[],
): { cards: CardRow[]; by: 'finding' | 'draft' } | null {
  const key = item.findingKey;
  if (key === undefined) return null;
  const byFinding = cards.filter((c) => c.finding_key === key || list(c.covers).includes(key));
  if (byFinding.length > 0) return { cards: byFinding, by: 'finding' };
  const cited = new Set(item.evidence ?? []);
  const byDraft = cards.filter((c) => list(c.draft_orders).some((ref) => cited.has(ref)));
  return byDraft.length > 0 ? { cards: byDraft, by: 'draft' } : null;
}

/** Whether an accepted suggestion of these cards does what the item itself suggested (see the header). */
function sameOrder(
  item: AiItemRecord,
  cards: readonly CardRow[],
  orders: Map<string, LaterOrder[]>,
): boolean {
  const suggested = item.returned.suggestion;
  // What the item would have offered had it been shown: a suggestion the guards dropped was never on offer.
  if (!suggested || item.guard.outcome !== 'kept' || item.guard.suggestion !== 'kept') return false;
  const cited = new Set(item.evidence ?? []);
  return cards.some((card) => {
    const drafts = new Set(list(card.draft_orders));
    return (orders.get(card.uuid) ?? [])
      .flatMap((o) => o.summary?.actions ?? [])
      .some((a) => {
        switch (suggested.kind) {
          case 'order-lab':
            return a.type === 'create' && a.code === `${LOINC}|${suggested.loinc}`;
          case 'service-request':
            return a.type === 'create' && a.code === `${SNOMED}|${suggested.code}`;
          case 'cancel-draft':
            return (
              a.type !== 'create' && a.target !== undefined && cited.has(a.target) && drafts.has(a.target)
            );
        }
      });
  });
}

function verdictOf(matched: readonly CardRow[], responses: Map<string, CardResponses>): ShadowVerdict {
  const answers = matched.map((c) => responses.get(c.uuid) ?? { accepted: 0, overridden: 0 });
  if (answers.some((r) => r.accepted > 0)) return 'agreed';
  if (answers.some((r) => r.overridden > 0)) return 'disagreed';
  return 'no-signal';
}

export async function shadowReport(
  db: AuditDb,
  filter: Pick<AuditFilter, 'from' | 'to' | 'serviceId'> & { readonly limit?: number },
): Promise<ShadowReport> {
  let query = db.selectFrom('ai_advice').selectAll().where('mode', '=', 'shadow');
  if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
  if (filter.from) query = query.where('issued_at', '>=', filter.from.toISOString());
  if (filter.to) query = query.where('issued_at', '<', filter.to.toISOString());
  const rows = await query
    .orderBy('invocation_seq', 'desc')
    .limit(SHADOW_WINDOW + 1)
    .execute();
  const windowed = rows.length > SHADOW_WINDOW;
  const calls = rows.slice(0, SHADOW_WINDOW).map(toStoredAiAdvice);
  const seqs = calls.map((c) => c.invocationSeq);
  const cards: CardRow[] = [];
  for (const batch of chunks(seqs, IN_LIST_CHUNK)) {
    cards.push(
      ...(await db
        .selectFrom('cards')
        .select([
          'uuid',
          'invocation_seq',
          'advisor',
          'indicator',
          'summary',
          'finding_key',
          'covers',
          'draft_orders',
          'suggestion_summaries',
        ])
        .where('invocation_seq', 'in', batch)
        .execute()),
    );
  }
  const responses = new Map<string, CardResponses>();
  const uuids = cards.map((c) => c.uuid);
  for (const batch of chunks(uuids, IN_LIST_CHUNK)) {
    for (const [uuid, r] of await responsesOf(db, batch)) responses.set(uuid, r);
  }
  const orders = await laterOrdersOf(db, cards);
  const cardsOf = new Map<number, CardRow[]>();
  for (const card of cards) {
    const seq = Number(card.invocation_seq);
    cardsOf.set(seq, [...(cardsOf.get(seq) ?? []), card]);
  }

  const items: ShadowItem[] = [];
  let dropped = 0;
  for (const call of calls) {
    const shown = cardsOf.get(call.invocationSeq) ?? [];
    for (const [itemIndex, item] of call.items.entries()) {
      if (item.outcome !== 'shadow') {
        dropped += 1;
        continue;
      }
      const match = matchOf(item, shown);
      const verdict = match ? verdictOf(match.cards, responses) : 'no-signal';
      items.push({
        invocationSeq: call.invocationSeq,
        serviceId: call.serviceId,
        hookInstance: call.hookInstance,
        issuedAt: call.issuedAt,
        model: `${call.deployment}/${call.modelVersion}`,
        promptVersion: call.promptVersion,
        servedFrom: call.servedFrom,
        itemIndex,
        patient: call.input.patient,
        item,
        cardsShown: shown.map((c) => ({
          uuid: c.uuid,
          advisor: c.advisor,
          indicator: c.indicator as Severity,
          summary: c.summary,
          findingKey: c.finding_key,
          responses: responses.get(c.uuid) ?? { accepted: 0, overridden: 0 },
          laterOrders: orders.get(c.uuid) ?? [],
        })),
        match: match ? { cardUuid: match.cards[0]!.uuid, by: match.by } : null,
        verdict,
        agreedBy:
          verdict !== 'agreed'
            ? null
            : sameOrder(item, match!.cards, orders)
              ? 'same-order'
              : 'accepted-card',
      });
    }
  }
  const agreed = items.filter((i) => i.verdict === 'agreed').length;
  const disagreed = items.filter((i) => i.verdict === 'disagreed').length;
  return {
    items: items.slice(0, filter.limit ?? DEFAULT_LIMIT),
    agreement: {
      calls: calls.length,
      items: items.length,
      agreed,
      disagreed,
      noSignal: items.length - agreed - disagreed,
      share: agreed + disagreed > 0 ? agreed / (agreed + disagreed) : null,
      dropped,
      windowed,
    },
  };
}
