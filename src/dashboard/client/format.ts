/**
 * Numbers the way a safety officer reads them: percentages, thousands separators, milliseconds, UTC times; and the
 * order an acceptance placed, in words.
 */
import { describeSuggestion } from '../../findings/suggestionSummary.js';
import type { LaterOrder } from '../../store/read/laterOrders.js';

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

export const count = (n: number): string => integer.format(n);
export const number = (n: number | null): string => (n === null ? '–' : decimal.format(n));
export const percent = (ratio: number | null): string =>
  ratio === null ? '–' : `${decimal.format(Math.round(ratio * 1000) / 10)}%`;
export const ms = (n: number | null): string => (n === null ? '–' : `${integer.format(n)} ms`);
/** `2026-11-20T09:00:00.000Z` → `2026-11-20 09:00`. */
export const utc = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '–');

/** `accepted 2026-11-20 09:00: Replace ibuprofen with acetaminophen (delete …; create …)`. */
export function laterOrderLine(o: LaterOrder): string {
  const what = o.summary ? describeSuggestion(o.summary) : `suggestion ${o.suggestion}, not on record`;
  return `accepted ${utc(o.acceptedAt)}: ${what}`;
}
