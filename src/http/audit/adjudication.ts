/**
 * Shadow advice as an adjudication sheet: every item the model would have shown, one row each, with what the
 * clinicians' actions said of it, what their acceptances of the cards shown in the same call ordered or changed
 * (`later_orders`), and an empty `verdict` column (correct / incorrect / unsafe) for a clinical reviewer. The
 * columns follow `npm run eval`'s sheet, so `npm run adjudicate -- --shadow` reads both alike.
 * PHI-free by construction: the model's own item (written from de-identified input), age and sex as the model was
 * given them, our pseudonymous ids, and suggestion summaries built from our own tables (suggestionSummary.ts).
 */
import { describeSuggestion } from '../../findings/suggestionSummary.js';
import type { ShadowItem } from '../../store/read/shadow.js';
import { csvLine } from './export.js';

export const SHADOW_SHEET_COLUMNS = [
  'item_id',
  'service',
  'issued_at',
  'model',
  'prompt_version',
  'served_from',
  'patient',
  'kind',
  'severity',
  'stated_certainty',
  'summary',
  'detail',
  'key',
  'guard_decision',
  'clinicians_response',
  'later_orders',
  'verdict',
  'comment',
] as const;

/** `shadow-{invocation}-{item}`: stable across exports, so verdicts from two sheets never collide. */
export const shadowItemId = (item: ShadowItem): string => `shadow-${item.invocationSeq}-${item.itemIndex}`;

function patientOf({ age, sex }: ShadowItem['patient']): string {
  return [sex ?? 'sex unknown', age === null ? 'age unknown' : `age ${age}`].join('; ');
}

function guardOf(item: ShadowItem): string {
  const guard = item.item.guard;
  if (guard.outcome !== 'kept') return guard.outcome;
  return `kept at ${guard.severity}; suggestion ${guard.suggestion}`;
}

/**
 * What clinicians' acceptances of the cards the same call showed ordered or changed, one accepted suggestion after
 * another (` | `); empty when nothing was accepted.
 */
function laterOrdersOf(item: ShadowItem): string {
  return item.cardsShown
    .flatMap((c) => c.laterOrders)
    .map((o) => (o.summary ? describeSuggestion(o.summary) : `suggestion ${o.suggestion}, not on record`))
    .join(' | ');
}

export function shadowSheet(items: readonly ShadowItem[]): string {
  const rows = items.map((item) =>
    csvLine([
      shadowItemId(item),
      item.serviceId,
      item.issuedAt,
      item.model,
      item.promptVersion,
      item.servedFrom,
      patientOf(item.patient),
      item.item.returned.kind,
      item.item.guard.outcome === 'kept' ? item.item.guard.severity : item.item.returned.severity,
      item.item.returned.certainty,
      item.item.returned.summary,
      item.item.returned.detail,
      item.item.findingKey ?? null,
      guardOf(item),
      item.verdict,
      laterOrdersOf(item),
      '',
      '',
    ]),
  );
  return csvLine(SHADOW_SHEET_COLUMNS) + rows.join('');
}
