/** How a hook waits for a model call, and the ways that wait (or the call) ends other than with an answer. */
import { settleBy } from '../../timing/settleBy.js';
import type { CallFailure } from './gateway/index.js';

/** The hook's deadline passed while the model was still working. */
export class DeadlineMissedError extends Error {
  override readonly name = 'DeadlineMissedError';
}

/** A failed call, classified once where it happened. */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
  constructor(readonly failure: CallFailure) {
    super(`model call failed: ${failure.reason}`);
  }
}

/**
 * A hook's deadline passed while its call was still waiting for a concurrency slot, or had been sent too late
 * to have a fair chance: local congestion, reported as `queued` rather than `deadline`.
 */
export class QueuedPastDeadlineError extends Error {
  override readonly name = 'QueuedPastDeadlineError';
}

/** A deadline miss is the model's only if its call was out for most of the time the hook waited. */
export const FAIR_CHANCE = 0.8;

/** `promise`'s outcome, or a DeadlineMissedError as soon as `signal` aborts: settleBy's race, told as a rejection. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return settleBy<() => T>(
    promise.then((value) => () => value),
    signal,
    () => () => {
      throw new DeadlineMissedError();
    },
    (err) => () => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  ).then((outcome) => outcome());
}
