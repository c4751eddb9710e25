/**
 * Alert-fatigue control across an ordering session: what the clinician overrode on order-select for this patient
 * need not be repeated on order-sign. CDS Hooks gives the two calls different hookInstances, so the session is
 * approximated by the same patient (pseudonym), the same finding key, and a short time window.
 * Fails open: when the store is slow or down, nothing is suppressed — a repeated card is safer than a lost one.
 */
import type { Store } from '../store/types.js';

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
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(NOTHING);
    signal.addEventListener('abort', onAbort, { once: true });
    store.overriddenFindingKeys(patientPseudonym, since).then(
      (keys) => {
        signal.removeEventListener('abort', onAbort);
        resolve(keys);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(NOTHING);
      },
    );
  });
}
