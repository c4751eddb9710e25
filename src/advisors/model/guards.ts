/**
 * Guards between the model and any card. Everything the model says is untrusted: an item survives only when it
 * is grounded in this request's data, fits the card rules, and suggests only what the service allows.
 * - grounding: every cited alias exists in this request (else the item is dropped, a sign of invention);
 * - card rules: summary one line under 140 characters (clamped), detail bounded, severity capped (below);
 * - no links: URLs and bare domains are removed from model text; links on model cards are ours;
 * - no steering: an item whose words claim more urgency than its severity allows, or that advise stopping every
 *   medication, is dropped: a model that obeyed an instruction planted in a chart writes such text;
 * - focus, per hook: on order-select and order-sign an item must concern a draft under review (cite it, be
 *   `about` it), though it may rest on labs and problems alone; on patient-view the
 *   whole chart is in scope, and only medication concerns (interaction, allergy, dose, duplication) must cite a
 *   medication under review;
 * - claims: a claim names a lab or vital-sign series of this request (its truth is `claims.ts`'s to check);
 * - suggestions: cancelling only a draft order present in this request and cited by the item; ordering only a
 *   lab from the monitoring allow-list; a follow-up or referral only from its allow-list. Anything else loses the
 *   suggestion (the advice itself may stay).
 * Severity policy: a model item is never `critical` (hard stops are for curated, validated rules); an insight
 * (trend, care gap, treatment, differential) is `info` (a rule that corroborates it carries the weight, by the
 * fold); an item the model itself rates low-certainty is `info`.
 */
import type { HookName } from '../../cds/types.js';
import type { Severity } from '../../findings/types.js';
import type { AliasTarget } from './deidentify.js';
import { MONITORING_LABS } from './monitoringLabs.js';
import { type ClaimChange, isInsightKind, type ModelAdviceItem, type ModelAnswer } from './output.js';
import { SERVICE_REQUESTS } from './serviceRequests.js';

export const MAX_ITEMS = 5;
export const MAX_SUMMARY = 139;
/** Room for the detail inside `escapeMarkdown`'s inline limit (500) after escaping. */
export const MAX_DETAIL = 450;

export type DropReason =
  | 'invalid-item'
  | 'no-citation'
  | 'unknown-alias'
  | 'outside-focus'
  | 'empty-text'
  | 'escalating-text'
  | 'blanket-discontinuation'
  | 'too-many'
  | 'duplicate'
  | 'claim-not-a-series';
export type SuggestionDropReason =
  | 'suggestion-target-not-draft'
  | 'suggestion-target-not-cited'
  | 'suggestion-lab-not-allowed'
  | 'suggestion-service-not-allowed';

export type GuardedSuggestion =
  | { readonly kind: 'cancel-draft'; readonly draft: AliasTarget }
  | { readonly kind: 'order-lab'; readonly loinc: string; readonly display: string }
  | { readonly kind: 'service-request'; readonly code: string; readonly display: string };

/** A claim about a series of this request, not yet checked. */
export interface GuardedClaim {
  readonly change: ClaimChange;
  readonly series: AliasTarget;
}

/** What a hook asks about: the guards judge focus by it. */
export interface GuardScope {
  readonly hook: HookName;
  /** Refs of the medications under review (selected drafts, every draft, or the active list). */
  readonly focus: ReadonlySet<string>;
}

/** Medication concerns: on patient-view they must still cite a medication under review. */
const MEDICATION_KINDS = new Set<ModelAdviceItem['kind']>(['interaction', 'allergy', 'dose', 'duplication']);

export interface GuardedItem {
  readonly kind: ModelAdviceItem['kind'];
  readonly summary: string;
  readonly detail: string;
  readonly severity: Severity;
  readonly certainty: ModelAdviceItem['certainty'];
  /** What the item cites, with the draft it is `about` and the series its claim names. */
  readonly cited: readonly AliasTarget[];
  readonly claim: GuardedClaim | null;
  readonly suggestion: GuardedSuggestion | null;
}

/** What the guards did with one returned item: kept (with its capped severity and suggestion's fate) or why not. */
export type GuardDecision =
  | {
      readonly outcome: 'kept';
      readonly severity: Severity;
      readonly suggestion: 'none' | 'kept' | SuggestionDropReason;
    }
  | { readonly outcome: DropReason };

export interface GuardResult {
  readonly items: readonly GuardedItem[];
  readonly dropped: Readonly<Partial<Record<DropReason | SuggestionDropReason, number>>>;
  /** One per item of `answer.items`, in order. */
  readonly decisions: readonly GuardDecision[];
}

const URL_PATTERNS: readonly RegExp[] = [
  // scheme URLs, including javascript:, data: and mailto: which need no slashes
  /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s]*/gi,
  /\b(?:javascript|data|vbscript|file|mailto|tel):[^\s]*/gi,
  /\bwww\.[^\s]*/gi,
  // a bare domain with a path, or ending in a common top-level domain
  /\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\/[^\s]*/gi,
  /\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|ai|info|biz|xyz|ru|cn|co|me|app|dev|gov|edu|health|link|site|top|ly)\b/gi,
];

/** Model text as one clean line of plain text with no link in it. */
export function stripLinks(text: string): string {
  // eslint-disable-next-line no-control-regex
  let out = text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g, ' ');
  // A markdown link or image keeps its words and loses its target.
  out = out.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
  for (const pattern of URL_PATTERNS) out = out.replace(pattern, '[link removed]');
  return out.replace(/\s+/g, ' ').trim();
}

/** Cuts at a word boundary and marks the cut, so a clamped sentence does not read as complete. */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/**
 * Words of an alert that cannot wait: the wording of a critical card. Model items are at most warnings, so such
 * words claim an urgency the item was not allowed. ("immediate-release" is a formulation, not urgency.)
 */
const CRITICAL_WORDING =
  /\b(?:critical(?:ly)?|urgent(?:ly)?|urgency|emergenc(?:y|ies)|emergent(?:ly)?|immediate(?![- ]release)|immediately|stat|asap|right away|at once|without delay|hard stop|call 911)\b/;

/** Words that stand for "every medication". */
const EVERYTHING = String.raw`(?:all|every|each|any)\s+(?:(?:other|of|the|his|her|their|patient's|patients|current|active|remaining|existing|prescribed|home|regular|your)\s+){0,4}(?:medications?|meds|medicines?|drugs?|orders?|prescriptions?|therap(?:y|ies)|treatments?)\b`;
/** Up to four words between the verb and "all…", none opening a condition ("stop X if any drug…" is not blanket). */
const GAP = String.raw`(?:(?!(?:if|when|unless|until|before|after|should|that|which)\b)[\w'-]+[\s,]+){0,4}`;
const STOP = String.raw`(?:stop|stopping|discontinue|discontinuing|cease|hold|holding|withhold|withholding|cancel|cancell?ing|suspend|halt|interrupt|withdraw|d\/c)`;
const STOPPED = String.raw`(?:stopped|discontinued|ceased|held|withheld|cancell?ed|suspended|halted|interrupted|withdrawn)`;
/** Advice to stop everything: "stop warfarin and all other medications", "every order must be cancelled". */
const BLANKET_DISCONTINUATION = new RegExp(
  String.raw`\b${STOP}\s+${GAP}${EVERYTHING}|\b${EVERYTHING}\s+(?:[\w'-]+\s+){0,3}${STOPPED}\b|\b${STOP}\s+everything\b`,
);

/**
 * Why an item's text steers beyond what it may say, or undefined. Read in lower case after NFKC and without
 * zero-width characters, so "ＣＲＩＴＩＣＡＬ" or "CRI\u200BTICAL" reads as "critical".
 */
export function steering(
  text: string,
  allowed: Severity,
): 'escalating-text' | 'blanket-discontinuation' | undefined {
  const plain = text
    .normalize('NFKC')
    .replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '')
    .toLowerCase();
  if (BLANKET_DISCONTINUATION.test(plain)) return 'blanket-discontinuation';
  if (allowed !== 'critical' && CRITICAL_WORDING.test(plain)) return 'escalating-text';
  return undefined;
}

function cappedSeverity(item: ModelAdviceItem): Severity {
  if (item.certainty === 'low' || isInsightKind(item.kind)) return 'info';
  return item.severity === 'critical' ? 'warning' : item.severity;
}

const aliasOf = (text: string): string => text.trim().toUpperCase();

/** Whether the item is within what the hook asks about (module comment: "focus, per hook"). */
function inFocus(item: ModelAdviceItem, cited: readonly AliasTarget[], scope: GuardScope): boolean {
  const citesFocus = cited.some((t) => scope.focus.has(t.ref));
  if (scope.hook === 'patient-view') return !MEDICATION_KINDS.has(item.kind) || citesFocus;
  return citesFocus;
}

/**
 * `scope`: the hook and the medications under review. Without it (tools, unit tests) every grounded item is in
 * scope.
 */
export function guardAnswer(
  answer: ModelAnswer,
  aliases: ReadonlyMap<string, AliasTarget>,
  scope?: GuardScope,
): GuardResult {
  const dropped: Partial<Record<DropReason | SuggestionDropReason, number>> = {};
  const drop = (reason: DropReason | SuggestionDropReason): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };
  for (let i = 0; i < answer.invalidItems; i++) drop('invalid-item');

  const items: GuardedItem[] = [];
  const decisions: GuardDecision[] = [];
  const reject = (reason: DropReason): void => {
    drop(reason);
    decisions.push({ outcome: reason });
  };
  const seen = new Set<string>();
  for (const item of answer.items) {
    const cites = [...new Set(item.cites.map((c) => c.trim().toUpperCase()))];
    if (cites.length === 0) {
      reject('no-citation');
      continue;
    }
    // What the item is about, and the series its claim names, count as cited: they are what it rests on.
    const about = item.about === null ? undefined : aliasOf(item.about);
    const claimed = item.claim === null ? undefined : aliasOf(item.claim.series);
    const all = [...new Set([...cites, ...(about ? [about] : []), ...(claimed ? [claimed] : [])])];
    const cited = all.map((c) => aliases.get(c));
    if (cited.some((t) => t === undefined)) {
      reject('unknown-alias');
      continue;
    }
    const targets = cited as AliasTarget[];
    const claimSeries = claimed === undefined ? undefined : aliases.get(claimed);
    if (claimSeries && claimSeries.kind !== 'lab' && claimSeries.kind !== 'vital') {
      reject('claim-not-a-series');
      continue;
    }
    if (scope && !inFocus(item, targets, scope)) {
      reject('outside-focus');
      continue;
    }
    const summary = clamp(stripLinks(item.summary), MAX_SUMMARY);
    if (summary.replace(/\[link removed\]/g, '').trim().length === 0) {
      reject('empty-text');
      continue;
    }
    const severity = cappedSeverity(item);
    const steers = steering(`${stripLinks(item.summary)}\n${stripLinks(item.detail)}`, severity);
    if (steers) {
      reject(steers);
      continue;
    }
    const detail = clamp(stripLinks(item.detail), MAX_DETAIL);
    const identity = `${item.kind}|${[...all].sort().join(',')}`;
    if (seen.has(identity)) {
      reject('duplicate');
      continue;
    }
    if (items.length >= MAX_ITEMS) {
      reject('too-many');
      continue;
    }
    seen.add(identity);
    let suggestionFate: 'none' | 'kept' | SuggestionDropReason = item.suggestion ? 'kept' : 'none';
    const suggestion = guardSuggestion(item, targets, aliases, (reason) => {
      suggestionFate = reason;
      drop(reason);
    });
    decisions.push({ outcome: 'kept', severity, suggestion: suggestionFate });
    items.push({
      kind: item.kind,
      summary,
      detail,
      severity,
      certainty: item.certainty,
      cited: targets,
      claim: item.claim && claimSeries ? { change: item.claim.change, series: claimSeries } : null,
      suggestion,
    });
  }
  return { items, dropped, decisions };
}

function guardSuggestion(
  item: ModelAdviceItem,
  cited: readonly AliasTarget[],
  aliases: ReadonlyMap<string, AliasTarget>,
  drop: (reason: SuggestionDropReason) => void,
): GuardedSuggestion | null {
  const suggestion = item.suggestion;
  if (suggestion === null) return null;
  switch (suggestion.kind) {
    case 'cancel-draft': {
      const target = aliases.get(aliasOf(suggestion.draft));
      if (target?.kind !== 'draft-order') {
        drop('suggestion-target-not-draft');
        return null;
      }
      if (!cited.includes(target)) {
        drop('suggestion-target-not-cited');
        return null;
      }
      return { kind: 'cancel-draft', draft: target };
    }
    case 'order-lab': {
      const display = Object.hasOwn(MONITORING_LABS, suggestion.loinc)
        ? MONITORING_LABS[suggestion.loinc]
        : undefined;
      if (display === undefined) {
        drop('suggestion-lab-not-allowed');
        return null;
      }
      return { kind: 'order-lab', loinc: suggestion.loinc, display };
    }
    case 'service-request': {
      const display = Object.hasOwn(SERVICE_REQUESTS, suggestion.code)
        ? SERVICE_REQUESTS[suggestion.code]
        : undefined;
      if (display === undefined) {
        drop('suggestion-service-not-allowed');
        return null;
      }
      return { kind: 'service-request', code: suggestion.code, display };
    }
  }
}
