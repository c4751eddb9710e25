import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../../src/http/middleware/errorHandler.js';
import { ConcurrencyLimit } from '../../../src/timing/concurrencyLimit.js';
import {
  applyServerTimeouts,
  clientRateLimit,
  ipRateLimit,
  rateLimitKey,
} from '../../../src/http/middleware/limits.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../helpers/silentLogger.js';
import { ANONYMOUS_CLIENT, type ClientIdentity } from '../../../src/security/types.js';

const ehrA: ClientIdentity = { issuer: 'https://a.example', fhirServers: [] };
const ehrB: ClientIdentity = { issuer: 'https://b.example', tenant: 't', fhirServers: [] };

describe('rate limit keys', () => {
  it('keys an authenticated EHR by issuer and tenant, whatever its IP', () => {
    expect(rateLimitKey(ehrA, '10.0.0.1')).toBe('client:https://a.example');
    expect(rateLimitKey(ehrA, '10.0.0.2')).toBe('client:https://a.example');
    expect(rateLimitKey(ehrB, '10.0.0.1')).toBe('client:https://b.example#t');
  });

  it('keys the anonymous development client and unauthenticated calls by IP, IPv6 by prefix', () => {
    expect(rateLimitKey(ANONYMOUS_CLIENT, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitKey(undefined, '2001:db8:1:2::1')).toBe(rateLimitKey(undefined, '2001:db8:1:2::ffff'));
  });
});

describe('rate limiting through Express', () => {
  function appWith(client: ClientIdentity | undefined) {
    const app = express();
    app.use(ipRateLimit({ limit: 100 }));
    app.use((_req, res, next) => {
      res.locals.client = client;
      next();
    });
    app.use(clientRateLimit({ limit: 2 }));
    app.get('/cds-services', (_req, res) => void res.json({ services: [] }));
    app.use(errorHandler(silentLogger(), 1024));
    return app;
  }

  it('answers 429 with the standard error body and rate-limit headers once a client exceeds its limit', async () => {
    const app = appWith(ehrA);

    await request(app).get('/cds-services').expect(200);
    await request(app).get('/cds-services').expect(200);
    const res = await request(app).get('/cds-services').expect(429);

    expect((res.body as { error: unknown }).error).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(res.headers.ratelimit).toBeDefined();
  });

  it('counts only failed requests per IP before authentication', async () => {
    const app = express();
    app.use(ipRateLimit({ limit: 2 }));
    app.get('/ok', (_req, res) => void res.end('ok'));
    app.get('/denied', (_req, res) => void res.status(401).end());
    app.use(errorHandler(silentLogger(), 1024));

    for (let i = 0; i < 5; i += 1) await request(app).get('/ok').expect(200);
    await request(app).get('/denied').expect(401);
    await request(app).get('/denied').expect(401);

    await request(app).get('/ok').expect(429);
  });

  it('gives each EHR its own budget', async () => {
    const app = express();
    let next: ClientIdentity = ehrA;
    app.use((_req, res, n) => {
      res.locals.client = next;
      n();
    });
    app.use(clientRateLimit({ limit: 1 }));
    app.get('/x', (_req, res) => void res.end('ok'));

    await request(app).get('/x').expect(200);
    next = ehrB;
    await request(app).get('/x').expect(200);
    next = ehrA;
    await request(app).get('/x').expect(429);
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default, a hop count, or a list of proxy addresses, never a blanket true', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });
});

describe('server timeouts', () => {
  it('sets header, request and keep-alive timeouts consistently', () => {
    const server = createServer();

    applyServerTimeouts(server, {
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 90_000,
    });

    expect(server.requestTimeout).toBe(20_000);
    expect(server.headersTimeout).toBe(20_000);
    expect(server.keepAliveTimeout).toBe(20_000);
  });

  it('drops a client that never finishes sending its headers', async () => {
    const server = createServer({ connectionsCheckingInterval: 50 }, (_req, res) => res.end('ok'));
    applyServerTimeouts(server, { headersTimeoutMs: 200, requestTimeoutMs: 400 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const socket = connect(port, '127.0.0.1');
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n'); // no blank line: the headers never end
      const answer = await new Promise<string>((resolve) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
      });

      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks per key at once, in order, and other keys freely', async () => {
    const limit = new ConcurrencyLimit(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const task = (i: number) => () =>
      new Promise<number>((resolve) => {
        active += 1;
        peak = Math.max(peak, active);
        order.push(i);
        gates.push(() => {
          active -= 1;
          resolve(i);
        });
      });

    const runs = [1, 2, 3, 4].map((i) => limit.run('https://fhir.a', undefined, task(i)));
    const other = limit.run('https://fhir.b', undefined, task(99));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2, 99]);
    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }

    expect(await Promise.all(runs)).toEqual([1, 2, 3, 4]);
    expect(await other).toBe(99);
    expect(peak).toBe(3);
    expect(order).toEqual([1, 2, 99, 3, 4]);
  });

  it('lets a waiter whose signal aborts leave the queue', async () => {
    const limit = new ConcurrencyLimit(1);
    let release: () => void = () => undefined;
    const first = limit.run('k', undefined, () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiting = limit.run('k', controller.signal, () => Promise.resolve('never'));

    controller.abort(new Error('deadline'));

    await expect(waiting).rejects.toThrow('deadline');
    release();
    await first;
    expect(await limit.run('k', undefined, () => Promise.resolve('next'))).toBe('next');
  });
});

describe('ConcurrencyLimit priorities (required prefetch reads before optional ones)', () => {
  /** A task that starts, records its name, and runs until `finish(name)`; resolves with its name. */
  function tasks() {
    const started: string[] = [];
    const finishers = new Map<string, () => void>();
    const preemptions = new Map<string, AbortSignal>();
    const task =
      (name: string) =>
      (preempted: AbortSignal): Promise<string> =>
        new Promise<string>((resolve, reject) => {
          started.push(name);
          preemptions.set(name, preempted);
          finishers.set(name, () => resolve(name));
          // A task that honours preemption stops at once, as a FHIR read does when its signal aborts.
          const stop = (): void => reject(preempted.reason as Error);
          if (preempted.aborted) stop();
          else preempted.addEventListener('abort', stop, { once: true });
        });
    const finish = async (name: string): Promise<void> => {
      finishers.get(name)?.();
      await new Promise((r) => setImmediate(r));
    };
    return { started, task, finish, preemptions };
  }
  const turn = () => new Promise((r) => setImmediate(r));

  it('gives the next free slot to a waiting high-priority task before any low-priority one', async () => {
    const limit = new ConcurrencyLimit(1);
    const { started, task, finish } = tasks();

    const runs = [
      limit.run('k', undefined, task('first'), { priority: 'low' }),
      limit.run('k', undefined, task('low-1'), { priority: 'low' }),
      limit.run('k', undefined, task('low-2'), { priority: 'low' }),
      limit.run('k', undefined, task('high-1')),
      limit.run('k', undefined, task('high-2'), { priority: 'high' }),
    ];
    await turn();
    expect(started).toEqual(['first']);
    for (const name of ['first', 'high-1', 'high-2', 'low-1', 'low-2']) await finish(name);

    expect(await Promise.all(runs)).toEqual(['first', 'low-1', 'low-2', 'high-1', 'high-2']);
    expect(started).toEqual(['first', 'high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('starts low-priority tasks only while more free slots remain than the reserve', async () => {
    const limit = new ConcurrencyLimit(4, { lowPriorityReserve: 1 });
    const { started, task, finish } = tasks();

    const lows = ['low-1', 'low-2', 'low-3', 'low-4'].map((name) =>
      limit.run('k', undefined, task(name), { priority: 'low' }),
    );
    await turn();
    expect(started).toEqual(['low-1', 'low-2', 'low-3']);
    // The reserved slot is there for a high-priority task at once.
    const high = limit.run('k', undefined, task('high'));
    await turn();
    expect(started).toEqual(['low-1', 'low-2', 'low-3', 'high']);
    // Freeing the high task's slot leaves exactly the reserve free: still no room for the fourth low task.
    await finish('high');
    expect(started).toHaveLength(4);
    await finish('low-1');
    expect(started.at(-1)).toBe('low-4');
    for (const name of ['low-2', 'low-3', 'low-4']) await finish(name);
    await Promise.all([...lows, high]);
  });

  it('preempts the newest running low-priority task when a waiting high-priority one becomes urgent', async () => {
    const limit = new ConcurrencyLimit(2);
    const { started, task, finish, preemptions } = tasks();
    const older = limit.run('k', undefined, task('low-older'), { priority: 'low' });
    const newer = limit.run('k', undefined, task('low-newer'), { priority: 'low' });
    const urgent = new AbortController();
    const high = limit.run('k', undefined, task('high'), { urgent: urgent.signal });
    await turn();
    expect(started).toEqual(['low-older', 'low-newer']);

    urgent.abort();

    await expect(newer).rejects.toThrow();
    await turn();
    expect(preemptions.get('low-newer')?.aborted).toBe(true);
    expect(preemptions.get('low-older')?.aborted).toBe(false);
    expect(started).toEqual(['low-older', 'low-newer', 'high']);
    await finish('high');
    await finish('low-older');
    expect(await high).toBe('high');
    expect(await older).toBe('low-older');
  });

  it('preempts at once for a high-priority task that arrives already urgent, and never a high-priority task', async () => {
    const limit = new ConcurrencyLimit(2);
    const { started, task, finish, preemptions } = tasks();
    const running = limit.run('k', undefined, task('high-running'));
    const low = limit.run('k', undefined, task('low'), { priority: 'low' });
    const late = limit.run('k', undefined, task('high-late'), { urgent: AbortSignal.abort() });

    await expect(low).rejects.toThrow();
    await turn();
    expect(preemptions.get('high-running')?.aborted).toBe(false);
    expect(started).toEqual(['high-running', 'low', 'high-late']);
    await finish('high-running');
    await finish('high-late');
    expect(await Promise.all([running, late])).toEqual(['high-running', 'high-late']);
  });

  it('lets a low-priority waiter whose signal aborts leave the queue', async () => {
    const limit = new ConcurrencyLimit(1);
    const { task, finish } = tasks();
    const first = limit.run('k', undefined, task('first'));
    const controller = new AbortController();
    const waiting = limit.run('k', controller.signal, task('never'), { priority: 'low' });

    controller.abort(new Error('optional share spent'));

    await expect(waiting).rejects.toThrow('optional share spent');
    await finish('first');
    await first;
    expect(await limit.run('k', undefined, () => Promise.resolve('next'), { priority: 'low' })).toBe('next');
  });
});
