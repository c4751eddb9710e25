/** The AI mode cache on the hook path: fresh values, a bounded wait, and the fail-safe answer. */
import { describe, expect, it } from '@jest/globals';
import type { AiMode } from '../../../src/advisors/types.js';
import { AiSwitchCache } from '../../../src/store/settings.js';

function cache(read: (id: string) => Promise<AiMode>, clock: () => number = () => 0): AiSwitchCache {
  return new AiSwitchCache(read, () => undefined, { ttlMs: 1000, waitMs: 20, errorReportMs: 10_000 }, clock);
}

describe('AI switch cache', () => {
  it('reads the store once per TTL and sees a change after it', async () => {
    let now = 0;
    let stored: AiMode = 'on';
    let reads = 0;
    const ai = cache(
      () => {
        reads += 1;
        return Promise.resolve(stored);
      },
      () => now,
    );
    expect(await ai.get('s')).toBe('on');
    stored = 'shadow';
    expect(await ai.get('s')).toBe('on');
    now = 1000;
    expect(await ai.get('s')).toBe('shadow');
    expect(reads).toBe(2);
  });

  it('answers the last known value when a read hangs, instead of holding the hook', async () => {
    let now = 0;
    let hang = false;
    const ai = cache(
      () => (hang ? new Promise<AiMode>(() => undefined) : Promise.resolve<AiMode>('shadow')),
      () => now,
    );
    expect(await ai.get('s')).toBe('shadow');
    hang = true;
    now = 5000;
    expect(await ai.get('s')).toBe('shadow');
  });

  it('answers off (rules only) when the switch was never read and the store fails', async () => {
    const ai = cache(() => Promise.reject(new Error('connect ECONNREFUSED')));
    expect(await ai.get('s')).toBe('off');
  });

  it('takes a change made on this instance at once', async () => {
    const ai = cache(() => Promise.resolve<AiMode>('on'));
    expect(await ai.get('s')).toBe('on');
    ai.set('s', 'off');
    expect(await ai.get('s')).toBe('off');
  });
});
