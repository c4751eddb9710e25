/**
 * How the service meets the network: the access log names the full path a client asked for, HSTS is sent only
 * on requests that arrived over https (native TLS, or a proxy TRUST_PROXY believes), and TLS_CERT_FILE /
 * TLS_KEY_FILE serve HTTPS natively — checked with a self-signed certificate made here by openssl.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import winston from 'winston';
import { ConfigError, loadConfig } from '../../src/config.js';
import { testConfig } from '../helpers/testConfig.js';
import { silentLogger } from '../helpers/silentLogger.js';
import { createMetrics } from '../../src/metrics.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { testApp } from '../helpers/testApp.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'cds-transport-'));

describe('access log', () => {
  it('records the full path of a request answered inside a mounted router, never its query string', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream })],
    });
    const { app, deps } = await testApp({}, { logger, metrics: createMetrics() });
    try {
      await request(app).options('/cds-services/patient-view-advice').set('Origin', 'https://ehr.example');
      await request(app).get('/cds-services?patient=123');
      await new Promise((resolve) => setImmediate(resolve));
      const paths = lines
        .filter((l) => l.message === 'request')
        .map((l) => `${String(l.method)} ${String(l.path)}`);
      expect(paths).toEqual(['OPTIONS /cds-services/patient-view-advice', 'GET /cds-services']);
    } finally {
      await deps.store.close();
    }
  });
});

describe('HSTS', () => {
  it('is not sent over plain http, nor when an untrusted client claims X-Forwarded-Proto: https', async () => {
    const { app, deps } = await testApp();
    try {
      const plain = await request(app).get('/healthz');
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      const claimed = await request(app).get('/healthz').set('X-Forwarded-Proto', 'https');
      expect(claimed.headers['strict-transport-security']).toBeUndefined();
      // The rest of helmet's headers stay.
      expect(plain.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await deps.store.close();
    }
  });

  it('is sent when a trusted proxy (TRUST_PROXY) says the request arrived over https', async () => {
    const { app, deps } = await testApp({ trustProxy: ['loopback'] });
    try {
      const forwarded = await request(app).get('/healthz').set('X-Forwarded-Proto', 'https');
      expect(forwarded.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      const forwardedHttp = await request(app).get('/healthz').set('X-Forwarded-Proto', 'http');
      expect(forwardedHttp.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await deps.store.close();
    }
  });
});

describe('native HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  const dir = tmp();
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let running: RunningServer;
  let cert: string;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    cert = execFileSync('cat', [certFile], { encoding: 'utf8' });
    const config = loadConfig({ PORT: '0', DATA_DIR: tmp(), TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    running = await startServer(config, silentLogger(), { metrics: createMetrics() });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('answers over https with the configured certificate, and sends HSTS there', async () => {
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { status, hsts, discovery } = await new Promise<{
      status: number;
      hsts: string | undefined;
      discovery: { services: unknown[] };
    }>((resolve, reject) => {
      const req = httpsRequest(`${running.url}/cds-services`, { ca: cert }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            hsts: res.headers['strict-transport-security'],
            discovery: JSON.parse(body) as { services: unknown[] },
          }),
        );
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(discovery.services).toHaveLength(3);
    expect(hsts).toMatch(/max-age=31536000/);
  });

  it('makes the default PUBLIC_BASE_URL https', () => {
    const config = loadConfig({ PORT: '8443', TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    expect(config.publicBaseUrl).toBe('https://127.0.0.1:8443');
  });

  it('refuses one TLS file without the other, naming the missing variable', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: certFile })).toThrow(
      new ConfigError('TLS_KEY_FILE is required when TLS_CERT_FILE is set'),
    );
  });

  it('stops the start naming the variable when a TLS file cannot be read', async () => {
    const config = testConfig({ dataDir: tmp(), tls: { certFile: path.join(dir, 'missing.pem'), keyFile } });
    await expect(startServer(config, silentLogger(), { metrics: createMetrics() })).rejects.toThrow(
      /^TLS_CERT_FILE names .*missing\.pem, which cannot be read \(ENOENT\)$/,
    );
  });
});
