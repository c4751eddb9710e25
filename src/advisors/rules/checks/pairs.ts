/**
 * Which medication pairs a hook compares. Every reviewed medication is compared with every other reviewed one
 * (once per pair) and with every medication outside the review; a medication is never compared with itself.
 * Pairs of two non-reviewed medications are not this hook's business (patient-view reviews the whole list).
 */
import type { ResolvedMed, RuleContext } from '../context.js';

/** Several checks and data-gap questions walk the pairs of one run: they are listed once per run. */
const pairsOfRun = new WeakMap<RuleContext, readonly (readonly [ResolvedMed, ResolvedMed])[]>();

export function medicationPairs(ctx: RuleContext): readonly (readonly [ResolvedMed, ResolvedMed])[] {
  const listed = pairsOfRun.get(ctx);
  if (listed) return listed;
  const pairs: [ResolvedMed, ResolvedMed][] = [];
  const { focus, others } = ctx;
  for (let i = 0; i < focus.length; i++) {
    const a = focus[i] as ResolvedMed;
    for (let j = i + 1; j < focus.length; j++) {
      const b = focus[j] as ResolvedMed;
      if (a.med.ref !== b.med.ref) pairs.push([a, b]);
    }
    for (const b of others) if (a.med.ref !== b.med.ref) pairs.push([a, b]);
  }
  pairsOfRun.set(ctx, pairs);
  return pairs;
}
