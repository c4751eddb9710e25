/**
 * Shadow advice beside what happened: each item the model would have shown, the cards the same call showed and
 * how clinicians answered them with the orders their acceptances placed, and the share of shadow advice their
 * actions agreed with (src/store/read/shadow.ts defines "agreed").
 */
import type { ShadowItem, ShadowReport, ShownCard } from '../../store/read/shadow.js';
import { byId, cell, el, fillTable, setText } from './dom.js';
import { count, laterOrderLine, percent, utc } from './format.js';

const VERDICTS: Readonly<Record<ShadowItem['verdict'], string>> = {
  agreed: 'agreed: the matching card was accepted',
  disagreed: 'disagreed: the matching card was overridden',
  'no-signal': 'no signal yet',
};

function verdictOf(item: ShadowItem): string {
  return item.agreedBy === 'same-order'
    ? 'agreed: the matching card was accepted, ordering what the advice suggested'
    : VERDICTS[item.verdict];
}

/** What the card's acceptances ordered or changed, one line each, under the card. */
function laterOrders(card: ShownCard): Node | null {
  if (card.laterOrders.length === 0) return null;
  return el(
    'ul',
    { className: 'plain later-orders' },
    ...card.laterOrders.map((o) => el('li', { dataset: { suggestion: o.suggestion } }, laterOrderLine(o))),
  );
}

function happened(item: ShadowItem): Node {
  if (item.cardsShown.length === 0) return el('span', { className: 'muted' }, 'no card shown');
  return el(
    'ul',
    { className: 'plain' },
    ...item.cardsShown.map((c) => {
      const answered = c.responses.accepted + c.responses.overridden;
      const response =
        answered === 0
          ? 'no response yet'
          : [c.responses.accepted ? 'accepted' : '', c.responses.overridden ? 'overridden' : '']
              .filter(Boolean)
              .join(', ');
      const matched = item.match?.cardUuid === c.uuid ? ` (matched by ${item.match.by})` : '';
      return el(
        'li',
        { dataset: { uuid: c.uuid } },
        `${c.summary} · ${c.advisor} · ${response}${matched}`,
        laterOrders(c),
      );
    }),
  );
}

export function renderShadow(report: ShadowReport): void {
  const a = report.agreement;
  setText('shadow-share', percent(a.share));
  setText(
    'shadow-share-note',
    `${count(a.agreed)} agreed, ${count(a.disagreed)} disagreed, ${count(a.noSignal)} without a signal; ` +
      `${count(a.items)} items in ${count(a.calls)} shadowed calls${a.windowed ? ' (the newest only)' : ''}`,
  );
  const rows = report.items.map((i) =>
    el(
      'tr',
      { dataset: { verdict: i.verdict } },
      cell(utc(i.issuedAt)),
      cell(i.serviceId),
      cell(
        el(
          'span',
          {},
          el('span', { className: 'ai-tag' }, `AI · ${i.model}`),
          ' ',
          i.item.returned.summary,
          el(
            'span',
            { className: 'muted' },
            ` (${i.item.returned.kind}, ${i.item.guard.outcome === 'kept' ? i.item.guard.severity : '–'}, certainty ${i.item.returned.certainty})`,
          ),
        ),
      ),
      cell(happened(i)),
      cell(verdictOf(i)),
    ),
  );
  fillTable(byId<HTMLTableElement>('shadow').tBodies[0]!, rows, 'No shadow advice with these filters.');
}
