/** The list of cards shown, and the drill-down into one: what it said, what it rested on, where it came from. */
import type { CardDetail, CardResponses } from '../../store/read/queries.js';
import type { StoredCard, StoredInvocation, StoredOverrideRepeat } from '../../store/types.js';
import { aiTrace } from './aiTrace.js';
import { append, byId, cell, el, fillTable, replaceChildren } from './dom.js';
import { count, laterOrderLine, ms, utc } from './format.js';

export type ListedCard = StoredCard & { readonly responses: CardResponses };

export function sourceOf(card: Pick<StoredCard, 'advisor' | 'ruleId' | 'model'>): Node | string {
  return card.advisor === 'model'
    ? el('span', { className: 'ai-tag' }, `AI · ${card.model ?? 'model'}`)
    : (card.ruleId ?? 'rule');
}

function responseText(r: CardResponses): string {
  if (r.accepted + r.overridden === 0) return 'no response yet';
  return [
    r.accepted ? `accepted${r.accepted > 1 ? ` ×${r.accepted}` : ''}` : '',
    r.overridden ? `overridden${r.overridden > 1 ? ` ×${r.overridden}` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function cardRow(card: ListedCard, onOpen: (uuid: string) => void): HTMLTableRowElement {
  const row = el(
    'tr',
    { dataset: { uuid: card.uuid } },
    cell(utc(card.issuedAt)),
    cell(card.serviceId),
    cell(sourceOf(card)),
    cell(card.indicator, `sev-${card.indicator}`),
    cell(card.summary),
    cell(responseText(card.responses)),
  );
  row.tabIndex = 0;
  row.addEventListener('click', () => onOpen(card.uuid));
  row.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') onOpen(card.uuid);
  });
  return row;
}

export function renderCards(rows: readonly HTMLTableRowElement[], total: string): void {
  fillTable(byId<HTMLTableElement>('cards').tBodies[0]!, rows, 'No cards with these filters.');
  byId('cards-count').textContent = total;
}

export function appendCards(rows: readonly HTMLTableRowElement[]): void {
  append(byId<HTMLTableElement>('cards').tBodies[0]!, ...rows);
}

function facts(pairs: readonly [string, Node | string | null][]): HTMLDListElement {
  return el(
    'dl',
    { className: 'facts' },
    ...pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value ?? '–')]),
  );
}

/** What data the call lacked and which checks that kept from running ("renal dosing for metformin"). */
function gapsOf(invocation: StoredInvocation): string | null {
  if (invocation.missingData.length === 0) return null;
  const missing = invocation.missingData.map((m) => `${m.key} (${m.reason})`).join('; ');
  const checks = invocation.dataGaps.map((g) => `${g.label} for ${g.drug}`).join('; ');
  return checks ? `${missing} · not checked: ${checks}` : `${missing} · no reviewed drug needed it`;
}

/** An order-sign repeat of an overridden finding: left out, or shown again because critical. */
function repeatLine(r: StoredOverrideRepeat, uuid: string): string {
  const reason = r.overrideReason.display ?? r.overrideReason.code;
  if (r.overrideCardUuid !== uuid) {
    return `Shown again at signing: overridden at selection on ${utc(r.overriddenAt)} (reason: ${reason})`;
  }
  return r.decision === 'suppressed'
    ? `Not repeated at signing on ${utc(r.issuedAt)} (${r.serviceId}; reason given: ${reason})`
    : `Shown again at signing on ${utc(r.issuedAt)}: critical findings always are (reason given: ${reason})`;
}

export function renderDetail(d: CardDetail): void {
  const { card, invocation, feedback, laterOrders, overrideRepeats, ai } = d;
  const runs =
    invocation?.advisors.map((a) => `${a.advisor}: ${a.status} in ${ms(a.latencyMs)}`).join(' · ') ?? null;
  replaceChildren(
    byId('detail-body'),
    el('p', { className: 'summary' }, card.summary),
    facts([
      ['Severity', el('span', { className: `sev-${card.indicator}` }, card.indicator)],
      ['Service', card.serviceId],
      ['Shown at (UTC)', utc(card.issuedAt)],
      ['Source', card.advisor === 'model' ? 'AI model' : 'Built-in rule'],
      ['Rule', card.ruleId],
      ['Model version', card.model],
      ['Prompt version', card.promptVersion],
      ['Card id', card.uuid],
      ['Suggestions offered', count(card.suggestionUuids.length)],
    ]),
    el('h3', {}, 'Evidence the card cited'),
    el('ul', { className: 'evidence' }, ...card.evidence.map((ref) => el('li', {}, ref))),
    ai && aiTrace(ai, card.uuid),
    el('h3', {}, 'The hook call'),
    invocation
      ? facts([
          ['Hook', invocation.hook],
          ['Took', ms(invocation.durationMs)],
          ['Outcome', invocation.outcome],
          ['Advisors', runs],
          ['Cards in this call', count(invocation.cardCount)],
          ['Patient (pseudonym)', invocation.patientPseudonym],
          ['Data unavailable', gapsOf(invocation)],
        ])
      : el('p', {}, 'Not on record (purged by retention).'),
    overrideRepeats.length > 0 && el('h3', {}, 'Overridden at selection, at signing'),
    overrideRepeats.length > 0 &&
      el(
        'ul',
        { className: 'repeats' },
        ...overrideRepeats.map((r) => el('li', {}, repeatLine(r, card.uuid))),
      ),
    el('h3', {}, 'Clinician feedback'),
    feedback.length === 0
      ? el('p', { className: 'feedback-none' }, 'No feedback received for this card.')
      : el(
          'ul',
          { className: 'feedback' },
          ...feedback.map((f) =>
            el(
              'li',
              {},
              `${f.outcome} at ${utc(f.outcomeAt)}`,
              f.overrideReason ? ` · reason: ${f.overrideReason.display ?? f.overrideReason.code}` : '',
              f.userComment ? ` · comment: “${f.userComment}”` : '',
              f.flag ? ` · flagged: ${f.flag}` : '',
            ),
          ),
        ),
    laterOrders.length > 0 && el('h3', {}, 'What the acceptances ordered'),
    laterOrders.length > 0 &&
      el('ul', { className: 'later-orders' }, ...laterOrders.map((o) => el('li', {}, laterOrderLine(o)))),
  );
}
