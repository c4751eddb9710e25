/**
 * One finding per card: findings with the same key say the same thing. Rule findings win over model findings
 * (deterministic, cited); a model finding that duplicates a rule is folded into the rule's card as a note so
 * the clinician sees one card, and the safety team can still see that the model agreed.
 */
import type { Finding, Severity } from '../advisors/types.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function atLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

function fold(ruleFinding: Finding, modelFinding: Finding): Finding {
  return {
    ...ruleFinding,
    detail: `${ruleFinding.detail}\n\n_The AI advisor (AI-generated) raised the same concern._`,
    evidence: [...new Set([...ruleFinding.evidence, ...modelFinding.evidence])],
  };
}

/** De-duplicates by key, rules first, keeping the first finding of each key in order of severity. */
export function mergeFindings(findings: readonly Finding[], minSeverity: Severity): Finding[] {
  const byKey = new Map<string, Finding>();
  const ordered = [...findings].sort(
    (a, b) =>
      (a.advisor === b.advisor ? 0 : a.advisor === 'rules' ? -1 : 1) || RANK[b.severity] - RANK[a.severity],
  );
  // A rule card that covers narrower keys (one card for a drug's several interactions) answers for them too.
  const coveredBy = new Map<string, string>();
  for (const finding of ordered) {
    if (!atLeast(finding.severity, minSeverity) || finding.evidence.length === 0) continue;
    const key = coveredBy.get(finding.key) ?? finding.key;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, finding);
      if (finding.advisor === 'rules') for (const k of finding.covers ?? []) coveredBy.set(k, key);
    } else if (existing.advisor === 'rules' && finding.advisor === 'model')
      byKey.set(key, fold(existing, finding));
  }
  return [...byKey.values()].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}
