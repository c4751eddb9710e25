/** The AI advice switch per service: its current state, who changed it last, and the button to flip it. */
import type { ServiceAiState } from '../../http/routes/admin.js';
import { byId, cell, el, fillTable } from './dom.js';
import { utc } from './format.js';

/** ON only when a model can actually advise: the switch of a service with no model endpoint decides nothing. */
function badgeOf(ai: ServiceAiState['ai']): HTMLElement {
  if (!ai.modelConfigured)
    return el(
      'span',
      {
        className: 'badge off',
        title: `switch set to ${ai.enabled ? 'on' : 'off'} for when a model is configured`,
      },
      'no model configured',
    );
  return el('span', { className: `badge ${ai.enabled ? 'on' : 'off'}` }, ai.enabled ? 'ON' : 'OFF');
}

export function renderSwitches(
  states: readonly ServiceAiState[],
  onFlip: (id: string, enabled: boolean) => void,
): void {
  const rows = states.map((s) => {
    const button = el(
      'button',
      { className: s.ai.enabled ? 'danger' : '', dataset: { service: s.id, enable: String(!s.ai.enabled) } },
      s.ai.enabled ? 'Turn AI off' : 'Turn AI on',
    );
    button.type = 'button';
    button.addEventListener('click', () => {
      button.disabled = true;
      onFlip(s.id, !s.ai.enabled);
    });
    return el(
      'tr',
      { dataset: { service: s.id } },
      cell(el('span', { title: s.id }, s.title ?? s.id)),
      cell(badgeOf(s.ai)),
      cell(s.ai.changedAt ? `${utc(s.ai.changedAt)} by ${s.ai.changedBy ?? 'unknown'}` : 'never changed'),
      cell(button),
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
