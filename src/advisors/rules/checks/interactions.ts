/**
 * Drug–drug interactions and duplicate therapy, one finding per ingredient pair. When a pair has several
 * concerns (e.g. citalopram + escitalopram: duplicate SSRIs and QT prolongation) the most severe leads and the
 * others are listed in the detail — one card, not three. Lab modifiers (INR or potassium already high) add
 * their lab as evidence and raise the severity floor.
 */
import type { Finding, Severity } from '../../types.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import {
  describeLab,
  describeMed,
  drugName,
  kbText,
  lowerName,
  ruleFinding,
  suggestionsFor,
} from '../cardParts.js';
import { findingKey, maxSeverity, SEVERITY_RANK } from '../keys.js';
import { pairKey, type Alternative } from '../knowledge.js';
import type { InteractionSpec, OrderableLab } from '../knowledgeFiles.js';
import { medicationPairs } from './pairs.js';
import { anyIngredient, type RuleCheck } from '../check.js';

interface Concern {
  readonly ruleId: string;
  readonly kind: 'interaction' | 'duplicate';
  readonly severity: Severity;
  readonly contraindication: boolean;
  readonly effect: string;
  readonly why: string;
  readonly management: string;
  readonly source: string;
  readonly alsoSee?: readonly string[];
  readonly labContext?: readonly string[];
}

/** Nothing when the knowledge base has no entry for the pair (most pairs on a chart): no arrays made for them. */
function concernsFor(
  ctx: RuleContext,
  a: string,
  b: string,
): { concerns: Concern[]; interactions: readonly InteractionSpec[] } | undefined {
  const key = pairKey(a, b);
  const duplicates = ctx.kb.duplicatesByPair.get(key);
  const interactions = ctx.kb.interactionsByPair.get(key) ?? [];
  if (interactions.length === 0 && !duplicates?.length) return undefined;
  const concerns: Concern[] = interactions.map((i) => ({
    ruleId: `interactions/${i.id}`,
    kind: 'interaction',
    severity: i.severity,
    contraindication: i.contraindication === true,
    effect: i.effect,
    why: i.mechanism,
    management: i.management,
    source: i.source,
    alsoSee: i.alsoSee,
    labContext: i.labContext,
  }));
  for (const d of duplicates ?? []) {
    concerns.push({
      ruleId: `duplicates/${d.classId}`,
      kind: 'duplicate',
      severity: d.spec.severity,
      contraindication: d.spec.contraindication === true,
      effect: d.spec.effect,
      why: d.spec.rationale,
      management: d.spec.management,
      source: d.spec.source,
      alsoSee: d.spec.alsoSee,
      labContext: d.spec.labContext,
    });
  }
  // Most severe first; at equal severity interactions lead (they explain a mechanism).
  concerns.sort(
    (x, y) =>
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      (x.kind === y.kind ? 0 : x.kind === 'interaction' ? -1 : 1),
  );
  return { concerns, interactions };
}

function labModifiers(ctx: RuleContext, concerns: readonly Concern[]) {
  const ids = new Set(concerns.flatMap((c) => c.labContext ?? []));
  const hits = [];
  for (const id of ids) {
    const modifier = ctx.kb.modifiers.get(id);
    if (!modifier) continue;
    const lab = ctx.latest(modifier.analyte, modifier.maxAgeDays);
    if (lab?.value !== undefined && lab.value > modifier.above) hits.push({ modifier, lab });
  }
  return hits;
}

function monitoringLabs(
  ctx: RuleContext,
  interactions: readonly InteractionSpec[],
  a: string,
  b: string,
): OrderableLab[] {
  const labs = new Map<string, OrderableLab>();
  for (const i of interactions) {
    if (!i.monitor) continue;
    const when = ctx.kb.monitorWhen.get(i.id);
    if (when && !when.has(a) && !when.has(b)) continue;
    const lab = ctx.kb.orderable.get(i.monitor.lab);
    if (lab) labs.set(lab.id, lab);
  }
  return [...labs.values()];
}

function pairFinding(
  ctx: RuleContext,
  m1: ResolvedMed,
  a: string,
  m2: ResolvedMed,
  b: string,
): Finding | undefined {
  const { kb } = ctx;
  const found = concernsFor(ctx, a, b);
  const primary = found?.concerns[0];
  if (!found || !primary) return undefined;
  const { concerns, interactions } = found;
  const kind = interactions.length > 0 ? 'interaction' : 'duplicate';
  const lead = concerns.find((c) => c.kind === kind) ?? primary;
  let severity = primary.severity;
  const evidence = [m1.med.ref, m2.med.ref];
  const labLines: string[] = [];
  for (const { modifier, lab } of labModifiers(ctx, concerns)) {
    severity = maxSeverity(severity, modifier.raiseTo);
    evidence.push(lab.ref);
    labLines.push(`**Lab:** ${describeLab(lab)}. ${kbText(modifier.note)}`);
  }
  const A = drugName(kb, a);
  const B = lowerName(kb, b);
  const summary =
    kind === 'duplicate'
      ? `Duplicate therapy: ${A} + ${B} (${lead.effect})`
      : lead.contraindication
        ? `Contraindicated: ${A} + ${B} (${lead.effect})`
        : `${A} + ${B}: ${lead.effect}`;
  const others = concerns.filter((c) => c !== lead).map((c) => `- ${kbText(c.effect)}: ${kbText(c.why)}`);
  const alternatives: Alternative[] = interactions.flatMap((i) => kb.alternatives.get(i.id) ?? []);
  const suggestions = suggestionsFor(ctx, {
    meds: [m1, m2],
    alternatives,
    labs: monitoringLabs(ctx, interactions, a, b),
    avoid: new Set([a, b]),
    recommendRemoval: severity === 'critical',
  });
  return ruleFinding(kb, {
    kind,
    entry: lead,
    ruleId: lead.ruleId,
    key: findingKey(kind, [lowerName(kb, a), lowerName(kb, b)]),
    severity,
    summary,
    headline: `**${kbText(A)}** and **${kbText(B)}**: ${kbText(lead.effect)}.`,
    evidenceLines: [describeMed(m1), describeMed(m2)],
    why: lead.why,
    todo: lead.management,
    extra: [...labLines, ...(others.length > 0 ? [`**Also for this pair:**\n${others.join('\n')}`] : [])],
    evidence,
    suggestions,
  });
}

/** Same ingredient in two orders (including inside combination products): one finding per med pair. */
function sameIngredientFinding(
  ctx: RuleContext,
  m1: ResolvedMed,
  m2: ResolvedMed,
  shared: readonly string[],
): Finding {
  const { kb } = ctx;
  const spec = kb.sameIngredient;
  const names = shared.map((i) => lowerName(kb, i));
  const where =
    m2.med.origin === 'active'
      ? m1.med.origin === 'active'
        ? 'two active orders'
        : 'already active'
      : 'also in another draft';
  return ruleFinding(kb, {
    kind: 'duplicate',
    entry: spec,
    ruleId: 'duplicates/same-ingredient',
    key: findingKey('duplicate', names),
    severity: spec.severity,
    summary: `Duplicate therapy: ${drugName(kb, shared[0] as string)}${names.length > 1 ? ' and others' : ''} ${where}`,
    headline: `**${kbText(names.join(', '))}** appears in two orders: ${kbText(spec.effect)}.`,
    evidenceLines: [describeMed(m1), describeMed(m2)],
    why: spec.rationale,
    todo: spec.management,
    evidence: [m1.med.ref, m2.med.ref],
    suggestions: suggestionsFor(ctx, { meds: [m1, m2] }),
  });
}

export function interactionFindings(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const [m1, m2] of medicationPairs(ctx)) {
    const shared = m1.ingredients.filter((i) => m2.ingredients.includes(i));
    if (shared.length > 0) out.push(sameIngredientFinding(ctx, m1, m2, shared));
    for (const a of m1.ingredients) {
      for (const b of m2.ingredients) {
        if (a === b) continue;
        const finding = pairFinding(ctx, m1, a, m2, b);
        if (finding) out.push(finding);
      }
    }
  }
  return out;
}

/** Whether a pair of this medication has a concern whose severity a recent lab can raise (INR, potassium). */
function hasLabContext(ctx: RuleContext, rm: ResolvedMed, ingredient: string): boolean {
  return medicationPairs(ctx).some(([m1, m2]) => {
    const other = m1 === rm ? m2 : m2 === rm ? m1 : undefined;
    return other?.ingredients.some((b) =>
      concernsFor(ctx, ingredient, b)?.concerns.some((c) => (c.labContext?.length ?? 0) > 0),
    );
  });
}

export const interactionCheck: RuleCheck = {
  id: 'interactions',
  label: 'drug interaction and duplicate therapy check',
  needs: [
    // Every ingredient duplicates itself: the check applies to each one against the medication list.
    { data: 'medications', appliesTo: anyIngredient },
    { data: 'labs', label: 'lab values that raise an interaction’s severity', appliesTo: hasLabContext },
  ],
  run: interactionFindings,
};
