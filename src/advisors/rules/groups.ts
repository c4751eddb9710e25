/**
 * One card per drug, not one per pair: when one ingredient has interactions with two or more others (amiodarone
 * with warfarin, digoxin and simvastatin; a clarithromycin draft with simvastatin and citalopram), its pair
 * findings become one card keyed by all the ingredients (`interaction:amiodarone|digoxin|simvastatin|warfarin`),
 * at the most severe pair's severity, each pair still described with its own mechanism, advice and source.
 * Ingredients of the reviewed drafts are grouped first, then whichever ingredient has the most pairs.
 */
import type { Finding, FindingLink, FindingSuggestion } from '../../findings/types.js';
import { drugName, lowerName, summaryOf } from './cardText.js';
import type { RuleContext } from './context.js';
import { dedupeFindings, findingKey } from '../../findings/keys.js';
import { SEVERITY_RANK } from '../../findings/severity.js';

export interface PairFinding {
  readonly finding: Finding;
  /** The two ingredients of the pair. */
  readonly ingredients: readonly [string, string];
  /** The two medications (`MedicationRequest/…`) the pair comes from. */
  readonly medRefs: readonly [string, string];
  /** Ingredients of the reviewed medications in the pair: preferred as the card's drug. */
  readonly reviewed: readonly string[];
  readonly effect: string;
  readonly contraindicated: boolean;
}

function unionBy<T>(lists: readonly (readonly T[] | undefined)[], id: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const list of lists) for (const t of list ?? []) if (!out.has(id(t))) out.set(id(t), t);
  return [...out.values()];
}

/** Pair findings with the same key (two warfarin orders with one NSAID) become one, keeping all evidence. */
function uniqueByKey(pairs: readonly PairFinding[]): PairFinding[] {
  const byKey = new Map<string, PairFinding>();
  for (const p of pairs) {
    const existing = byKey.get(p.finding.key);
    if (!existing) {
      byKey.set(p.finding.key, p);
      continue;
    }
    const [merged] = dedupeFindings([existing.finding, p.finding]);
    byKey.set(p.finding.key, {
      ...existing,
      finding: merged as Finding,
      reviewed: [...new Set([...existing.reviewed, ...p.reviewed])],
      contraindicated: existing.contraindicated || p.contraindicated,
    });
  }
  return [...byKey.values()];
}

function groupFinding(ctx: RuleContext, drug: string, members: readonly PairFinding[]): Finding {
  const { kb } = ctx;
  const sorted = [...members].sort(
    (x, y) => SEVERITY_RANK[y.finding.severity] - SEVERITY_RANK[x.finding.severity],
  );
  const lead = sorted[0] as PairFinding;
  const partner = (p: PairFinding): string =>
    p.ingredients[0] === drug ? p.ingredients[1] : p.ingredients[0];
  const name = drugName(kb, drug);
  // Partners by medication: a combination product (sacubitril/valsartan) is one medication, named by its parts.
  const byMed = new Map<string, { names: string[]; contraindicated: boolean }>();
  for (const p of sorted) {
    const ownRef = p.ingredients[0] === drug ? p.medRefs[0] : p.medRefs[1];
    const ref = p.medRefs[0] === ownRef ? p.medRefs[1] : p.medRefs[0];
    const entry = byMed.get(ref) ?? { names: [], contraindicated: false };
    entry.names.push(lowerName(kb, partner(p)));
    entry.contraindicated ||= p.contraindicated;
    byMed.set(ref, entry);
  }
  const partners = [...byMed.values()].map(
    (m) => `${m.names.join('/')}${m.contraindicated ? ' (contraindicated)' : ''}`,
  );
  const summary =
    partners.length === 1
      ? `${name} + ${partners[0] ?? ''}: ${lead.effect}`
      : `${name} interacts with ${partners.length} medications: ${partners.join(', ')}`;
  const sections = sorted.map(
    (p, i) =>
      `**${i + 1}. ${name} + ${lowerName(kb, partner(p))}** (${p.finding.severity}): ${p.finding.summary.replace(/^[^:]*: /, '')}\n\n${p.finding.detail}`,
  );
  const suggestions = unionBy<FindingSuggestion>(
    sorted.map((p) => p.finding.suggestions),
    (s) => s.label,
  );
  return {
    ...lead.finding,
    key: findingKey('interaction', [lowerName(kb, drug), ...sorted.map((p) => lowerName(kb, partner(p)))]),
    covers: sorted.map((p) => p.finding.key),
    severity: lead.finding.severity,
    summary: summaryOf(summary),
    detail: [
      `**${name}** has ${sorted.length} interactions with the patient's medications; each is described below, most serious first.`,
      ...sections,
    ].join('\n\n'),
    evidence: [...new Set(sorted.flatMap((p) => p.finding.evidence))],
    links: unionBy<FindingLink>(
      sorted.map((p) => p.finding.links),
      (l) => l.url,
    ),
    ...(suggestions.length > 0 && { suggestions, selectionBehavior: 'at-most-one' as const }),
  };
}

export function groupByDrug(ctx: RuleContext, pairs: readonly PairFinding[]): Finding[] {
  let remaining = uniqueByKey(pairs);
  const out: Finding[] = [];
  for (;;) {
    const count = new Map<string, number>();
    for (const p of remaining) for (const i of p.ingredients) count.set(i, (count.get(i) ?? 0) + 1);
    const reviewed = new Set(remaining.flatMap((p) => p.reviewed));
    const candidates = [...count].filter(([, n]) => n >= 2);
    if (candidates.length === 0) break;
    candidates.sort(
      ([a, na], [b, nb]) => Number(reviewed.has(b)) - Number(reviewed.has(a)) || nb - na || (a < b ? -1 : 1),
    );
    const drug = (candidates[0] as [string, number])[0];
    const members = remaining.filter((p) => p.ingredients.includes(drug));
    remaining = remaining.filter((p) => !p.ingredients.includes(drug));
    out.push(groupFinding(ctx, drug, members));
  }
  return [...out, ...remaining.map((p) => p.finding)];
}
