/**
 * The layout every rule finding shares: what, on which data, why, what to do, source — with the card's source and
 * links from the knowledge base and the override reasons of its kind. Text helpers are in `cardText.ts`,
 * suggestions in `suggestions.ts`.
 */
import type { Coding } from '../../cds/types.js';
import type { FindingLink, FindingSuggestion, Finding } from '../types.js';
import { kbText, summaryOf } from './cardText.js';
import type { FindingKind } from './keys.js';
import type { KnowledgeBase } from './knowledge.js';

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
  pregnancy: [
    reason('not-pregnant', 'Patient is not pregnant'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  lactation: [
    reason('not-breastfeeding', 'Patient is not breastfeeding'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  pediatric: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  geriatric: [
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('patient-tolerates', 'Long-standing, tolerated; reviewed'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  dose: [
    reason('dose-intended', 'Dose intended and reviewed'),
    reason('benefit-outweighs-risk', 'Benefit outweighs risk'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'data-gap': [
    reason('checked-elsewhere', 'Checked by other means'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  trend: [
    reason('known-and-followed', 'Known and being followed'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  aki: [
    reason('known-and-followed', 'Known and being managed'),
    reason('will-monitor', 'Will monitor'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'care-gap': [
    reason('known-and-followed', 'Known; recorded elsewhere'),
    reason('will-monitor', 'Will repeat the test'),
    reason('not-applicable', 'Not applicable to this patient'),
  ],
  'monitoring-overdue': [
    reason('monitored-elsewhere', 'Monitored elsewhere'),
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
  pregnancy: 'Pregnancy',
  lactation: 'Breastfeeding',
  pediatric: 'Children',
  geriatric: 'Older adults',
  dose: 'Dose check',
  'data-gap': 'Check not done: data unavailable',
  trend: 'Lab trend',
  aki: 'Acute kidney injury',
  'care-gap': 'Care gap',
  'monitoring-overdue': 'Monitoring overdue',
};

export function overrideReasons(kind: FindingKind): Coding[] {
  return OVERRIDE_REASONS[kind].map((c) => ({ ...c }));
}

/** Every override reason the rules offer, all kinds together (codes repeat across kinds). */
export function allOverrideReasons(): Coding[] {
  return Object.values(OVERRIDE_REASONS).flatMap((reasons) => reasons.map((c) => ({ ...c })));
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

/**
 * The entry's sources with the label of one of the finding's own drugs first, when the entry cites it: an
 * apixaban card cites the apixaban label, not the warfarin label the entry lists first. `ingredients` come in order
 * of preference (the drug being ordered first), so when the entry cites the labels of both drugs the card leads with
 * the label of the drug it is about: potassium chloride ordered with spironolactone cites the potassium chloride label.
 */
export function preferOwnLabel<T extends { readonly source: string; readonly alsoSee?: readonly string[] }>(
  entry: T,
  ingredients: readonly string[],
): T {
  const all = [entry.source, ...(entry.alsoSee ?? [])];
  const own = ingredients.map((i) => `label-${i}`).find((id) => all.includes(id));
  if (!own || own === entry.source) return entry;
  return { ...entry, source: own, alsoSee: all.filter((id) => id !== own) };
}

export function sourceLine(kb: KnowledgeBase, id: string): string {
  const s = kb.sources.get(id);
  return s ? `Source: ${kbText(s.label)}` : '';
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
