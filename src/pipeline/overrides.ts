/**
 * Alert-fatigue control across an ordering session: a finding the clinician overrode on order-select need not
 * interrupt again on order-sign. CDS Hooks gives the two calls different hookInstances, so the session is what both
 * calls share: the same EHR client and tenant, the same user, the same patient, the same finding on the same draft
 * orders (speaking for no concern, and at no severity, the overridden card did not), within a window. Only an
 * override that gave a coded reason counts (a plain dismiss says nothing), only one sent by the client that got the
 * card, and only on an order-select card (an override at signing is the end of the session, not a decision about
 * the next one).
 *
 * Critical findings are never left out: they come back with a line saying when and why they were overridden. What
 * is left out is named in one info card, so the signing screen never reads as "all clear".
 *
 * Fails open: when the store is slow or down, nothing is left out — a repeated card is safer than a lost one.
 */
import { DATA_GAP_RULE } from '../advisors/rules/index.js';
import type { Finding } from '../findings/types.js';
import { md } from '../findings/markdown.js';
import { atLeast } from '../findings/severity.js';
import type { Coding } from '../cds/types.js';
import type {
  CardRecord,
  OverrideRepeatRecord,
  OverrideScope,
  SelectionOverride,
  Store,
} from '../store/types.js';
import { settleBy } from '../timing/settleBy.js';

const NONE: readonly SelectionOverride[] = [];

/**
 * The longest an order-sign waits for the lookup (it runs beside the advisors, so usually costs nothing): a store
 * that hangs must not hold every signing to the full budget.
 */
export const OVERRIDE_LOOKUP_WAIT_MS = 250;

export function selectionOverridesWithin(
  store: Store,
  scope: OverrideScope,
  windowMinutes: number,
  signal: AbortSignal,
  now: Date = new Date(),
  waitMs: number = OVERRIDE_LOOKUP_WAIT_MS,
): Promise<readonly SelectionOverride[]> {
  if (signal.aborted) return Promise.resolve(NONE);
  const since = new Date(now.getTime() - windowMinutes * 60_000);
  return settleBy(
    store.selectionOverrides(scope, since),
    AbortSignal.any([signal, AbortSignal.timeout(waitMs)]),
    () => NONE,
    () => NONE,
  );
}

/**
 * The draft orders a finding concerns: the drafts of this call among its evidence, sorted. A draft sent without an
 * id (the normalizer names it `…/unknown`) cannot be told from another one, so such a finding concerns no
 * identifiable draft and is never left out.
 */
export function draftOrdersOf(finding: Finding, draftRefs: ReadonlySet<string>): string[] {
  const drafts = finding.evidence.filter((ref) => draftRefs.has(ref));
  if (drafts.some((ref) => ref.endsWith('/unknown'))) return [];
  return [...new Set(drafts)].sort();
}

const sameDrafts = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((ref, i) => ref === b[i]);

/**
 * Whether the finding is one the clinician saw on the overridden card: the same key about the same drafts, speaking
 * for no concern that card did not (one card for several drugs can be grouped around another drug at signing, under
 * the same key: aspirin's card instead of ibuprofen's), and no more severe than it was.
 */
function sameAsOverridden(finding: Finding, drafts: readonly string[], o: SelectionOverride): boolean {
  if (o.findingKey !== finding.key || !sameDrafts(o.draftOrders, drafts)) return false;
  if (!atLeast(o.indicator, finding.severity)) return false;
  const seen = new Set(o.covers ?? []);
  return (finding.covers ?? []).every((key) => seen.has(key));
}

/** A repeat before its card exists: `cardUuid` is filled in once the cards are built. */
export type PendingRepeat = Omit<OverrideRepeatRecord, 'cardUuid'>;

export interface RepeatsApplied {
  /** What to show: the findings not left out (critical ones annotated), and the notice when any was left out. */
  readonly findings: Finding[];
  readonly repeats: readonly PendingRepeat[];
  readonly suppressed: number;
}

export const REPEAT_NOTICE_RULE = 'overridden-at-selection';

/** "2026-11-24 14:05 UTC": the minute is what a clinician recalls; no seconds, no offset arithmetic. */
function minuteUtc(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? 'an unknown time'
    : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The reason as one this finding offers (with our display), or as sent without the EHR's display. */
function reasonOf(finding: Finding, reason: Coding): Coding {
  const ours = finding.overrideReasons?.find((c) => c.system === reason.system && c.code === reason.code);
  return ours ? { ...ours } : { system: reason.system, code: reason.code };
}

/**
 * The reason in words: our own display when the code is one this finding offers, else the code. Never the
 * clinician's free-text comment: it may hold patient details and belongs to the chart, not to a card.
 */
function reasonText(finding: Finding, reason: Coding): string {
  const coded = reasonOf(finding, reason);
  return coded.display ?? md`${coded.code}`;
}

/** "on 2026-11-24 14:05 UTC, reason: Benefit outweighs risk". */
function whenAndWhy(finding: Finding, override: SelectionOverride): string {
  return `on ${minuteUtc(override.overriddenAt)}, reason: ${reasonText(finding, override.reason)}`;
}

function shownAgain(finding: Finding, override: SelectionOverride): Finding {
  return {
    ...finding,
    detail:
      `${finding.detail}\n\n**Overridden at order selection** ${whenAndWhy(finding, override)}. ` +
      'Shown again: critical findings are always repeated at signing.',
  };
}

function notice(left: readonly { finding: Finding; override: SelectionOverride }[]): Finding {
  const n = left.length;
  const lines = left.map(
    ({ finding, override }) =>
      `- ${md`**${finding.summary}**`} (${finding.severity}), overridden at order selection ${whenAndWhy(finding, override)}`,
  );
  return {
    advisor: 'rules',
    ruleId: REPEAT_NOTICE_RULE,
    key: `notice:${REPEAT_NOTICE_RULE}`,
    severity: 'info',
    summary: `Not repeated: ${n} ${n === 1 ? 'finding' : 'findings'} you overrode at order selection`,
    detail: [
      'You overrode these for the same draft orders at order selection, with a reason; they are not shown again:',
      lines.join('\n'),
      'Critical findings are always shown again.',
    ].join('\n\n'),
    evidence: [...new Set(left.flatMap(({ finding }) => finding.evidence))],
    source: { label: 'CDS Advisor' },
  };
}

/**
 * Pure: matches each finding against the overrides (same key, same draft orders; the newest override wins), leaves
 * out the non-critical matches, annotates the critical ones, and adds one notice naming what was left out.
 */
export function applySelectionOverrides(
  findings: readonly Finding[],
  overrides: readonly SelectionOverride[],
  draftRefs: ReadonlySet<string>,
): RepeatsApplied {
  if (overrides.length === 0) return { findings: [...findings], repeats: [], suppressed: 0 };
  const shown: Finding[] = [];
  const left: { finding: Finding; override: SelectionOverride }[] = [];
  const repeats: PendingRepeat[] = [];
  for (const finding of findings) {
    const drafts = draftOrdersOf(finding, draftRefs);
    const override =
      // A data gap is a fact about this call's data, not a finding about the patient: always said.
      drafts.length === 0 || finding.ruleId === DATA_GAP_RULE
        ? undefined
        : overrides.find((o) => sameAsOverridden(finding, drafts, o));
    if (!override) {
      shown.push(finding);
      continue;
    }
    const critical = finding.severity === 'critical';
    repeats.push({
      decision: critical ? 'shown' : 'suppressed',
      findingKey: finding.key,
      advisor: finding.advisor,
      ...(finding.ruleId !== undefined && { ruleId: finding.ruleId }),
      ...(finding.model !== undefined && { model: finding.model }),
      indicator: finding.severity,
      summary: finding.summary,
      evidence: finding.evidence,
      draftOrders: drafts,
      override: {
        cardUuid: override.cardUuid,
        findingKey: override.findingKey,
        draftOrders: override.draftOrders,
        reason: reasonOf(finding, override.reason),
        overriddenAt: override.overriddenAt,
      },
    });
    if (critical) shown.push(shownAgain(finding, override));
    else left.push({ finding, override });
  }
  if (left.length > 0) shown.push(notice(left));
  return { findings: shown, repeats, suppressed: left.length };
}

/** The repeats as the audit keeps them: a finding shown again names the card it was shown in. */
export function withCardsShown(
  repeats: readonly PendingRepeat[],
  cards: readonly CardRecord[],
): OverrideRepeatRecord[] {
  if (repeats.length === 0) return [];
  const cardOf = new Map(cards.map((c) => [c.findingKey, c.uuid]));
  return repeats.map((r) => {
    const cardUuid = r.decision === 'shown' ? cardOf.get(r.findingKey) : undefined;
    return cardUuid === undefined ? r : { ...r, cardUuid };
  });
}
