/**
 * Claims checked against the data. An item that says a value rose, fell or is overdue states it as a claim on a
 * series (`output.ts`), and the claim must be true of that series as sent, deterministically:
 * - rise / fall: at least two numeric results, and the latest one above (below) both the earliest one sent and
 *   the mean of all the earlier ones, by more than 5 % of that mean — a change, not noise;
 * - overdue: the latest result is older than the measure's usual monitoring interval (`OVERDUE_AFTER_DAYS`).
 * Per insight kind: a `trend` item must carry a claim; any item whose words say a value rose, fell or is overdue
 * must carry the matching claim (else nothing was checked). An item that fails is dropped and counted.
 */
import type { GuardedClaim, GuardedItem } from './guards.js';
import type { ClaimChange } from './output.js';

export type ClaimDropReason = 'claim-contradicted' | 'claim-missing' | 'claim-unstated';

/**
 * Longest usual interval between results while a drug or problem calls for them, in days: HbA1c twice a year
 * (ADA Standards of Care), INR at least every 12 weeks on a stable warfarin dose, lithium every 3–6 months,
 * kidney function, potassium and the rest yearly.
 */
export const OVERDUE_AFTER_DAYS: Readonly<Record<string, number>> = {
  hba1c: 183,
  inr: 84,
  lithium: 183,
};
const DEFAULT_OVERDUE_AFTER_DAYS = 365;

/** A change smaller than this share of the earlier mean is noise, not a rise or a fall. */
const MIN_RELATIVE_CHANGE = 0.05;

/** Words that state a change of a value (so the item must carry a claim saying the same). */
const STATED: readonly [ClaimChange, RegExp][] = [
  ['rise', /\b(?:rose|risen|rising|climb(?:ed|ing)|up-?trend(?:ing)?|trending up)\b/],
  ['fall', /\b(?:fell|fallen|falling|declin(?:ed|ing)|dropp(?:ed|ing)|down-?trend(?:ing)?|trending down)\b/],
  ['overdue', /\boverdue\b/],
];

export function statedChanges(text: string): ClaimChange[] {
  const plain = text.normalize('NFKC').toLowerCase();
  return STATED.filter(([, pattern]) => pattern.test(plain)).map(([change]) => change);
}

/** Whether the claim is true of its series; when it is, the results it rests on (refs). */
export function claimHolds(claim: GuardedClaim): readonly string[] | undefined {
  const points = (claim.series.series ?? []).filter((p) => p.value !== null);
  const latest = points[0];
  if (!latest) return undefined;
  if (claim.change === 'overdue') {
    const after = OVERDUE_AFTER_DAYS[claim.series.analyte ?? ''] ?? DEFAULT_OVERDUE_AFTER_DAYS;
    return latest.daysAgo !== null && latest.daysAgo > after ? [latest.result.ref] : undefined;
  }
  const earlier = points.slice(1);
  const earliest = earlier[earlier.length - 1];
  if (!earliest) return undefined;
  const mean = earlier.reduce((sum, p) => sum + p.value!, 0) / earlier.length;
  const margin = MIN_RELATIVE_CHANGE * Math.abs(mean);
  const value = latest.value!;
  const holds =
    claim.change === 'rise'
      ? value > mean + margin && value > earliest.value!
      : value < mean - margin && value < earliest.value!;
  return holds ? [earliest.result.ref, latest.result.ref] : undefined;
}

export interface CheckedItem extends GuardedItem {
  /** The results a true claim rests on (evidence beside the cited items). */
  readonly claimEvidence: readonly string[];
}

export interface ClaimCheck {
  readonly items: readonly CheckedItem[];
  readonly dropped: Readonly<Partial<Record<ClaimDropReason, number>>>;
  /** One per input item, in order: kept, or why it was dropped (for the audit's account of each item). */
  readonly verdicts: readonly ('kept' | ClaimDropReason)[];
}

export function checkClaims(items: readonly GuardedItem[]): ClaimCheck {
  const dropped: Partial<Record<ClaimDropReason, number>> = {};
  const verdicts: ('kept' | ClaimDropReason)[] = [];
  const drop = (reason: ClaimDropReason): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    verdicts.push(reason);
  };
  const kept: CheckedItem[] = [];
  for (const item of items) {
    const { claim } = item;
    if (item.kind === 'trend' && !claim) {
      drop('claim-missing');
      continue;
    }
    if (statedChanges(`${item.summary}\n${item.detail}`).some((c) => c !== claim?.change)) {
      drop('claim-unstated');
      continue;
    }
    const evidence = claim ? claimHolds(claim) : [];
    if (!evidence) {
      drop('claim-contradicted');
      continue;
    }
    kept.push({ ...item, claimEvidence: evidence });
    verdicts.push('kept');
  }
  return { items: kept, dropped, verdicts };
}
