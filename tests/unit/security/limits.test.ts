import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../../src/http/middleware/errorHandler.js';
import {
  ConcurrencyLimit,
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
