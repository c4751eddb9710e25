/**
 * Optional prefetch keys never starve required ones. Keys the EHR did not send are read through one bounded gate
 * per FHIR server (FHIR_MAX_CONCURRENCY) shared by every hook call, so an optional read (a key the service can do
 * without: `labHistory`, `vitals`, and whichever of the five it does not require) holds a slot a required read of
 * this or another call may need. Three rules keep the required reads whole:
 * - a waiting required read gets the next free slot before any waiting optional read;
 * - optional reads leave `requiredReadReserve(max)` slots free, and give up at `OPTIONAL_READ_SHARE` of the time
 *   for FHIR reads (waiting or reading); the key is then unavailable with the reason, and the data-gap card names
 *   the checks that could not run;
 * - from that same moment, a required read of the call that still waits preempts an optional read in flight.
 * No setting: these are fractions of FHIR_MAX_CONCURRENCY and ADVICE_BUDGET_MS, which stay the knobs.
 */

/**
 * Optional reads may use the first half of the time for FHIR reads (the budget less the response reserve: 1.8 s
 * of the default 2 s). A healthy FHIR server answers a search in tens of milliseconds, so half is ample for them;
 * the other half is kept for required reads that had to wait, which then still have ~0.9 s, many times what a
 * required read (a Patient read, a search by patient) takes on a server that is not saturated.
 */
export const OPTIONAL_READ_SHARE = 0.5;

/**
 * Slots of the gate an optional read may never take: half (8 of the default 16), so optional reads get at most half
 * the gate as they get at most half the time. A new call's required reads then start at once instead of behind a
 * gate full of optional reads, and, the FHIR server answering its queue in turn, behind at most half a gate of
 * optional searches there (the gate orders only what is sent, not a busy server's own queue). At the default, one
 * call's optional keys (five at most) fit in the other half. None below 4 slots,
 * where it would leave optional reads one slot at most; priority and preemption protect required reads there.
 */
export function requiredReadReserve(maxConcurrency: number): number {
  return maxConcurrency >= 4 ? Math.floor(maxConcurrency / 2) : 0;
}

/** When optional reads give up: `reserveMs` before the deadline and `OPTIONAL_READ_SHARE` of the rest from now. */
export function optionalReadReserveMs(remainingMs: number, reserveMs: number): number {
  return reserveMs + Math.max(0, remainingMs - reserveMs) * (1 - OPTIONAL_READ_SHARE);
}

/** The reason an abandoned optional key is unavailable (audit `missingData`; never PHI). */
export const OPTIONAL_GAVE_UP = {
  'optional-deadline': `not read within the share of the time budget optional data may use (${Math.round(
    OPTIONAL_READ_SHARE * 100,
  )} % of the time for FHIR reads), so that required data came first`,
  preempted: 'the optional read was given up so that required data could be read in time',
} as const;
