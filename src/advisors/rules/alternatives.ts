/**
 * A replacement we suggest must not create the problem it solves elsewhere: it must not already be on the chart,
 * must not match an active allergy, and must not interact (warning or worse) with the patient's other
 * medications. An alternative that fails is simply not offered; removing the draft is still offered.
 */
import type { ResolvedMed, RuleContext } from './context.js';
import { SEVERITY_RANK } from '../../findings/severity.js';
import { pairKey } from './knowledge.js';
import { allergyMatch } from './matcher.js';

export function isSafeAlternative(ctx: RuleContext, ingredient: string, replaced: ResolvedMed): boolean {
  const { kb } = ctx;
  const remaining = [...ctx.focus, ...ctx.others].filter((rm) => rm !== replaced);
  if (remaining.some((rm) => rm.ingredients.includes(ingredient))) return false;
  if (ctx.allergens().some(({ allergen }) => allergyMatch(kb, ingredient, allergen))) return false;
  for (const rm of remaining) {
    for (const other of rm.ingredients) {
      const entries = kb.interactionsByPair.get(pairKey(ingredient, other)) ?? [];
      if (entries.some((e) => SEVERITY_RANK[e.severity] >= SEVERITY_RANK.warning)) return false;
    }
  }
  return true;
}
