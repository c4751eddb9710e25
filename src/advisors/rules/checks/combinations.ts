/**
 * Three-drug combinations (`interactions.json` combinations): harm that needs all three groups at once — an NSAID
 * with an ACE inhibitor or ARB and a diuretic (acute kidney injury). Fires when a reviewed medication completes the
 * set with two other medications on the chart, each group met by a different medication.
 */
import type { Finding } from '../../../findings/types.js';
import { ruleFinding } from '../cardParts.js';
import { describeMed, drugName, kbText, lowerName } from '../cardText.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { findingKey } from '../../../findings/keys.js';
import { maxSeverity } from '../../../findings/severity.js';
import { modifierHits } from '../labModifiers.js';
import { suggestionsFor } from '../suggestions.js';

/** A medication for each side, all different, at least one reviewed; undefined when the chart cannot complete it. */
function complete(
  sides: readonly ReadonlySet<string>[],
  reviewed: readonly ResolvedMed[],
  all: readonly ResolvedMed[],
): [ResolvedMed, string][] | undefined {
  // One list, extended and shortened as the search goes (it runs on every review): copied only when complete.
  const chosen: [ResolvedMed, string][] = [];
  const pick = (i: number): boolean => {
    if (i === sides.length) return chosen.some(([rm]) => reviewed.includes(rm));
    for (const rm of all) {
      if (chosen.some(([c]) => c === rm)) continue;
      const ingredient = rm.ingredients.find((x) => sides[i]?.has(x));
      if (!ingredient) continue;
      chosen.push([rm, ingredient]);
      if (pick(i + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return pick(0) ? [...chosen] : undefined;
}

export function combinationFindings(ctx: RuleContext): Finding[] {
  const { kb } = ctx;
  const out: Finding[] = [];
  const all = [...ctx.focus, ...ctx.others];
  for (const { spec, sides } of kb.combinations) {
    if (!ctx.focus.some((rm) => rm.ingredients.some((i) => sides.some((s) => s.has(i))))) continue;
    const found = complete(sides, ctx.focus, all);
    if (!found) continue;
    let severity = spec.severity;
    const labLines: string[] = [];
    const labRefs: string[] = [];
    for (const hit of modifierHits(ctx, spec.labContext ?? [])) {
      severity = maxSeverity(severity, hit.modifier.raiseTo);
      labLines.push(hit.line);
      labRefs.push(...hit.evidence.map((l) => l.ref));
    }
    const names = found.map(([, i]) => lowerName(kb, i));
    out.push(
      ruleFinding(kb, {
        kind: 'interaction',
        entry: spec,
        ruleId: `interactions/${spec.id}`,
        key: findingKey('interaction', names),
        severity,
        summary: `${drugName(kb, found[0]?.[1] ?? '')} + ${names.slice(1).join(' + ')}: ${spec.effect}`,
        headline: `**${kbText(names.join(' + '))}**: ${kbText(spec.effect)}.`,
        evidenceLines: found.map(([rm]) => describeMed(rm)),
        why: spec.mechanism,
        todo: spec.management,
        extra: labLines,
        evidence: [...found.map(([rm]) => rm.med.ref), ...labRefs],
        suggestions: suggestionsFor(ctx, {
          meds: found.map(([rm]) => rm),
          holdOrStop: { severity, reason: spec.effect },
        }),
      }),
    );
  }
  return out;
}

/** Whether a combination this medication completes has a lab (eGFR, potassium) that can raise its severity. */
export function combinationHasLabContext(ctx: RuleContext, rm: ResolvedMed, ingredient: string): boolean {
  return ctx.kb.combinations.some(
    ({ spec, sides }) =>
      (spec.labContext?.length ?? 0) > 0 &&
      sides.some((side) => side.has(ingredient)) &&
      complete(sides, [rm], [...ctx.focus, ...ctx.others]) !== undefined,
  );
}
