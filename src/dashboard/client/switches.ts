/** The AI advice mode per service (off / shadow / on): its current state, who changed it last, and the buttons. */
import type { AiMode } from '../../advisors/types.js';
import type { ServiceAiState } from '../../http/routes/admin.js';
import { byId, cell, el, fillTable } from './dom.js';
import { utc } from './format.js';

const LABELS: Readonly<Record<AiMode, string>> = { off: 'Off', shadow: 'Shadow', on: 'On' };
const MODES: readonly AiMode[] = ['off', 'shadow', 'on'];

/** The mode only when a model can actually advise: the switch of a service with no model endpoint decides nothing. */
function badgeOf(ai: ServiceAiState['ai']): HTMLElement {
  if (!ai.modelConfigured)
    return el(
      'span',
      { className: 'badge off', title: `switch set to ${LABELS[ai.mode]} for when a model is configured` },
      'no model configured',
    );
  return el('span', { className: `badge ${ai.mode}` }, ai.mode.toUpperCase());
}

export function renderSwitches(
  states: readonly ServiceAiState[],
  onSet: (id: string, mode: AiMode) => void,
): void {
  const rows = states.map((s) => {
    const buttons = MODES.map((mode) => {
      const button = el(
        'button',
        {
          className: mode === 'on' ? '' : mode === 'off' ? 'danger' : 'secondary',
          dataset: { service: s.id, mode },
          title:
            mode === 'shadow'
              ? 'The model runs and its advice is recorded for review, never shown to clinicians'
              : `AI advice ${mode}`,
        },
        LABELS[mode],
      );
      button.type = 'button';
      button.disabled = s.ai.mode === mode;
      button.addEventListener('click', () => {
        for (const b of buttons) b.disabled = true;
        onSet(s.id, mode);
      });
      return button;
    });
    return el(
      'tr',
      { dataset: { service: s.id } },
      cell(el('span', { title: s.id }, s.title ?? s.id)),
      cell(badgeOf(s.ai)),
      cell(s.ai.changedAt ? `${utc(s.ai.changedAt)} by ${s.ai.changedBy ?? 'unknown'}` : 'never changed'),
      cell(el('span', { className: 'modes' }, ...buttons)),
    );
  });
  fillTable(byId<HTMLTableElement>('switches').tBodies[0]!, rows, 'No services.');
}

export function fillServiceFilter(states: readonly ServiceAiState[], selected: string | undefined): void {
  const select =
    byId<HTMLSelectElement>('filters').querySelector<HTMLSelectElement>('select[name="service"]')!;
  select.replaceChildren(
    Object.assign(el('option', {}, 'All services'), { value: '' }),
    ...states.map((s) => Object.assign(el('option', {}, s.title ?? s.id), { value: s.id })),
  );
  select.value = selected ?? '';
}
