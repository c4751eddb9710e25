/** What became of each model item in a hook call, as the audit records it: shown, folded, not shown, dropped, shadow. */
import { describe, expect, it } from '@jest/globals';
import type { ModelItemTrace, ModelTrace } from '../../../src/advisors/types.js';
import { aiAdviceOf } from '../../../src/pipeline/aiAdvice.js';
import { modelTrace } from '../../helpers/modelTrace.js';
import type { CardRecord } from '../../../src/store/types.js';

const returned = {
  kind: 'interaction',
  summary: 's',
  detail: 'd',
  severity: 'warning',
  cites: ['D1', 'M1'],
  certainty: 'high',
  suggestion: null,
  about: null,
  claim: null,
} as const;

const kept = (findingKey: string, severity: 'info' | 'warning' = 'warning'): ModelItemTrace => ({
  returned,
  guard: { outcome: 'kept', severity, suggestion: 'none' },
  findingKey,
  evidence: ['MedicationRequest/d1'],
});

const trace = (items: ModelItemTrace[], mode: 'on' | 'shadow' = 'on'): ModelTrace => modelTrace(items, mode);

const card = (
  uuid: string,
  advisor: 'rules' | 'model',
  findingKey: string,
  covers?: string[],
): CardRecord => ({
  uuid,
  serviceId: 's',
  hookInstance: 'h',
  advisor,
  indicator: 'warning',
  summary: 'x',
  evidence: [],
  suggestionUuids: [],
  findingKey,
  ...(covers && { covers }),
});

describe('aiAdviceOf', () => {
  it('attributes each AI card to one item, folds into the rule card that says the same, and says why the rest was not shown', () => {
    const record = aiAdviceOf(
      trace([
        kept('monitoring:inr'),
        kept('monitoring:inr'),
        kept('interaction:ibuprofen|warfarin'),
        kept('dose:x', 'info'),
        { returned, guard: { outcome: 'unknown-alias' } },
      ]),
      [
        card('c-ai', 'model', 'model:monitoring:inr'),
        card('c-rule', 'rules', 'interaction:ibuprofen', ['interaction:ibuprofen|warfarin']),
      ],
      'warning',
    );
    expect(record.items.map((i) => [i.outcome, i.cardUuid])).toEqual([
      ['shown', 'c-ai'],
      ['not-shown', undefined],
      ['folded', 'c-rule'],
      ['not-shown', undefined],
      ['dropped', undefined],
    ]);
  });

  it('marks every kept item shadow in shadow mode, whatever the cards', () => {
    const record = aiAdviceOf(trace([kept('k')], 'shadow'), [card('c', 'model', 'k')], 'info');
    expect(record.items[0]).toMatchObject({ outcome: 'shadow' });
    expect(record.items[0]!.cardUuid).toBeUndefined();
  });
});
