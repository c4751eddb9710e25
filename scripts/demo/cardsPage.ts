/**
 * Our cards as the CDS Hooks sandbox lays them out (https://sandbox.cds-hooks.org): one panel per card, a coloured
 * edge for the indicator, the summary, "Source:" with its label, the markdown detail, suggestion buttons, link
 * buttons and a dismiss control offering the override reasons. A local stand-in for screenshots, since the public
 * sandbox is not reachable from every machine; it renders what the service answered and nothing else. Self-contained
 * HTML: no scripts, no external resources.
 */
import { Marked } from 'marked';

export interface RenderableCard {
  summary: string;
  indicator: 'info' | 'warning' | 'critical';
  detail?: string;
  source: { label: string; url?: string; topic?: { display?: string } };
  suggestions?: { label: string; isRecommended?: boolean }[];
  links?: { label: string; url: string; type?: string }[];
  overrideReasons?: { code: string; display?: string }[];
  extension?: Record<string, unknown>;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Raw HTML in a card's markdown is shown as text, as a careful EHR would.
const markdown = new Marked({ gfm: true, breaks: false, renderer: { html: ({ text }) => escapeHtml(text) } });

const COLOURS: Readonly<Record<RenderableCard['indicator'], string>> = {
  info: '#0a70c2',
  warning: '#e6a100',
  critical: '#d0021b',
};

function cardHtml(card: RenderableCard): string {
  const provenance = card.extension?.['cds-advisor.provenance'] as
    { advisor?: string; ruleId?: string } | undefined;
  const source = card.source.url
    ? `<a href="${escapeHtml(card.source.url)}">${escapeHtml(card.source.label)}</a>`
    : escapeHtml(card.source.label);
  const suggestions = (card.suggestions ?? [])
    .map(
      (s) =>
        `<button class="suggestion${s.isRecommended ? ' recommended' : ''}">${escapeHtml(s.label)}</button>`,
    )
    .join('');
  const links = (card.links ?? [])
    .map((l) => `<button class="link">${escapeHtml(l.label)}</button>`)
    .join('');
  const reasons = (card.overrideReasons ?? [])
    .map((r) => `<option>${escapeHtml(r.display ?? r.code)}</option>`)
    .join('');
  return `<section class="card" style="border-left-color:${COLOURS[card.indicator]}">
  <header><span class="indicator ${card.indicator}">${card.indicator}</span><h2>${escapeHtml(card.summary)}</h2></header>
  <p class="source">Source: ${source}${card.source.topic?.display ? ` · ${escapeHtml(card.source.topic.display)}` : ''}${
    provenance?.ruleId ? ` · rule <code>${escapeHtml(provenance.ruleId)}</code>` : ''
  }</p>
  <div class="detail">${markdown.parse(card.detail ?? '') as string}</div>
  ${suggestions || links ? `<div class="actions">${suggestions}${links}</div>` : ''}
  ${reasons ? `<div class="dismiss">Dismiss with reason <select>${reasons}</select></div>` : ''}
</section>`;
}

export function cardsPage(title: string, subtitle: string, cards: readonly RenderableCard[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
  body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0; background: #f3f5f7; color: #222; }
  .bar { background: #2b3a4a; color: #fff; padding: 10px 18px; font-size: 15px; }
  .bar small { opacity: .75; margin-left: 12px; }
  .note { margin: 10px 18px 0; color: #556; font-size: 12px; }
  main { padding: 12px 18px 24px; max-width: 860px; }
  .card { background: #fff; border: 1px solid #d8dde3; border-left: 6px solid; border-radius: 4px; margin: 12px 0; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  .card header { display: flex; align-items: baseline; gap: 10px; }
  .card h2 { font-size: 16px; margin: 0; }
  .indicator { text-transform: uppercase; font-size: 11px; font-weight: 700; letter-spacing: .04em; padding: 1px 6px; border-radius: 3px; color: #fff; }
  .indicator.info { background: ${COLOURS.info}; } .indicator.warning { background: ${COLOURS.warning}; } .indicator.critical { background: ${COLOURS.critical}; }
  .source { color: #556; font-size: 12px; margin: 4px 0 8px; }
  .detail p, .detail ul { margin: 6px 0; }
  .actions { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 8px; }
  button { font: inherit; border: 1px solid #0a70c2; background: #fff; color: #0a70c2; border-radius: 3px; padding: 4px 10px; }
  button.recommended { background: #0a70c2; color: #fff; }
  button.link { border-color: #8896a5; color: #2b3a4a; }
  .dismiss { margin-top: 10px; font-size: 12px; color: #556; }
</style></head>
<body><div class="bar">${escapeHtml(title)}<small>${escapeHtml(subtitle)}</small></div>
<p class="note">Local page laid out like the CDS Hooks sandbox's card list, showing the cards CDS Advisor answered for this call.</p>
<main>${cards.map(cardHtml).join('\n')}</main></body></html>`;
}
