/**
 * The layout every rule finding shares: what, on which data, why, what to do, source — with the card's source and
 * links from the knowledge base and the override reasons of its kind (`findingKinds.ts`). Text helpers are in
 * `cardText.ts`, suggestions in `suggestions.ts`.
 */
import type { FindingLink, FindingSuggestion, Finding } from '../../findings/types.js';
import { kbText, summaryOf } from './cardText.js';
import type { FindingKind } from '../../findings/keys.js';
import { kindTopic, overrideReasons } from './findingKinds.js';
import type { KnowledgeBase } from './knowledge.js';

export interface SourceParts {
  readonly source: Finding['source'];
  readonly links: FindingLink[];
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
