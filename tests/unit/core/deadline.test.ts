import { describe, expect, it } from '@jest/globals';
import type { AdvisorOutcome } from '../../../src/advisors/types.js';
import { Deadline } from '../../../src/timing/deadline.js';
import { selectionOverridesWithin } from '../../../src/pipeline/overrides.js';
import { raceDeadline } from '../../../src/pipeline/raceDeadline.js';
import { MemoryStore } from '../../doubles/memoryStore.js';
import type { SelectionOverride, Store } from '../../../src/store/types.js';

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

  it('aborts its signals when the budget, less the reserve, runs out, with a TimeoutError', async () => {
    const deadline = new Deadline(40);
    const early = deadline.signal(30);
    const late = deadline.signal(0);
    await new Promise((resolve) => early.addEventListener('abort', resolve, { once: true }));
    expect(late.aborted).toBe(false);
    await new Promise((resolve) => late.addEventListener('abort', resolve, { once: true }));
    expect((late.reason as DOMException).name).toBe('TimeoutError');
  });

  it('follows a parent signal too', () => {
    const parent = new AbortController();
    const deadline = new Deadline(60_000);
    const signal = deadline.signal(0, parent.signal);
    parent.abort();
    expect(signal.aborted).toBe(true);
    deadline.dispose();
  });

  it('never fires once disposed: the answered call leaves no timer behind', async () => {
    const deadline = new Deadline(20);
    const signal = deadline.signal();
    deadline.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(false);
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

describe('selection-override lookup (alert fatigue)', () => {
  const scope = { patientPseudonym: 'p', userPseudonym: 'u', clientPseudonym: 'c' };
  const override: SelectionOverride = {
    cardUuid: 'card-1',
    findingKey: 'interaction:ibuprofen|warfarin',
    draftOrders: ['MedicationRequest/d1'],
    indicator: 'warning',
    reason: { system: 'https://example.org/reason', code: 'benefit-outweighs-risk' },
    overriddenAt: '2026-11-24T11:00:00.000Z',
  };
  const store = (answer: Promise<readonly SelectionOverride[]>): Store =>
    Object.assign(new MemoryStore(), { selectionOverrides: () => answer });

  it('fails open: a store error suppresses nothing', async () => {
    const found = await selectionOverridesWithin(
      store(Promise.reject(new Error('down'))),
      scope,
      120,
      new AbortController().signal,
    );
    expect(found).toEqual([]);
  });

  it('fails open: a store that does not answer by the deadline suppresses nothing', async () => {
    const controller = new AbortController();
    const found = selectionOverridesWithin(store(new Promise(() => {})), scope, 120, controller.signal);
    controller.abort();
    await expect(found).resolves.toEqual([]);
  });

  it('fails open: a store that hangs is not waited for past its own bound, even with budget left', async () => {
    const found = await selectionOverridesWithin(
      store(new Promise(() => {})),
      scope,
      120,
      new AbortController().signal,
      new Date(),
      5,
    );
    expect(found).toEqual([]);
  });

  it('asks for overrides within the window before now, in this scope', async () => {
    let asked: { scope: unknown; since: Date } | undefined;
    const s = Object.assign(new MemoryStore(), {
      selectionOverrides: (sc: unknown, since: Date) => {
        asked = { scope: sc, since };
        return Promise.resolve([override]);
      },
    });
    const found = await selectionOverridesWithin(
      s,
      scope,
      120,
      new AbortController().signal,
      new Date('2026-11-24T12:00:00Z'),
    );
    expect(found).toEqual([override]);
    expect(asked?.scope).toEqual(scope);
    expect(asked?.since.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });
});
