/**
 * The model's account of its answer (`ModelTrace`) joined with what the hook call did with each item: the audit
 * record a reviewer reads to tell why an AI card appeared, or what the model would have shown in shadow mode.
 */
import type { ModelItemTrace, ModelTrace } from '../advisors/types.js';
import type { Severity } from '../findings/types.js';
import { atLeast } from '../findings/severity.js';
import type { AiAdviceRecord, AiItemRecord, CardRecord } from '../store/types.js';

/** `claimed`: AI cards already attributed; one AI card comes from one item (the merge keeps one per key). */
function outcomeOf(
  item: ModelItemTrace,
  mode: ModelTrace['mode'],
  cards: readonly CardRecord[],
  claimed: Set<string>,
  minSeverity: Severity,
): Pick<AiItemRecord, 'outcome' | 'cardUuid'> {
  const key = item.findingKey;
  if (item.guard.outcome !== 'kept' || key === undefined) return { outcome: 'dropped' };
  if (mode === 'shadow') return { outcome: 'shadow' };
  if (!atLeast(item.guard.severity, minSeverity)) return { outcome: 'not-shown' };
  const own = cards.find(
    (c) =>
      c.advisor === 'model' &&
      !claimed.has(c.uuid) &&
      (c.findingKey === key || c.findingKey === `model:${key}`),
  );
  if (own) {
    claimed.add(own.uuid);
    return { outcome: 'shown', cardUuid: own.uuid };
  }
  // Several model items may fold into one rule card: each adds its quote.
  const folded = cards.find(
    (c) => c.advisor === 'rules' && (c.findingKey === key || c.covers?.includes(key)),
  );
  if (folded) return { outcome: 'folded', cardUuid: folded.uuid };
  return { outcome: 'not-shown' };
}

/** `minSeverity`: the service's; an item below it never reaches a card. */
export function aiAdviceOf(
  trace: ModelTrace,
  cards: readonly CardRecord[],
  minSeverity: Severity,
): AiAdviceRecord {
  const claimed = new Set<string>();
  return {
    ...trace,
    items: trace.items.map((item) => ({
      ...item,
      ...outcomeOf(item, trace.mode, cards, claimed, minSeverity),
    })),
  };
}
