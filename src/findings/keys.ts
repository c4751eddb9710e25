/**
 * Finding identity. A finding's `key` says *what* it is about, independent of wording, so that the same concern
 * raised twice (two med pairs with the same ingredients, or the model advisor agreeing with a rule) becomes one
 * card. Both advisors build keys with `findingKey`:
 *
 *   `<kind>:<part>|<part>…`   parts are normalized names (lower-case words joined by `-`), de-duplicated, sorted
 *
 * | kind          | parts                               | example                                  |
 * | ------------- | ----------------------------------- | ---------------------------------------- |
 * | `interaction` | the two ingredients; a drug's group: all of them | `interaction:ibuprofen|warfarin`  |
 * | `duplicate`   | the two ingredients (or one, twice) | `duplicate:apixaban|warfarin`, `duplicate:warfarin` |
 * | `allergy`     | the ordered ingredient              | `allergy:amoxicillin`                    |
 * | `condition`   | ingredient and condition id         | `condition:heart-failure|ibuprofen`      |
 * | `renal`       | the ingredient                      | `renal:metformin`                        |
 * | `lab`         | analyte and ingredient              | `lab:potassium|spironolactone`           |
 * | `monitoring`  | analyte and ingredient              | `monitoring:inr|warfarin`                |
 * | `pregnancy`, `lactation`, `pediatric`, `geriatric` | the ingredient | `pregnancy:isotretinoin`     |
 * | `dose`        | the ingredient (and `weekly`, `reduction`) | `dose:methotrexate|weekly`        |
 * | `data-gap`    | check and ingredient, per gap       | `data-gap:renal-metformin`               |
 * | `trend`       | the trend, and the ingredient it matters for, **in that order** | `trend:egfr-decline`, `trend:potassium-rise|lisinopril` |
 * | `aki`         | `creatinine-rise`                   | `aki:creatinine-rise`                    |
 * | `care-gap`    | the gap                             | `care-gap:undiagnosed-diabetes`          |
 * | `monitoring-overdue` | analyte, then ingredient or condition id, **in that order** | `monitoring-overdue:hba1c|diabetes` |
 *
 * A drug pair with both an interaction and a duplicate-class concern is one `interaction` finding. One drug with
 * several interactions is one card keyed by all their ingredients; it lists the pair keys it speaks for in
 * `Finding.covers` (`groups.ts`).
 */
import { SEVERITY_RANK } from './severity.js';
import type { Finding } from './types.js';
import { normalizeName } from '../clinical/text.js';

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
  | 'dose'
  | 'data-gap'
  | 'trend'
  | 'aki'
  | 'care-gap'
  | 'monitoring-overdue';

/**
 * Key parts are nearly always names from our own tables (ingredients, conditions, analytes), asked for on every
 * review: each is normalized once. The bound keeps other text (a model's names) from growing the map for ever.
 */
const KEY_PART_MEMO_LIMIT = 10_000;
const keyParts = new Map<string, string>();

export function keyPart(name: string): string {
  let part = keyParts.get(name);
  if (part === undefined) {
    part = normalizeName(name).replace(/ /g, '-');
    if (keyParts.size < KEY_PART_MEMO_LIMIT) keyParts.set(name, part);
  }
  return part;
}

export function findingKey(kind: FindingKind, parts: readonly string[]): string {
  const normalized: string[] = [];
  for (const name of parts) {
    const part = keyPart(name);
    if (part.length > 0 && !normalized.includes(part)) normalized.push(part);
  }
  return `${kind}:${normalized.sort().join('|')}`;
}

/**
 * A key whose parts keep their order (`trend:potassium-rise|lisinopril`): the longitudinal kinds name what changed
 * first and what it matters for second, a format agreed with the model advisor's keys.
 */
export function orderedFindingKey(
  kind: 'trend' | 'aki' | 'care-gap' | 'monitoring-overdue',
  parts: readonly string[],
): string {
  return `${kind}:${parts
    .map(keyPart)
    .filter((p) => p.length > 0)
    .join('|')}`;
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
    const covers = [...new Set([...(winner.covers ?? []), ...(other.covers ?? [])])];
    byKey.set(f.key, {
      ...winner,
      evidence: [...new Set([...winner.evidence, ...other.evidence])],
      ...(covers.length > 0 && { covers }),
      ...(suggestions.length > 0 && { suggestions, selectionBehavior: 'at-most-one' as const }),
      links: unionBy(winner.links, other.links, (l) => l.url),
    });
  }
  return [...byKey.values()];
}
