/**
 * The parts every rule finding shares: drug and lab descriptions (chart text always escaped with `md`), the
 * source and links from the knowledge base, override reasons, and suggestions that are real FHIR actions —
 * delete the reviewed draft, replace it with a safer alternative, or order a monitoring lab.
 */
import type { MedicationRequest, ServiceRequest } from 'fhir/r4.js';
import type { Coding } from '../../cds/types.js';
import { LOINC, RXNORM, SNOMED, type LabResult } from '../../clinical/types.js';
import { escapeMarkdown, md } from '../../cards/markdown.js';
import { displayUnit } from '../../clinical/units.js';
import type { FindingAction, FindingLink, FindingSuggestion, Finding } from '../types.js';
import type { FindingKind } from './keys.js';
import type { Alternative, KnowledgeBase } from './knowledge.js';
import type { OrderableLab } from './knowledgeFiles.js';
import { isSafeAlternative } from './alternatives.js';
import { isReviewedDraft, type ResolvedMed, type RuleContext } from './context.js';

export const OVERRIDE_REASON_SYSTEM = 'https://cds-advisor.dev/CodeSystem/override-reason';
export const FINDING_KIND_SYSTEM = 'https://cds-advisor.dev/CodeSystem/finding-kind';

const reason = (code: string, display: string): Coding => ({ system: OVERRIDE_REASON_SYSTEM, code, display });

const OVERRIDE_REASONS: Readonly<Record<FindingKind, readonly Coding[]>> = {
  interaction: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('patient-tolerates', 'Patient already tolerates this combination'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  duplicate: [
    reason('intended-transition', 'Intended switch, taper or dose change'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  allergy: [
    reason('patient-tolerates', 'Patient has tolerated this drug before'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Allergy record not applicable'),
  ],
  condition: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  renal: [
    reason('dose-adjusted', 'Dose already adjusted for kidney function'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  lab: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  monitoring: [
    reason('monitored-elsewhere', 'Monitored elsewhere'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'data-gap': [
    reason('checked-elsewhere', 'Checked by other means'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
};

const KIND_DISPLAY: Readonly<Record<FindingKind, string>> = {
  interaction: 'Drug interaction',
  duplicate: 'Duplicate therapy',
  allergy: 'Drug allergy',
  condition: 'Drug-condition',
  renal: 'Renal dosing',
  lab: 'Lab-aware check',
  monitoring: 'Missing monitoring',
  'data-gap': 'Check not done: data unavailable',
};

const escapedKnowledge = new Map<string, string>();

/**
 * Knowledge-base text (mechanisms, advice, labels), escaped once and remembered: the set is small and fixed, and
 * escaping is the costliest step of building a finding. Never pass chart text here — use `md` for that.
 */
export function kbText(text: string): string {
  let escaped = escapedKnowledge.get(text);
  if (escaped === undefined) {
    escaped = escapeMarkdown(text);
    escapedKnowledge.set(text, escaped);
  }
  return escaped;
}

export function overrideReasons(kind: FindingKind): Coding[] {
  return OVERRIDE_REASONS[kind].map((c) => ({ ...c }));
}

/** `warfarin` → `Warfarin` (summaries start with a drug name). */
export function drugName(kb: KnowledgeBase, ingredient: string): string {
  const name = kb.ingredients.get(ingredient)?.name ?? ingredient;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function lowerName(kb: KnowledgeBase, ingredient: string): string {
  return kb.ingredients.get(ingredient)?.name ?? ingredient;
}

/** Card summaries must stay under 140 characters (CDS Hooks §card); ours are built short, this is the backstop. */
export function summaryOf(text: string): string {
  return text.length <= 139 ? text : `${text.slice(0, 138)}…`;
}

/** Shortens chart text for a summary line (plain text: control characters and line breaks become spaces). */
export function clip(text: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * A medication or lab is described in every finding that rests on it, and escaping chart text is the costliest
 * part of a finding: each description is made once per rule run (the objects live as long as the run).
 */
const medDescriptions = new WeakMap<ResolvedMed, string>();
const labDescriptions = new WeakMap<LabResult, string>();

/** "Warfarin Sodium 5 MG Oral Tablet (MedicationRequest/abc, active order)" — chart text escaped. */
export function describeMed(rm: ResolvedMed): string {
  let described = medDescriptions.get(rm);
  if (described === undefined) {
    const origin = rm.med.origin === 'draft' ? 'draft order' : 'active order';
    described = md`${rm.med.concept.text} (${rm.med.ref}, ${origin})`;
    medDescriptions.set(rm, described);
  }
  return described;
}

export function labDate(lab: LabResult): string {
  return lab.effective ? lab.effective.slice(0, 10) : 'unknown date';
}

/** "Potassium 5.9 mmol/L on 2026-11-20 (Observation/k1; reported as 5.9 mEq/L)". */
export function describeLab(lab: LabResult): string {
  let described = labDescriptions.get(lab);
  if (described === undefined) {
    described = labDescription(lab);
    labDescriptions.set(lab, described);
  }
  return described;
}

function labDescription(lab: LabResult): string {
  const reported =
    lab.originalUnit !== undefined && lab.originalUnit !== lab.unit
      ? md`; reported as ${lab.originalValue} ${lab.originalUnit}`
      : '';
  const unit = displayUnit(lab.unit);
  return (
    md`${lab.concept.text} ${lab.comparator ?? ''}${lab.value}${unit ? ` ${unit}` : ''} on ${labDate(lab)} (${lab.ref}` +
    reported +
    ')'
  );
}

export interface SourceParts {
  readonly source: Finding['source'];
  readonly links: FindingLink[];
}

/** The card's topic: the kind of finding, in our own code system. */
export function kindTopic(kind: FindingKind): Coding {
  return { system: FINDING_KIND_SYSTEM, code: kind, display: KIND_DISPLAY[kind] };
}

export function sourceParts(
  kb: KnowledgeBase,
  kind: FindingKind,
  entry: { readonly source: string; readonly alsoSee?: readonly string[] },
): SourceParts {
  const primary = kb.sources.get(entry.source);
  const links = [entry.source, ...(entry.alsoSee ?? [])]
    .map((id) => kb.sources.get(id))
    .filter((s) => s !== undefined)
    .map((s) => ({ label: s.label, url: s.url }));
  return {
    source: {
      label: 'CDS Advisor clinical rules',
      ...(primary && { url: primary.url }),
      topic: kindTopic(kind),
    },
    links,
  };
}

export function sourceLine(kb: KnowledgeBase, id: string): string {
  const s = kb.sources.get(id);
  return s ? `Source: ${kbText(s.label)}` : '';
}

function deleteDraft(rm: ResolvedMed, name: string): FindingAction {
  return { type: 'delete', description: `Remove the draft order for ${name}`, resourceId: rm.med.ref };
}

function replacementOrder(
  kb: KnowledgeBase,
  ctx: RuleContext,
  ingredient: string,
  replaced: string,
): FindingAction {
  const ing = kb.ingredients.get(ingredient);
  const name = ing?.name ?? ingredient;
  const code = ing?.rxcui[0];
  const resource: MedicationRequest = {
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: ctx.patient.patient.ref },
    medicationCodeableConcept: {
      ...(code && { coding: [{ system: RXNORM, code, display: name }] }),
      text: name,
    },
    note: [{ text: `Proposed by CDS Advisor in place of ${replaced}. Choose dose, route and frequency.` }],
  };
  return { type: 'create', description: `Draft an order for ${name} instead of ${replaced}`, resource };
}

function labOrder(ctx: RuleContext, lab: OrderableLab): FindingAction {
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'order',
    category: [{ coding: [{ system: SNOMED, code: '108252007', display: 'Laboratory procedure' }] }],
    code: { coding: [{ system: LOINC, code: lab.loinc, display: lab.display }], text: lab.display },
    subject: { reference: ctx.patient.patient.ref },
  };
  return { type: 'create', description: `Order ${lab.display} (LOINC ${lab.loinc})`, resource };
}

export interface SuggestionPlan {
  /** The meds this finding is about; only reviewed drafts among them get remove/replace suggestions. */
  readonly meds: readonly ResolvedMed[];
  readonly alternatives?: readonly Alternative[];
  readonly labs?: readonly OrderableLab[];
  /** Ingredients the replacement must not be (the other drug of the pair, the allergen…). */
  readonly avoid?: ReadonlySet<string>;
  readonly recommendRemoval?: boolean;
}

/** Remove or replace each reviewed draft, and order monitoring labs; replacements come first (most useful). */
export function suggestionsFor(ctx: RuleContext, plan: SuggestionPlan): FindingSuggestion[] {
  const { kb } = ctx;
  const out: FindingSuggestion[] = [];
  for (const rm of plan.meds) {
    if (!isReviewedDraft(ctx, rm)) continue;
    const name = rm.ingredients.map((i) => lowerName(kb, i)).join('/') || clip(rm.med.concept.text, 60);
    for (const alt of plan.alternatives ?? []) {
      if (!rm.ingredients.some((i) => alt.replaces.has(i)) || plan.avoid?.has(alt.with)) continue;
      if (!isSafeAlternative(ctx, alt.with, rm)) continue;
      out.push({
        label: `Replace ${name} with ${lowerName(kb, alt.with)}`,
        actions: [deleteDraft(rm, name), replacementOrder(kb, ctx, alt.with, name)],
      });
    }
    out.push({
      label: `Remove the draft order for ${name}`,
      ...(plan.recommendRemoval && { isRecommended: true }),
      actions: [deleteDraft(rm, name)],
    });
  }
  for (const lab of plan.labs ?? []) {
    out.push({ label: `Order ${lab.display}`, actions: [labOrder(ctx, lab)] });
  }
  return out;
}

export interface FindingParts {
  readonly kind: FindingKind;
  /** The knowledge entry that fired: its source and further reading become the card's source and links. */
  readonly entry: { readonly source: string; readonly alsoSee?: readonly string[] };
  readonly ruleId: string;
  readonly key: string;
  readonly severity: Finding['severity'];
  readonly summary: string;
  /** Opening sentence, already safe markdown (chart text through `md`, knowledge text through `kbText`). */
  readonly headline: string;
  /** One line per resource the finding rests on, already safe markdown. */
  readonly evidenceLines: readonly string[];
  readonly why?: string;
  readonly todo?: string;
  /** Further paragraphs, already safe markdown (lab notes, other concerns for the same pair). */
  readonly extra?: readonly string[];
  readonly evidence: readonly string[];
  readonly suggestions: readonly FindingSuggestion[];
}

/** One finding, laid out the same way for every rule: what, on which data, why, what to do, source. */
export function ruleFinding(kb: KnowledgeBase, p: FindingParts): Finding {
  const { source, links } = sourceParts(kb, p.kind, p.entry);
  const detail = [
    p.headline,
    p.evidenceLines.map((line) => `- ${line}`).join('\n'),
    ...(p.why ? [`**Why:** ${kbText(p.why)}`] : []),
    ...(p.todo ? [`**What to do:** ${kbText(p.todo)}`] : []),
    ...(p.extra ?? []),
    sourceLine(kb, p.entry.source),
  ]
    .filter((part) => part.length > 0)
    .join('\n\n');
  return {
    advisor: 'rules',
    ruleId: p.ruleId,
    key: p.key,
    severity: p.severity,
    summary: summaryOf(p.summary),
    detail,
    evidence: [...new Set(p.evidence)],
    source,
    links,
    overrideReasons: overrideReasons(p.kind),
    ...(p.suggestions.length > 0 && {
      suggestions: [...p.suggestions],
      selectionBehavior: 'at-most-one' as const,
    }),
  };
}
