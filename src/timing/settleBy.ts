/**
 * Settles with `promise`'s outcome, or with `onAbort()` as soon as `signal` aborts — whichever comes first.
 * The hook's answer waits for no step past its deadline, whatever that step does afterwards.
 */
export function settleBy<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: () => T,
  onError: (error: unknown) => T,
): Promise<T> {
  if (signal.aborted) return Promise.resolve(onAbort());
  return new Promise<T>((resolve) => {
    const abort = (): void => resolve(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        resolve(onError(error));
      },
    );
  });
}
