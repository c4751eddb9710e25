/** The AI switch cache on the hook path: fresh values, a bounded wait, and the fail-safe answer. */
import { describe, expect, it } from '@jest/globals';
import { AiSwitchCache } from '../../../src/store/settings.js';

function cache(read: (id: string) => Promise<boolean>, clock: () => number = () => 0): AiSwitchCache {
  return new AiSwitchCache(read, () => undefined, { ttlMs: 1000, waitMs: 20, errorReportMs: 10_000 }, clock);
}

describe('AI switch cache', () => {
  it('reads the store once per TTL and sees a change after it', async () => {
    let now = 0;
    let stored = true;
    let reads = 0;
    const ai = cache(
      () => {
        reads += 1;
        return Promise.resolve(stored);
      },
      () => now,
    );
    expect(await ai.get('s')).toBe(true);
    stored = false;
    expect(await ai.get('s')).toBe(true);
    now = 1000;
    expect(await ai.get('s')).toBe(false);
    expect(reads).toBe(2);
  });

  it('answers the last known value when a read hangs, instead of holding the hook', async () => {
    let now = 0;
    let hang = false;
    const ai = cache(
      () => (hang ? new Promise<boolean>(() => undefined) : Promise.resolve(false)),
      () => now,
    );
    expect(await ai.get('s')).toBe(false);
    hang = true;
    now = 5000;
    expect(await ai.get('s')).toBe(false);
  });

  it('answers false (rules only) when the switch was never read and the store fails', async () => {
    const ai = cache(() => Promise.reject(new Error('connect ECONNREFUSED')));
    expect(await ai.get('s')).toBe(false);
  });

  it('takes a change made on this instance at once', async () => {
    const ai = cache(() => Promise.resolve(true));
    expect(await ai.get('s')).toBe(true);
    ai.set('s', false);
    expect(await ai.get('s')).toBe(false);
  });
});
