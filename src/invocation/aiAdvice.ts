/**
 * The model's account of its answer (`ModelTrace`) joined with what the hook call did with each item: the audit
 * record a reviewer reads to tell why an AI card appeared, or what the model would have shown in shadow mode.
 */
import type { ModelItemTrace, ModelTrace } from '../advisors/types.js';
import type { AiAdviceRecord, AiItemRecord, CardRecord } from '../store/types.js';

function outcomeOf(
  item: ModelItemTrace,
  mode: ModelTrace['mode'],
  cards: readonly CardRecord[],
): Pick<AiItemRecord, 'outcome' | 'cardUuid'> {
  const key = item.findingKey;
  if (item.guard.outcome !== 'kept' || key === undefined) return { outcome: 'dropped' };
  if (mode === 'shadow') return { outcome: 'shadow' };
  const own = cards.find(
    (c) => c.advisor === 'model' && (c.findingKey === key || c.findingKey === `model:${key}`),
  );
  if (own) return { outcome: 'shown', cardUuid: own.uuid };
  const folded = cards.find(
    (c) => c.advisor === 'rules' && (c.findingKey === key || c.covers?.includes(key)),
  );
  if (folded) return { outcome: 'folded', cardUuid: folded.uuid };
  return { outcome: 'not-shown' };
}

export function aiAdviceOf(trace: ModelTrace, cards: readonly CardRecord[]): AiAdviceRecord {
  return {
    ...trace,
    items: trace.items.map((item) => ({ ...item, ...outcomeOf(item, trace.mode, cards) })),
  };
}
