/**
 * Alert-fatigue control across an ordering session: what the clinician overrode on order-select for this patient
 * need not be repeated on order-sign. CDS Hooks gives the two calls different hookInstances, so the session is
 * approximated by the same patient (pseudonym), the same finding key, and a short time window.
 * Fails open: when the store is slow or down, nothing is suppressed — a repeated card is safer than a lost one.
 */
import type { Store } from '../store/types.js';
import { settleBy } from './settleBy.js';

const NOTHING: ReadonlySet<string> = new Set();

export function overriddenKeysWithin(
  store: Store,
  patientPseudonym: string,
  windowMinutes: number,
  signal: AbortSignal,
  now: Date = new Date(),
): Promise<ReadonlySet<string>> {
  if (signal.aborted) return Promise.resolve(NOTHING);
  const since = new Date(now.getTime() - windowMinutes * 60_000);
  return settleBy(
    store.overriddenFindingKeys(patientPseudonym, since),
    signal,
    () => NOTHING,
    () => NOTHING,
  );
}
