/**
 * The dispatcher that bounds one FHIR exchange, under the real global fetch against a real local server: bodies
 * are counted as received and, when compressed, once inflated; the connection is cut at the limit or the deadline.
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { BoundedExchange } from '../../../src/fhir/boundedExchange.js';
import {
  type HostileFhirServer,
  endlessBody,
  startHostileFhirServer,
} from '../../fakes/hostile-fhir-server.js';

const LIMIT = 64 * 1024;
const BUNDLE = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [] });

let server: HostileFhirServer;

beforeAll(async () => {
  server = await startHostileFhirServer();
});

afterAll(async () => {
  await server.close();
});

/**
 * GET through the bounded exchange; the body as text, or the error fetch gave. The deadline signal goes to the
 * exchange only, not to fetch: what is shown is the exchange's own cut.
 */
async function get(
  signal: AbortSignal = new AbortController().signal,
): Promise<{ exchange: BoundedExchange; text?: string; error?: unknown }> {
  const exchange = new BoundedExchange({ maxBytes: LIMIT, signal });
  // `dispatcher` is undici's extension of RequestInit, as fhir-kit-client passes it.
  const init = { method: 'GET', dispatcher: exchange };
  try {
    const res = await fetch(`${server.origin}/fhir/Observation`, init);
    return { exchange, text: await res.text() };
  } catch (error) {
    return { exchange, error };
  }
}

function encoded(encoding: string, body: Buffer): void {
  server.respond = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-encoding': encoding }).end(body);
  };
}

const ENCODERS: ReadonlyArray<[string, string, (data: Buffer) => Buffer]> = [
  ['gzip', 'gzip', gzipSync],
  ['deflate (zlib)', 'deflate', deflateSync],
  ['deflate (raw)', 'deflate', deflateRawSync],
  ['br', 'br', brotliCompressSync],
];

describe('BoundedExchange', () => {
  it.each(ENCODERS)('hands fetch a %s body inflated', async (_label, encoding, encode) => {
    encoded(encoding, encode(Buffer.from(BUNDLE)));

    const { exchange, text } = await get();

    expect(text).toBe(BUNDLE);
    expect(exchange.endedBy).toBeUndefined();
    expect(exchange.status).toBe(200);
  });

  it.each(ENCODERS)('refuses a %s body that inflates past the limit', async (_label, encoding, encode) => {
    encoded(encoding, encode(Buffer.alloc(LIMIT * 50, ' ')));

    const { exchange, error } = await get();

    expect(error).toBeDefined();
    expect(exchange.endedBy).toBe('too-large');
  });

  it('tells a corrupt compressed body from one too large', async () => {
    encoded('gzip', Buffer.from('not gzip at all'));

    const { exchange, error } = await get();

    expect(error).toBeDefined();
    expect(exchange.endedBy).toBe('undecodable');
  });

  it('cuts an endless plain body just past the limit', async () => {
    server.respond = endlessBody();

    const { exchange, error } = await get();

    expect(error).toBeDefined();
    expect(exchange.endedBy).toBe('too-large');
  });

  it('cuts the connection when the deadline signal aborts mid-body', async () => {
    server.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.write('{"resourceType":"Bundle"');
      // The rest never comes; the deadline must end it.
    };
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(new Error('deadline')), 100);

    const { exchange, error } = await get(deadline.signal);

    expect(error).toBeDefined();
    expect(exchange.endedBy).toBe('deadline');
  });
});

describe('FHIR_MAX_RESPONSE_BYTES', () => {
  it('defaults to 4 MiB, and refuses a limit under 64 KiB or over 64 MiB', () => {
    expect(loadConfig({}).fhirMaxResponseBytes).toBe(4 * 2 ** 20);
    expect(loadConfig({ FHIR_MAX_RESPONSE_BYTES: '1048576' }).fhirMaxResponseBytes).toBe(2 ** 20);
    expect(() => loadConfig({ FHIR_MAX_RESPONSE_BYTES: '1000' })).toThrow(ConfigError);
    expect(() => loadConfig({ FHIR_MAX_RESPONSE_BYTES: String(2 ** 30) })).toThrow(ConfigError);
  });
});
