/**
 * Finds known names inside free text by whole words: "Warfarin Sodium 5 MG Oral Tablet" contains `warfarin`;
 * "losartan potassium" does not contain `potassium chloride`. Indexed by first word so a scan is one map
 * lookup per word of the text. Overlapping names all match ("tylenol with codeine" → acetaminophen and codeine).
 * A name the text negates never matches: followed by "free" ("Excedrin Aspirin Free", "aspirin-free") or preceded
 * by "non" or "no" ("Non-Aspirin Pain Reliever").
 */
import { nameTokens } from '../../clinical/text.js';

interface Entry {
  readonly tokens: readonly string[];
  readonly value: string;
}

const NEGATING = new Set(['non', 'no']);

/** Chart texts repeat across requests ("Metformin 500 MG Oral Tablet"): remember what each one contained. */
const CACHE_LIMIT = 20_000;

export class NameIndex {
  private readonly byFirst = new Map<string, Entry[]>();
  private readonly cache = new Map<string, readonly string[]>();

  add(name: string, value: string): void {
    const tokens = nameTokens(name);
    const first = tokens[0];
    if (!first) return;
    const list = this.byFirst.get(first) ?? [];
    if (!list.some((e) => e.value === value && e.tokens.join(' ') === tokens.join(' ')))
      list.push({ tokens, value });
    this.byFirst.set(first, list);
    this.cache.clear();
  }

  /** Values of every name found in `text`, in order of first appearance, without repeats. */
  scan(text: string, into: Set<string> = new Set()): Set<string> {
    let found = this.cache.get(text);
    if (!found) {
      found = this.find(text);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(text, found);
    }
    for (const value of found) into.add(value);
    return into;
  }

  private find(text: string): string[] {
    const into = new Set<string>();
    const tokens = nameTokens(text);
    for (let i = 0; i < tokens.length; i++) {
      const candidates = this.byFirst.get(tokens[i] as string);
      if (!candidates) continue;
      for (const entry of candidates) {
        if (!entry.tokens.every((t, k) => tokens[i + k] === t)) continue;
        if (tokens[i + entry.tokens.length] === 'free' || NEGATING.has(tokens[i - 1] as string)) continue;
        into.add(entry.value);
      }
    }
    return [...into];
  }
}
