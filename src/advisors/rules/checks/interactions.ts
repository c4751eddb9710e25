/**
 * Drug–drug interactions and duplicate therapy. Each ingredient pair gives at most one concern-set: when a pair has
 * several concerns (citalopram + escitalopram: duplicate SSRIs and QT prolongation) the most severe leads and the
 * others are listed in the detail. Lab modifiers (INR or potassium already high, eGFR low) add their lab as
 * evidence and raise the severity floor; a pair that is guideline therapy for a condition on the problem list
 * (ACE inhibitor with spironolactone in heart failure) starts lower. Then one drug interacting with several
 * others becomes one card for that drug (`groups.ts`), not one card per pair.
 *
 * A patient-reported medication (MedicationStatement) is not a second order: it never makes a same-drug
 * duplicate, and a same-class duplicate with it is information only.
 */
import type { Finding, Severity } from '../../../findings/types.js';
import { preferOwnLabel, ruleFinding } from '../cardParts.js';
import { describeMed, drugName, kbText, lowerName } from '../cardText.js';
import type { ResolvedMed, RuleContext } from '../context.js';
import { groupByDrug, type PairFinding } from '../groups.js';
import { dedupeFindings, findingKey } from '../../../findings/keys.js';
import { maxSeverity, SEVERITY_RANK } from '../../../findings/severity.js';
import { type Alternative, type KnowledgeBase, pairKey } from '../knowledge.js';
import type { InteractionSpec, OrderableLab } from '../knowledgeFiles.js';
import { modifierHits } from '../labModifiers.js';
import { suggestionsFor } from '../suggestions.js';
import { combinationFindings, combinationHasLabContext } from './combinations.js';
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
  readonly guidelineTherapy?: InteractionSpec['guidelineTherapy'];
  readonly raiseWhen?: InteractionSpec['raiseWhen'];
}

interface PairConcerns {
  /** Most severe first; at equal severity interactions lead (they explain a mechanism). */
  readonly concerns: readonly Concern[];
  readonly interactions: readonly InteractionSpec[];
}

/**
 * The concerns of an ingredient pair depend on the knowledge base alone, so each is built once and remembered (at
 * most one entry per pair the knowledge base lists): a review only looks them up.
 */
const concernsByKb = new WeakMap<KnowledgeBase, Map<string, PairConcerns>>();

function buildConcerns(kb: KnowledgeBase, key: string): PairConcerns | undefined {
  const duplicates = kb.duplicatesByPair.get(key);
  const interactions = kb.interactionsByPair.get(key) ?? [];
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
    guidelineTherapy: i.guidelineTherapy,
    raiseWhen: i.raiseWhen,
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
  concerns.sort(
    (x, y) =>
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      (x.kind === y.kind ? 0 : x.kind === 'interaction' ? -1 : 1),
  );
  return { concerns, interactions };
}

/** Nothing when the knowledge base has no entry for the pair (most pairs on a chart). */
function concernsFor(ctx: RuleContext, a: string, b: string): PairConcerns | undefined {
  const key = pairKey(a, b);
  let known = concernsByKb.get(ctx.kb);
  if (!known) {
    known = new Map();
    concernsByKb.set(ctx.kb, known);
  }
  const cached = known.get(key);
  if (cached) return cached;
  const built = buildConcerns(ctx.kb, key);
  if (built) known.set(key, built);
  return built;
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

/** The patient risk factors that raise a concern (`raiseWhen`): the Patient or the problems that show them. */
function riskFactors(ctx: RuleContext, concern: Concern): readonly string[] {
  const when = concern.raiseWhen;
  if (!when) return [];
  const age = ctx.patient.patient.ageYears;
  const refs = (when.conditions ?? []).flatMap((id) => ctx.problemsWith(id).map((p) => p.ref));
  if (when.minAge !== undefined && age !== undefined && age >= when.minAge)
    refs.unshift(ctx.patient.patient.ref);
  return refs;
}

/** The lead concern's starting severity: lower when the pair is guideline therapy for a charted condition. */
function startingSeverity(ctx: RuleContext, lead: Concern): { severity: Severity; note?: string } {
  const guideline = lead.guidelineTherapy;
  if (!guideline || ctx.problemsWith(guideline.condition).length === 0) return { severity: lead.severity };
  return { severity: guideline.severity, note: guideline.note };
}

function pairFinding(
  ctx: RuleContext,
  m1: ResolvedMed,
  a: string,
  m2: ResolvedMed,
  b: string,
): PairFinding | undefined {
  const { kb } = ctx;
  const found = concernsFor(ctx, a, b);
  const primary = found?.concerns[0];
  if (!found || !primary) return undefined;
  const { concerns, interactions } = found;
  const kind = interactions.length > 0 ? 'interaction' : 'duplicate';
  const lead = concerns.find((c) => c.kind === kind) ?? primary;
  const reportedDuplicate = kind === 'duplicate' && (m1.reported || m2.reported);
  const start = startingSeverity(ctx, lead);
  let severity: Severity = lead === primary ? start.severity : maxSeverity(start.severity, primary.severity);
  if (reportedDuplicate) severity = 'info';
  const evidence = [m1.med.ref, m2.med.ref];
  const risks = riskFactors(ctx, lead);
  if (risks.length > 0 && lead.raiseWhen) {
    severity = maxSeverity(severity, lead.raiseWhen.severity);
    evidence.push(...risks);
  }
  const labLines: string[] = [];
  for (const hit of modifierHits(
    ctx,
    concerns.flatMap((c) => c.labContext ?? []),
  )) {
    severity = maxSeverity(severity, hit.modifier.raiseTo);
    evidence.push(...hit.evidence.map((l) => l.ref));
    labLines.push(hit.line);
  }
  const A = drugName(kb, a);
  const B = lowerName(kb, b);
  const contraindicated = lead.contraindication || severity === 'critical';
  const summary =
    kind === 'duplicate'
      ? `Duplicate therapy: ${A} + ${B} (${lead.effect})`
      : contraindicated
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
    holdOrStop: { severity, reason: `${A} with ${B}: ${lead.effect}` },
  });
  const finding = ruleFinding(kb, {
    kind,
    entry: preferOwnLabel(lead, orderedFirst(m1, a, m2, b)),
    ruleId: lead.ruleId,
    key: findingKey(kind, [lowerName(kb, a), lowerName(kb, b)]),
    severity,
    summary,
    headline: `**${kbText(A)}** and **${kbText(B)}**: ${kbText(lead.effect)}.`,
    evidenceLines: [describeMed(m1), describeMed(m2)],
    why: lead.why,
    todo: lead.management,
    extra: [
      ...(start.note ? [`**Guideline therapy:** ${kbText(start.note)}`] : []),
      ...(risks.length > 0 && lead.raiseWhen ? [`**Risk factor:** ${kbText(lead.raiseWhen.note)}`] : []),
      ...(reportedDuplicate
        ? ['**Reported, not ordered:** one of these is a medication the patient reports taking.']
        : []),
      ...labLines,
      ...(others.length > 0 ? [`**Also for this pair:**\n${others.join('\n')}`] : []),
    ],
    evidence,
    suggestions,
  });
  return {
    finding,
    ingredients: [a, b],
    medRefs: [m1.med.ref, m2.med.ref],
    reviewed: [m1, m2].filter((m) => ctx.focus.includes(m)).flatMap((m) => m.ingredients),
    effect: lead.effect,
    contraindicated,
  };
}

/** Same ingredient in two orders (including inside combination products): one finding per med pair. */
function sameIngredientFinding(
  ctx: RuleContext,
  m1: ResolvedMed,
  m2: ResolvedMed,
  shared: readonly string[],
  severity?: Severity,
): Finding {
  const { kb } = ctx;
  const spec = kb.sameIngredient;
  const names = shared.map((i) => lowerName(kb, i));
  const where =
    m1.reported || m2.reported
      ? 'already taken (reported by the patient)'
      : m2.med.origin === 'active'
        ? m1.med.origin === 'active'
          ? 'two active orders'
          : 'already active'
        : 'also in another draft';
  return ruleFinding(kb, {
    kind: 'duplicate',
    entry: spec,
    ruleId: 'duplicates/same-ingredient',
    key: findingKey('duplicate', names),
    severity: severity ?? spec.severity,
    summary: `Duplicate therapy: ${drugName(kb, shared[0] as string)}${names.length > 1 ? ' and others' : ''} ${where}`,
    headline: `**${kbText(names.join(', '))}** appears in two orders: ${kbText(spec.effect)}.`,
    evidenceLines: [describeMed(m1), describeMed(m2)],
    why: spec.rationale,
    todo: spec.management,
    evidence: [m1.med.ref, m2.med.ref],
    suggestions: suggestionsFor(ctx, { meds: [m1, m2] }),
  });
}

/** The pair's ingredients with the one being ordered first: the card is about the new order. */
function orderedFirst(m1: ResolvedMed, a: string, m2: ResolvedMed, b: string): readonly string[] {
  return m2.med.origin === 'draft' && m1.med.origin !== 'draft' ? [b, a] : [a, b];
}

export function interactionFindings(ctx: RuleContext): Finding[] {
  const duplicates: Finding[] = [];
  const pairs: PairFinding[] = [];
  for (const [m1, m2] of medicationPairs(ctx)) {
    const shared = m1.ingredients.filter((i) => m2.ingredients.includes(i));
    // A reported medication and an active order of the same drug are one therapy recorded twice; a new order of a
    // drug the patient reports taking is worth a note (a double dose if both are taken), not an alarm.
    const reportedPair = m1.reported || m2.reported;
    const bothTaken = m1.med.origin === 'active' && m2.med.origin === 'active';
    if (shared.length > 0 && !(reportedPair && bothTaken))
      duplicates.push(sameIngredientFinding(ctx, m1, m2, shared, reportedPair ? 'info' : undefined));
    for (const a of m1.ingredients) {
      for (const b of m2.ingredients) {
        if (a === b) continue;
        const found = pairFinding(ctx, m1, a, m2, b);
        if (!found) continue;
        if (found.finding.key.startsWith('duplicate:')) duplicates.push(found.finding);
        else pairs.push(found);
      }
    }
  }
  return [...dedupeFindings(duplicates), ...groupByDrug(ctx, pairs)];
}

/** Whether a pair of this medication has a concern that `matters` (whose severity a lab or a problem can raise). */
function anyPairConcern(
  ctx: RuleContext,
  rm: ResolvedMed,
  ingredient: string,
  matters: (concern: Concern) => boolean,
): boolean {
  return medicationPairs(ctx).some(([m1, m2]) => {
    const other = m1 === rm ? m2 : m2 === rm ? m1 : undefined;
    return other?.ingredients.some((b) => concernsFor(ctx, ingredient, b)?.concerns.some(matters));
  });
}

/** Whether a recent lab can raise the severity of a pair or a three-drug combination of this medication. */
function hasLabContext(ctx: RuleContext, rm: ResolvedMed, ingredient: string): boolean {
  return (
    anyPairConcern(ctx, rm, ingredient, (c) => (c.labContext?.length ?? 0) > 0) ||
    combinationHasLabContext(ctx, rm, ingredient)
  );
}

/** Whether a problem on the list (COPD with a gabapentinoid and an opioid) can raise a pair's severity. */
function hasConditionRisk(ctx: RuleContext, rm: ResolvedMed, ingredient: string): boolean {
  return anyPairConcern(ctx, rm, ingredient, (c) => (c.raiseWhen?.conditions?.length ?? 0) > 0);
}

export const interactionCheck: RuleCheck = {
  id: 'interactions',
  label: 'drug interaction and duplicate therapy check',
  needs: [
    // Every ingredient duplicates itself: the check applies to each one against the medication list.
    { data: 'medications', appliesTo: anyIngredient },
    { data: 'labs', label: 'lab values that raise an interaction’s severity', appliesTo: hasLabContext },
    {
      data: 'conditions',
      label: 'problems that raise an interaction’s severity',
      appliesTo: hasConditionRisk,
    },
  ],
  // Pairs, and the three-drug combinations (NSAID + ACE inhibitor or ARB + diuretic) of the same file.
  run: (ctx) => [...interactionFindings(ctx), ...combinationFindings(ctx)],
};
