/**
 * One rule run: resolve the review once, run every check, de-duplicate by key. Pure and synchronous — the
 * advisor wrapper in `index.ts` adds timing and the Advisor contract.
 *
 * Per hook (through `review.focus`, chosen by the hook module): order-select reviews the selected drafts,
 * order-sign every draft, patient-view the active medication list; missing-monitoring checks run on
 * patient-view only (an order is not the moment to nag about a lab). The longitudinal checks (trends.ts,
 * careGaps.ts) read the series; those about the patient as a whole run on a chart with no medication too. Checks
 * that could not run for lack of data are named in one info card (dataGaps.ts).
 */
import type { DataGap } from '../types.js';
import type { Finding } from '../../findings/types.js';
import { type RuleCheck, runsOn } from './check.js';
import { allergyCheck } from './checks/allergies.js';
import { conditionCheck } from './checks/conditions.js';
import { doseCheck } from './checks/dose.js';
import { interactionCheck } from './checks/interactions.js';
import { labCheck } from './checks/labs.js';
import { monitoringCheck } from './checks/monitoring.js';
import { geriatricCheck, pediatricCheck, pregnancyCheck } from './checks/populations.js';
import { renalCheck } from './checks/renal.js';
import { monitoringOverdueCheck, undiagnosedDiabetesCheck } from './checks/careGaps.js';
import { akiCheck, egfrDeclineCheck, hemoglobinDropCheck, potassiumRiseCheck } from './checks/trends.js';
import { buildContext } from './context.js';
import { dataGapFinding, dataGaps } from './dataGaps.js';
import { dedupeFindings } from '../../findings/keys.js';
import { SEVERITY_RANK } from '../../findings/severity.js';
import type { KnowledgeBase } from './knowledge.js';
import type { Review } from '../types.js';

/** Every check, in the order their findings are made. */
export const RULE_CHECKS: readonly RuleCheck[] = [
  interactionCheck,
  allergyCheck,
  conditionCheck,
  renalCheck,
  labCheck,
  doseCheck,
  pregnancyCheck,
  pediatricCheck,
  geriatricCheck,
  monitoringCheck,
  egfrDeclineCheck,
  akiCheck,
  potassiumRiseCheck,
  hemoglobinDropCheck,
  undiagnosedDiabetesCheck,
  monitoringOverdueCheck,
];

export interface RuleRun {
  readonly findings: Finding[];
  /** Checks that applied to a reviewed drug but could not run for lack of data (also named in one card). */
  readonly gaps: DataGap[];
}

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

export function evaluate(kb: KnowledgeBase, review: Review): RuleRun {
  const ctx = buildContext(kb, review);
  // Nothing under review: only the checks about the patient as a whole have anything to say.
  const checks = RULE_CHECKS.filter(
    (check) => runsOn(check, review.hook) && (ctx.reviewed.length > 0 || check.scope === 'patient'),
  );
  if (checks.length === 0) return { findings: [], gaps: [] };
  const findings = checks.flatMap((check) => check.run(ctx));
  const gaps = dataGaps(ctx, checks);
  const gapFinding = dataGapFinding(gaps);
  if (gapFinding) findings.push(gapFinding);
  // Never a finding without evidence (CONTRACT: every card cites the resources it rests on).
  return {
    findings: foldLabsIntoInteractions(dedupeFindings(findings.filter((f) => f.evidence.length > 0))).sort(
      (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
    ),
    gaps,
  };
}
