/** Graceful shutdown: in-flight requests finish, new connections are refused, the store is flushed and closed. */
import { describe, expect, it } from '@jest/globals';
import type { Advisor, AdvisorOutcome } from '../../src/advisors/types.js';
import { testConfig } from '../helpers/testConfig.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createMetrics } from '../../src/metrics.js';
import { startServer } from '../../src/server.js';
import { MemoryStore } from '../doubles/memoryStore.js';
import { requestFixture } from '../helpers/fixtures.js';

/** An advisor that holds its answer until released, so a request is in flight when shutdown starts. */
function heldAdvisor(): {
  advisor: Advisor & { closed: boolean };
  release: () => void;
  started: Promise<void>;
} {
  let release!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const advisor: Advisor & { closed: boolean } = {
    closed: false,
    close() {
      this.closed = true;
    },
    name: 'rules',
    advise: async (): Promise<AdvisorOutcome> => {
      markStarted();
      await gate;
      return { advisor: 'rules', status: 'ok', findings: [], latencyMs: 0 };
    },
  };
  return { advisor, release, started };
}

describe('graceful shutdown', () => {
  it('finishes the in-flight hook call, then closes the advisors and flushes and closes the store', async () => {
    const store = new MemoryStore();
    let closed = false;
    store.close = () => {
      closed = true;
      return Promise.resolve();
    };
    const held = heldAdvisor();
    const running = await startServer(testConfig({ port: 0 }), silentLogger(), {
      store,
      advisors: [held.advisor],
      metrics: createMetrics(),
    });
    const inFlight = fetch(`${running.url}/cds-services/order-sign-advice`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(requestFixture('order-sign.full-prefetch')),
    });
    await held.started;
    const stopping = running.stop();
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    held.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    await stopping;
    expect(closed).toBe(true);
    expect(held.advisor.closed).toBe(true);
    expect(store.invocations).toHaveLength(1);
  });
});
