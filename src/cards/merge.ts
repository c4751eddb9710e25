/**
 * One finding per card: findings with the same key say the same thing. Rule findings win over model findings
 * (deterministic, cited). A model finding folds into the rule finding with its key only when it rests on nothing
 * the rule finding does not: same key (so the same kind of concern about the same drugs, `src/advisors/model/
 * keys.ts`) and every resource it cites among the rule finding's evidence. The fold quotes the model's own
 * summary, labelled AI-generated, so the card never claims an agreement the model did not write. Any other
 * model finding with a rule's key is its own card, keyed apart (`model:` + the key) so that overriding one card
 * never silences the other.
 */
import type { Finding, Severity } from '../advisors/types.js';
import { md } from './markdown.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function atLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

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
      (a.advisor === b.advisor ? 0 : a.advisor === 'rules' ? -1 : 1) || RANK[b.severity] - RANK[a.severity],
  );
  for (const finding of ordered) {
    if (!atLeast(finding.severity, minSeverity) || finding.evidence.length === 0) continue;
    const existing = byKey.get(finding.key);
    if (!existing) byKey.set(finding.key, finding);
    else if (existing.advisor === 'rules' && finding.advisor === 'model') {
      if (restsWithin(finding, existing)) byKey.set(finding.key, fold(existing, finding));
      else {
        const own = `model:${finding.key}`;
        if (!byKey.has(own)) byKey.set(own, { ...finding, key: own });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}
