import { describe, expect, it } from '@jest/globals';
import { budgetLeftMs, MAX_LAG_SHARE, monitorLoopLag, processLoopLag } from '../../../src/timing/loopLag.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else runs
  }
}

describe('the event loop lag monitor', () => {
  it('sees a blocked loop, while it is blocked and just after', async () => {
    const lag = monitorLoopLag({ tickMs: 10, windowMs: 100 });
    try {
      await sleep(30);
      blockLoop(150);
      // Inside the blocking work: the overdue tick already counts.
      expect(lag.recentMs()).toBeGreaterThanOrEqual(120);
      await sleep(15);
      expect(lag.recentMs()).toBeGreaterThanOrEqual(120);
    } finally {
      lag.stop();
    }
  });

  it('forgets a past block after two windows of a loop that keeps up', async () => {
    const lag = monitorLoopLag({ tickMs: 5, windowMs: 40 });
    try {
      await sleep(20);
      blockLoop(250);
      await sleep(5);
      expect(lag.recentMs()).toBeGreaterThanOrEqual(200);
      // Far below the block, yet far above what a busy test machine stalls by on its own.
      await sleep(300);
      expect(lag.recentMs()).toBeLessThan(200);
    } finally {
      lag.stop();
    }
  });
});

describe('the budget left for a hook call', () => {
  it('is the budget less what already elapsed when the loop keeps up', () => {
    expect(budgetLeftMs(1500, 20, 0)).toBe(1480);
  });

  it('gives up twice the lag: the wait before the call was read and the late deadline timer', () => {
    expect(budgetLeftMs(1500, 20, 40)).toBe(1400);
  });

  it('never gives up more than its share of the budget to the lag', () => {
    expect(budgetLeftMs(1500, 0, 10_000)).toBe(1500 * (1 - MAX_LAG_SHARE));
    expect(budgetLeftMs(2000, 100, 10_000)).toBe(2000 * (1 - MAX_LAG_SHARE) - 100);
  });
});

describe('the process-wide monitor', () => {
  it('is one for the whole process, however many apps ask for it', () => {
    expect(processLoopLag()).toBe(processLoopLag());
  });

  it('reads no lag once stopped (a stopped monitor must not cut budgets)', async () => {
    const lag = monitorLoopLag({ tickMs: 5, windowMs: 20 });
    lag.stop();
    blockLoop(50);
    await sleep(10);
    expect(lag.recentMs()).toBe(0);
  });
});
