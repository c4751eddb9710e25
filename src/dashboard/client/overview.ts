/** Key figures, the alert-fatigue table and the model panel, from one `/audit/api/summary` answer. */
import type { AdvisorStatus } from '../../advisors/types.js';
import type { AuditOverview, ReasonCount } from '../../store/read/overviewShape.js';
import { byId, cell, el, fillTable, replaceChildren, setText } from './dom.js';
import { count, ms, number, percent } from './format.js';

/** What each model outcome means, in words a safety officer uses. */
const MODEL_OUTCOMES: readonly [AdvisorStatus, string][] = [
  ['ok', 'Answered in time'],
  ['cached', 'Answered from cache'],
  ['timeout', 'Too slow: deadline missed, rules only'],
  ['error', 'Failed with an error'],
  ['rate-limited', 'Throttled by the AI service'],
  ['circuit-open', 'Skipped: paused after repeated failures'],
  ['rejected', 'Answer rejected by safety checks'],
  ['disabled', 'Switched off'],
];

export function renderKpis(o: AuditOverview): void {
  const t = o.totals;
  setText('kpi-invocations', count(t.invocations));
  setText('kpi-cards', count(t.cards));
  setText('kpi-cards-per-call', number(o.cardsPerInvocation.mean));
  setText('kpi-accepted', percent(t.acceptanceRate));
  setText('kpi-accepted-note', `${count(t.accepted)} of ${count(t.accepted + t.overridden)} answered`);
  setText('kpi-overridden', percent(t.overrideRate));
  setText('kpi-overridden-note', `${count(t.overridden)} of ${count(t.accepted + t.overridden)} answered`);
  setText('kpi-ai-share', percent(o.model.adviceShare));
  // Findings left out at order-sign because the same clinician overrode them, with a reason, at order-select.
  setText('kpi-quieted', count(o.overrideRepeats.suppressed));
  setText('kpi-quieted-note', `${count(o.overrideRepeats.shown)} critical shown again`);
  setText('kpi-data-gaps', count(o.dataGaps.invocations));
  setText('kpi-latency', `${ms(o.latencyMs.p50)} / ${ms(o.latencyMs.p95)}`);
}

function reasonText(r: ReasonCount): string {
  return `${r.display ?? r.code ?? 'no reason given'} (${count(r.count)})`;
}

export function renderFatigue(o: AuditOverview): void {
  const rows = o.alertFatigue.map((row) =>
    el(
      'tr',
      { dataset: { key: row.key } },
      cell(row.key),
      cell(row.advisor === 'model' ? el('span', { className: 'ai-tag' }, 'AI model') : 'Rule'),
      cell(count(row.cards), 'num'),
      cell(count(row.overridden), 'num'),
      cell(percent(row.overrideRate), 'num'),
      cell(row.reasons.map(reasonText).join(' · ')),
    ),
  );
  fillTable(byId<HTMLTableElement>('fatigue').tBodies[0]!, rows, 'No overridden cards with these filters.');
  // Offer the rules seen so far as suggestions in the Rule filter.
  const list = byId('rule-options');
  replaceChildren(list, ...o.byRule.map((r) => Object.assign(el('option'), { value: r.ruleId })));
}

/** What `/readyz` says about the model lane (src/advisors/model/gateway/lane.ts): this instance, right now. */
export interface LaneView {
  readonly state: string;
  readonly kind: string;
  readonly model: string;
  readonly answeredBy?: string;
  readonly outputMode: string;
  readonly since: string;
  readonly fix?: string;
}

export function renderLane(lane: LaneView | undefined): void {
  const line = byId('model-lane');
  line.dataset.state = lane?.state ?? 'off';
  if (!lane) {
    setText('model-lane', 'Model: not configured on this instance (rules only).');
    return;
  }
  const who = `${lane.kind} endpoint, ${lane.model}${lane.answeredBy ? ` (answered by ${lane.answeredBy})` : ''}`;
  setText(
    'model-lane',
    lane.state === 'usable'
      ? `Model lane usable: ${who}, output ${lane.outputMode}.`
      : `Model lane ${lane.state.toUpperCase()} since ${new Date(lane.since).toLocaleString()}: model calls stopped, rule cards continue (${who}). ${lane.fix ?? ''}`,
  );
}

export function renderModel(o: AuditOverview): void {
  const m = o.model;
  const facts: [string, string][] = [
    ['Calls with AI advice switched on', `${count(m.consulted)} of ${count(m.invocations)}`],
    ['Calls that showed AI advice', `${count(m.withAdvice)} (${percent(m.adviceShare)})`],
    [
      'AI cards accepted',
      `${percent(o.byAdvisor.model.acceptanceRate)} of ${count(o.byAdvisor.model.accepted + o.byAdvisor.model.overridden)} answered`,
    ],
    [
      'Rule cards accepted',
      `${percent(o.byAdvisor.rules.acceptanceRate)} of ${count(o.byAdvisor.rules.accepted + o.byAdvisor.rules.overridden)} answered`,
    ],
    ['AI response time (median / 95%)', `${ms(m.latencyMs.p50)} / ${ms(m.latencyMs.p95)}`],
  ];
  replaceChildren(
    byId('model-facts'),
    ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
  const rows = MODEL_OUTCOMES.map(([status, label]) =>
    el('tr', { dataset: { status } }, cell(label), cell(count(m.outcomes[status] ?? 0), 'num')),
  );
  fillTable(byId<HTMLTableElement>('model-outcomes').tBodies[0]!, rows, 'The model was not consulted.');
}
