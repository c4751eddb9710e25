/** An in-process store for unit tests of code that needs a `Store` but does not test storage itself. */
import type { InvocationRecord, Store } from './types.js';

export class MemoryStore implements Store {
  readonly invocations: InvocationRecord[] = [];
  healthy = true;

  readonly audit = {
    record: (invocation: InvocationRecord): void => {
      this.invocations.push(invocation);
    },
    flush: async (): Promise<void> => {},
  };

  async ping(): Promise<boolean> {
    return this.healthy;
  }

  async close(): Promise<void> {}
}
