/**
 * One rule run: resolve the review once, run every check, de-duplicate by key. Pure and synchronous — the
 * advisor wrapper in `index.ts` adds timing and the Advisor contract.
 *
 * Per hook (through `review.focus`, chosen by the hook module): order-select reviews the selected drafts,
 * order-sign every draft, patient-view the active medication list; missing-monitoring checks run on
 * patient-view only (an order is not the moment to nag about a lab).
 */
import type { Finding } from '../types.js';
import { allergyFindings } from './checks/allergies.js';
import { combinationFindings } from './checks/combinations.js';
import { conditionFindings } from './checks/conditions.js';
import { doseFindings } from './checks/dose.js';
import { interactionFindings } from './checks/interactions.js';
import { labFindings } from './checks/labs.js';
import { monitoringFindings } from './checks/monitoring.js';
import { geriatricFindings, pediatricFindings, pregnancyFindings } from './checks/populations.js';
import { renalFindings } from './checks/renal.js';
import { buildContext, type RuleOptions } from './context.js';
import { dedupeFindings, SEVERITY_RANK } from './keys.js';
import type { KnowledgeBase } from './knowledge.js';
import type { Review } from '../types.js';

/**
 * A lab card (potassium 5.3 with spironolactone) whose concern an interaction card already shows — the same drug,
 * the same result, at least the same severity — is folded into that card: one card about the potassium, not three.
 */
function foldLabsIntoInteractions(findings: readonly Finding[]): Finding[] {
  const out = [...findings];
  for (const lab of findings) {
    if (!lab.key.startsWith('lab:')) continue;
    const at = out.findIndex(
      (f) =>
        f.key.startsWith('interaction:') &&
        SEVERITY_RANK[f.severity] >= SEVERITY_RANK[lab.severity] &&
        lab.evidence.every((ref) => f.evidence.includes(ref)),
    );
    const into = out[at];
    if (!into) continue;
    const labels = new Set((into.suggestions ?? []).map((s) => s.label));
    const suggestions = [
      ...(into.suggestions ?? []),
      ...(lab.suggestions ?? []).filter((s) => !labels.has(s.label)),
    ];
    out[at] = {
      ...into,
      covers: [...new Set([...(into.covers ?? []), lab.key])],
      ...(suggestions.length > 0 && { suggestions, selectionBehavior: 'at-most-one' as const }),
    };
    out.splice(out.indexOf(lab), 1);
  }
  return out;
}

export function evaluate(kb: KnowledgeBase, review: Review, options: RuleOptions = {}): Finding[] {
  const ctx = buildContext(kb, review, options);
  if (ctx.reviewed.length === 0) return [];
  const findings = [
    ...interactionFindings(ctx),
    ...combinationFindings(ctx),
    ...allergyFindings(ctx),
    ...conditionFindings(ctx),
    ...renalFindings(ctx),
    ...labFindings(ctx),
    ...doseFindings(ctx),
    ...pregnancyFindings(ctx),
    ...pediatricFindings(ctx),
    ...geriatricFindings(ctx),
    ...(review.hook === 'patient-view' ? monitoringFindings(ctx) : []),
  ];
  // Never a finding without evidence (CONTRACT: every card cites the resources it rests on).
  return foldLabsIntoInteractions(dedupeFindings(findings.filter((f) => f.evidence.length > 0))).sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
  );
}
