/**
 * Finding identity. A finding's `key` says *what* it is about, independent of wording, so that the same concern
 * raised twice (two med pairs with the same ingredients, or the model advisor agreeing with a rule) becomes one
 * card. Both advisors build keys with `findingKey`:
 *
 *   `<kind>:<part>|<part>…`   parts are normalized names (lower-case words joined by `-`), de-duplicated, sorted
 *
 * | kind          | parts                               | example                                  |
 * | ------------- | ----------------------------------- | ---------------------------------------- |
 * | `interaction` | the two ingredients                 | `interaction:ibuprofen|warfarin`         |
 * | `duplicate`   | the two ingredients (or one, twice) | `duplicate:apixaban|warfarin`, `duplicate:warfarin` |
 * | `allergy`     | the ordered ingredient              | `allergy:amoxicillin`                    |
 * | `condition`   | ingredient and condition id         | `condition:heart-failure|ibuprofen`      |
 * | `renal`       | the ingredient                      | `renal:metformin`                        |
 * | `lab`         | analyte and ingredient              | `lab:potassium|spironolactone`           |
 * | `monitoring`  | analyte and ingredient              | `monitoring:inr|warfarin`                |
 *
 * A drug pair with both an interaction and a duplicate-class concern is one `interaction` finding.
 */
import type { Finding, Severity } from '../types.js';
import { normalizeName } from '../../clinical/text.js';

export type FindingKind =
  | 'interaction'
  | 'duplicate'
  | 'allergy'
  | 'condition'
  | 'renal'
  | 'lab'
  | 'monitoring'
  | 'pregnancy'
  | 'lactation'
  | 'pediatric'
  | 'geriatric'
  | 'dose';

export function keyPart(name: string): string {
  return normalizeName(name).replace(/ /g, '-');
}

export function findingKey(kind: FindingKind, parts: readonly string[]): string {
  const normalized = [...new Set(parts.map(keyPart).filter((p) => p.length > 0))].sort();
  return `${kind}:${normalized.join('|')}`;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

function unionBy<T>(a: readonly T[] | undefined, b: readonly T[] | undefined, id: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const t of [...(a ?? []), ...(b ?? [])]) if (!out.has(id(t))) out.set(id(t), t);
  return [...out.values()];
}

/**
 * One finding per key within a run: the most severe wording wins, and the evidence, suggestions and links of
 * the others are kept (e.g. two active warfarin orders both interacting with one NSAID draft).
 */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const existing = byKey.get(f.key);
    if (!existing) {
      byKey.set(f.key, f);
      continue;
    }
    const [winner, other] =
      SEVERITY_RANK[f.severity] > SEVERITY_RANK[existing.severity] ? [f, existing] : [existing, f];
    const suggestions = unionBy(winner.suggestions, other.suggestions, (s) => s.label);
    byKey.set(f.key, {
      ...winner,
      evidence: [...new Set([...winner.evidence, ...other.evidence])],
      ...(suggestions.length > 0 && { suggestions, selectionBehavior: 'at-most-one' as const }),
      links: unionBy(winner.links, other.links, (l) => l.url),
    });
  }
  return [...byKey.values()];
}

/**
 * Alert-fatigue control across a hookInstance chain: drop findings the clinician already overrode (e.g. on
 * order-select, before the same orders reach order-sign). Pure: the caller looks the keys up in the store.
 */
export function suppressOverridden(
  findings: readonly Finding[],
  overriddenKeys: ReadonlySet<string>,
): Finding[] {
  return overriddenKeys.size === 0 ? [...findings] : findings.filter((f) => !overriddenKeys.has(f.key));
}
