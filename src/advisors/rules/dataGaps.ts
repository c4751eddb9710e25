/**
 * Data gaps said out loud. When data a check reads could not be obtained (an OperationOutcome in the prefetch and
 * no FHIR server, a FHIR server that failed), the check finds nothing, and silence would read as "checked, fine".
 * For each reviewed drug a check applies to (per its `needs`, from the knowledge base), the gap is named: which
 * check, which drug. All of a call's gaps go in one info card; none when no reviewed drug needed the missing data.
 * `null` in the prefetch ("the EHR has none") is data, not a gap; required keys never get here (412).
 */
import type { PrefetchKey } from '../../cds/types.js';
import { md } from '../../findings/markdown.js';
import type { DataGap } from '../types.js';
import type { Finding } from '../../findings/types.js';
import { kindTopic, overrideReasons } from './findingKinds.js';
import { kbText, lowerName, summaryOf } from './cardText.js';
import { medicationsOf, type RuleCheck, runsOn } from './check.js';
import type { RuleContext } from './context.js';
import { findingKey } from '../../findings/keys.js';

export const DATA_GAP_RULE = 'data-gap';

/** What each prefetch key holds, in a clinician's words. */
const DATA_WORDS: Readonly<Record<PrefetchKey, string>> = {
  patient: 'the patient record',
  medications: 'the active medication list',
  conditions: 'the problem list',
  allergies: 'the allergy list',
  labs: 'recent lab results',
  labHistory: 'the history of earlier lab results',
  vitals: 'vital signs (body weight)',
};

export function dataGaps(ctx: RuleContext, checks: readonly RuleCheck[]): DataGap[] {
  const { labs } = ctx.patient;
  // The EHR said the patient has no lab results at all (`labs` null or empty): no history can exist either.
  const missing = ctx.patient.missing.filter(
    (key) => key !== 'labHistory' || ctx.patient.missing.includes('labs') || labs.length > 0,
  );
  if (missing.length === 0) return [];
  const gaps = new Map<string, DataGap>();
  for (const check of checks) {
    if (!runsOn(check, ctx.review.hook)) continue;
    for (const need of check.needs) {
      if (!missing.includes(need.data)) continue;
      for (const rm of medicationsOf(check, ctx)) {
        for (const ingredient of rm.ingredients) {
          if (!need.appliesTo(ctx, rm, ingredient)) continue;
          const gap: DataGap = {
            check: check.id,
            label: need.label ?? check.label,
            data: need.data,
            drug: lowerName(ctx.kb, ingredient),
            medication: rm.med.ref,
          };
          gaps.set(`${gap.check}\u0000${gap.label}\u0000${gap.drug}\u0000${gap.medication}`, gap);
        }
      }
    }
  }
  return [...gaps.values()];
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The one card that names every gap of the call, or nothing when there is none. */
export function dataGapFinding(gaps: readonly DataGap[]): Finding | undefined {
  const first = gaps[0];
  if (!first) return undefined;
  // One line per check and drug: two orders of the same drug are one line citing both.
  const lines = new Map<string, { gap: DataGap; orders: string[] }>();
  for (const gap of gaps) {
    const id = `${gap.label}\u0000${gap.drug}\u0000${gap.data}`;
    const line = lines.get(id);
    if (line) line.orders.push(gap.medication);
    else lines.set(id, { gap, orders: [gap.medication] });
  }
  const more = lines.size - 1;
  return {
    advisor: 'rules',
    ruleId: DATA_GAP_RULE,
    key: findingKey(
      'data-gap',
      [...lines.values()].map(({ gap }) => `${gap.check} ${gap.label} ${gap.drug}`),
    ),
    severity: 'info',
    summary: summaryOf(
      `Not checked, data unavailable: ${first.label} for ${first.drug}${more > 0 ? ` and ${more} more` : ''}`,
    ),
    detail: [
      'These checks could not run: the data they need could not be obtained from the EHR. ' +
        'No card from them does not mean no problem.',
      [...lines.values()]
        .map(
          ({ gap, orders }) =>
            `- **${kbText(capitalized(gap.label))}** for **${kbText(gap.drug)}** ` +
            md`(${orders.join(', ')}): needs ${DATA_WORDS[gap.data]}.`,
        )
        .join('\n'),
      '**What to do:** check these by hand, or ask again once the EHR can send the data.',
    ].join('\n\n'),
    evidence: [...new Set(gaps.map((g) => g.medication))],
    // Our own statement about this call's data: no knowledge-base source to cite.
    source: { label: 'CDS Advisor clinical rules', topic: kindTopic('data-gap') },
    overrideReasons: overrideReasons('data-gap'),
  };
}
