/**
 * One finding per card: findings with the same key say the same thing. Rule findings win over model findings
 * (deterministic, cited). A model finding folds into the rule finding with its key, or into the rule finding that
 * covers its key (one card for a drug's several interactions speaks for each pair: `Finding.covers`), only when it
 * rests on nothing that rule finding does not: the same key (so the same kind of concern about the same drugs,
 * `src/advisors/model/keys.ts`) and every resource it cites among the rule finding's evidence. The fold quotes the
 * model's own summary, labelled AI-generated, so the card never claims an agreement the model did not write. Any
 * other model finding with a rule's key is its own card, keyed apart (`model:` + the key) so that overriding one
 * card never silences the other.
 */
import type { Finding, Severity } from './types.js';
import { md } from './markdown.js';
import { atLeast, SEVERITY_RANK } from './severity.js';

/** Whether the model finding cites only what the rule finding rests on. */
function restsWithin(modelFinding: Finding, ruleFinding: Finding): boolean {
  const evidence = new Set(ruleFinding.evidence);
  return modelFinding.evidence.every((ref) => evidence.has(ref));
}

function fold(ruleFinding: Finding, modelFinding: Finding): Finding {
  // The summary passed the model guards (no links, no escalation, clamped); escaped here like any chart text.
  const quote = md`**AI advisor (AI-generated), citing the same items:** “${modelFinding.summary}”`;
  return { ...ruleFinding, detail: `${ruleFinding.detail}\n\n${quote}` };
}

/** De-duplicates by key, rules first, keeping the first finding of each key in order of severity. */
export function mergeFindings(findings: readonly Finding[], minSeverity: Severity): Finding[] {
  const byKey = new Map<string, Finding>();
  const ordered = [...findings].sort(
    (a, b) =>
      (a.advisor === b.advisor ? 0 : a.advisor === 'rules' ? -1 : 1) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
  );
  // A rule card that covers narrower keys (one card for a drug's several interactions) answers for them too.
  const coveredBy = new Map<string, string>();
  for (const finding of ordered) {
    if (!atLeast(finding.severity, minSeverity) || finding.evidence.length === 0) continue;
    // A model finding about a pair a rule card covers is judged against that card; a rule finding keeps its key.
    const key = (finding.advisor === 'model' && coveredBy.get(finding.key)) || finding.key;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, finding);
      if (finding.advisor === 'rules')
        for (const k of finding.covers ?? []) if (!coveredBy.has(k)) coveredBy.set(k, key);
    } else if (existing.advisor === 'rules' && finding.advisor === 'model') {
      if (restsWithin(finding, existing)) byKey.set(key, fold(existing, finding));
      else {
        const own = `model:${finding.key}`;
        if (!byKey.has(own)) byKey.set(own, { ...finding, key: own });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}
