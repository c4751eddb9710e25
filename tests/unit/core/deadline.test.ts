import { describe, expect, it } from '@jest/globals';
import type { AdvisorOutcome } from '../../../src/advisors/types.js';
import { Deadline } from '../../../src/invocation/deadline.js';
import { raceDeadline } from '../../../src/invocation/raceDeadline.js';

describe('response deadline', () => {
  it('reports what is left of the budget on an injected clock', () => {
    let now = 1000;
    const deadline = new Deadline(500, () => now);
    now = 1200;
    expect(deadline.remainingMs()).toBe(300);
    expect(deadline.elapsedMs()).toBe(200);
    now = 2000;
    expect(deadline.remainingMs()).toBe(0);
  });

  it('answers "timeout" for an advisor that ignores its signal', async () => {
    const controller = new AbortController();
    const never = new Promise<AdvisorOutcome>(() => {});
    const raced = raceDeadline('model', never, controller.signal, performance.now());
    controller.abort();
    await expect(raced).resolves.toMatchObject({ advisor: 'model', status: 'timeout', findings: [] });
  });

  it('turns an advisor that throws into an "error" outcome', async () => {
    const raced = raceDeadline('model', Promise.reject(new Error('boom')), new AbortController().signal, 0);
    await expect(raced).resolves.toMatchObject({ status: 'error', reason: 'exception' });
  });
});
