/**
 * The layered replay check in isolation: this instance's memory first and always, the shared store within its
 * wait, and what happens when the store fails, hangs or says "replay". The store is a stand-in ReplayGuard.
 */
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { LayeredReplayGuard } from '../../../src/security/replayGuard.js';
import type { ReplayGuard } from '../../../src/security/types.js';
import { captureLogger } from '../../fakes/jwks-server.js';

const ISS = 'https://ehr.example.org';
const soon = (): Date => new Date(Date.now() + 60_000);

/** A shared store that answers as told and counts its calls. */
function sharedStore(answer: () => Promise<boolean>): ReplayGuard & { calls: number } {
  const store = {
    calls: 0,
    rememberJti: () => {
      store.calls += 1;
      return answer();
    },
  };
  return store;
}

function guardOn(shared: ReplayGuard, options: { retryAfterMs?: number } = {}) {
  const captured = captureLogger();
  const registry = new Registry();
  const guard = new LayeredReplayGuard({
    shared,
    waitMs: 50,
    logger: captured.logger,
    metricsRegistry: registry,
    ...options,
  });
  const degraded = async (): Promise<Record<string, number>> => {
    const metric = await registry.getSingleMetric('cds_jwt_replay_checks_degraded_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.reason), v.value]));
  };
  return { guard, degraded, captured };
}

describe('LayeredReplayGuard', () => {
  it('asks the shared store for a fresh jti and follows its answer', async () => {
    let seen = false;
    const shared = sharedStore(() => {
      const fresh = !seen;
      seen = true;
      return Promise.resolve(fresh);
    });
    const a = guardOn(shared).guard;
    const b = guardOn(shared).guard;

    expect(await a.rememberJti(ISS, 'j1', soon())).toBe(true);
    // Another instance, same store: the store says replay.
    expect(await b.rememberJti(ISS, 'j1', soon())).toBe(false);
  });

  it('refuses a replay to this instance without asking the store', async () => {
    const shared = sharedStore(() => Promise.resolve(true));
    const { guard } = guardOn(shared);

    expect(await guard.rememberJti(ISS, 'j1', soon())).toBe(true);
    expect(await guard.rememberJti(ISS, 'j1', soon())).toBe(false);
    expect(shared.calls).toBe(1);
  });

  it('goes on with this instance alone when the store fails, counting and logging it without the jti', async () => {
    const shared = sharedStore(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    const { guard, degraded, captured } = guardOn(shared);

    expect(await guard.rememberJti(ISS, 'secret-jti-1', soon())).toBe(true);
    expect(await guard.rememberJti(ISS, 'secret-jti-2', soon())).toBe(true);
    expect(await guard.rememberJti(ISS, 'secret-jti-1', soon())).toBe(false);

    expect(await degraded()).toEqual({ store_error: 2 });
    const warnings = captured.entries.filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/replay check degraded/);
    expect(captured.text()).not.toContain('secret-jti');
  });

  it('does not wait past its bound for a store that hangs', async () => {
    const shared = sharedStore(() => new Promise<boolean>(() => undefined));
    const { guard, degraded } = guardOn(shared);

    expect(await guard.rememberJti(ISS, 'j1', soon())).toBe(true);

    expect(await degraded()).toEqual({ store_timeout: 1 });
  });

  it('leaves a failing store alone after three failures in a row, then tries it again and logs the recovery', async () => {
    let up = false;
    const shared = sharedStore(() => (up ? Promise.resolve(true) : Promise.reject(new Error('down'))));
    const { guard, degraded, captured } = guardOn(shared, { retryAfterMs: 100 });

    for (let i = 0; i < 5; i += 1) expect(await guard.rememberJti(ISS, `j${i}`, soon())).toBe(true);
    expect(shared.calls).toBe(3);
    expect(await degraded()).toEqual({ store_error: 3, store_skipped: 2 });

    up = true;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await guard.rememberJti(ISS, 'j-after', soon())).toBe(true);

    expect(shared.calls).toBe(4);
    expect(captured.entries.map((e) => e.message)).toContain(
      'jti replay check: the shared store answers again',
    );
  });
});
