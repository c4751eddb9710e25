/**
 * Why an AI card appeared, from the audit's AI record of its hook call: which model, prompt and endpoint answered
 * (and whether the answer came from an earlier hook), the model's item as it returned it, what the guards did with
 * it and with the rest of the answer, and the de-identified input exactly as it was sent.
 */
import type { StoredAiAdvice } from '../../store/rows.js';
import type { AiItemRecord } from '../../store/types.js';
import { el } from './dom.js';
import { utc } from './format.js';

const OUTCOMES: Readonly<Record<AiItemRecord['outcome'], string>> = {
  shown: 'shown as this AI card',
  folded: 'folded into a rule card that says the same',
  shadow: 'shadow: recorded, not shown',
  'not-shown':
    'kept by the guards, not shown (below the service’s minimum severity, or a repeat of an override)',
  dropped: 'dropped by the guards',
};

function guardText(item: AiItemRecord): string {
  const g = item.guard;
  if (g.outcome !== 'kept') return `dropped: ${g.outcome}`;
  const suggestion =
    g.suggestion === 'none'
      ? 'no suggestion'
      : g.suggestion === 'kept'
        ? 'suggestion kept'
        : `suggestion dropped: ${g.suggestion}`;
  return `kept at severity ${g.severity}; ${suggestion}`;
}

function returnedItem(item: AiItemRecord): HTMLDListElement {
  const r = item.returned;
  const suggestion = r.suggestion
    ? r.suggestion.kind === 'cancel-draft'
      ? `cancel draft ${r.suggestion.draft}`
      : r.suggestion.kind === 'service-request'
        ? `request SNOMED CT ${r.suggestion.code}`
        : `order lab LOINC ${r.suggestion.loinc}`
    : 'none';
  const pairs: [string, string][] = [
    ['Kind', r.kind],
    ['Summary', r.summary],
    ['Detail', r.detail],
    ['Severity stated', r.severity],
    ['Certainty stated', r.certainty],
    ['Cites', r.cites.join(', ')],
    ['Suggestion', suggestion],
    ['Guards', guardText(item)],
    ['Outcome', OUTCOMES[item.outcome]],
  ];
  return el('dl', { className: 'facts' }, ...pairs.flatMap(([t, v]) => [el('dt', {}, t), el('dd', {}, v)]));
}

export function aiTrace(ai: StoredAiAdvice, uuid: string): HTMLElement {
  const own = ai.items.filter((i) => i.cardUuid === uuid);
  const others = ai.items.filter((i) => i.cardUuid !== uuid);
  const served =
    ai.servedFrom === 'cache'
      ? `an earlier hook on the same de-identified data (answered ${utc(ai.answeredAt)} UTC; late-answer cache)`
      : `this hook's own call (answered ${utc(ai.answeredAt)} UTC)`;
  const input = el('pre', { className: 'ai-input' }, JSON.stringify(ai.input, null, 2));
  const details = el('details', {}, el('summary', {}, 'The de-identified input, exactly as sent'), input);
  return el(
    'div',
    { className: 'ai-why' },
    el('h3', {}, 'Why this AI card appeared'),
    el(
      'dl',
      { className: 'facts' },
      ...(
        [
          ['Mode', ai.mode],
          ['Endpoint kind', ai.endpointKind],
          ['Deployment / model version', `${ai.deployment} / ${ai.modelVersion}`],
          ['Prompt version', ai.promptVersion],
          ['Advice from', served],
          [
            'Items in the answer',
            `${ai.items.length} (and ${ai.invalidItems} that failed the schema on arrival)`,
          ],
        ] as const
      ).flatMap(([t, v]) => [el('dt', {}, t), el('dd', {}, v)]),
    ),
    el('h4', {}, 'The model’s item, as it returned it'),
    ...own.map(returnedItem),
    others.length > 0 && el('h4', {}, 'The rest of the same answer'),
    others.length > 0 &&
      el(
        'ul',
        { className: 'ai-others' },
        ...others.map((i) =>
          el('li', {}, `${i.returned.summary} · ${guardText(i)} · ${OUTCOMES[i.outcome]}`),
        ),
      ),
    details,
  );
}
