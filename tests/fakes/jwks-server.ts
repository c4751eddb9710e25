/**
 * A stand-in EHR for authentication tests: real key pairs, tokens signed with `jose`, and a JWK Set served over
 * real HTTP on 127.0.0.1 (port 0). Every request the server receives is recorded, so a test can prove that a
 * `jku` off the allow-list was never fetched.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import winston from 'winston';
import type { Logger } from '../../src/logger.js';

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'ES384' | 'RS384';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function createSigningKey(
  alg: 'ES384' | 'RS384' = 'ES384',
  kid = `key-${randomUUID()}`,
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export interface SignOptions {
  readonly key: SigningKey;
  readonly iss: string;
  readonly aud: string | string[];
  /** Overrides or removes (`undefined`) payload claims. */
  readonly claims?: Record<string, unknown>;
  /** Overrides or removes (`undefined`) header parameters. */
  readonly header?: Record<string, unknown>;
  /** Seconds since the epoch; defaults to now. */
  readonly iat?: number;
  readonly lifetimeSeconds?: number;
}

/** Signs a CDS Hooks client JWT (spec §"Trusting CDS Clients") with sensible defaults. */
export async function signToken(options: SignOptions): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: options.iss,
    aud: options.aud,
    iat,
    exp: iat + (options.lifetimeSeconds ?? 120),
    jti: randomUUID(),
    ...options.claims,
  };
  const header: Record<string, unknown> = {
    alg: options.key.alg,
    typ: 'JWT',
    kid: options.key.kid,
    ...options.header,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(options.key.privateKey);
}

export interface JwksServer {
  readonly origin: string;
  /** `origin + path`, e.g. `jwksUrl('/jwks.json')`. */
  url(path: string): string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** Serve these public keys at `path` (replaces what was there). */
  setKeys(path: string, keys: readonly JWK[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const sets = new Map<string, readonly JWK[]>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const keys = sets.get(path);
    if (!keys) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => origin + path,
    requests,
    setKeys: (path, keys) => void sets.set(path, keys),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The example from the CDS Hooks 2.0 specification, "Trusting CDS Clients" (HL7/cds-hooks-hl7-site,
 * docs/2.0/index.md): an ES384 token, kid `example-kid`, `jku` https://fhir-ehr.example.com/jwk_uri, expired in
 * 2015, and the P-384 public JWK Set that verifies it. Public material only.
 */
export const SPEC_EXAMPLE = {
  iss: 'https://fhir-ehr.example.com/',
  aud: 'https://cds.example.org/cds-services/some-service',
  jku: 'https://fhir-ehr.example.com/jwk_uri',
  tenant: '2ddd6c3a-8e9a-44c6-a305-52111ad302a2',
  token:
    'eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUta2lkIiwiamt1IjoiaHR0cHM6Ly9maGlyLWVoci5leGFtcGxlLmNvbS9qd2tfdXJpIn0' +
    '.eyJpc3MiOiJodHRwczovL2ZoaXItZWhyLmV4YW1wbGUuY29tLyIsImF1ZCI6Imh0dHBzOi8vY2RzLmV4YW1wbGUub3JnL2Nkcy1zZXJ2aWNlcy9zb21lLXNlcnZpY2UiLCJleHAiOjE0MjI1Njg4NjAsImlhdCI6MTMxMTI4MDk3MCwianRpIjoiZWUyMmIwMjEtZTFiNy00NjExLWJhNWItOGVlYzZhMzNhYzFlIiwidGVuYW50IjoiMmRkZDZjM2EtOGU5YS00NGM2LWEzMDUtNTIxMTFhZDMwMmEyIn0' +
    '.d1WfLjGRKlcWB94l9do4cM8REXeYJLL6SGUBO8VHZhfM8mwKYP70EMxJ67War4TQblEpaQrp11wx5p7oPFm2ETYgCicS84vXWEIYTdjooZdooCSDf2L8-i4awdoUwiEb',
  jwks: {
    keys: [
      {
        kty: 'EC',
        use: 'sig',
        crv: 'P-384',
        kid: 'example-kid',
        x: '46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk',
        y: 'XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI',
        alg: 'ES384',
      },
    ],
  },
} as const;

/** A logger stand-in that keeps what was logged, for asserting reasons (and the absence of tokens). */
export interface CapturedLog {
  readonly level: string;
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/** A real winston logger whose JSON lines are kept in memory (`lines`, `text`) instead of printed. */
export function captureLogger(): { logger: Logger; entries: CapturedLog[]; text: () => string } {
  const raw: string[] = [];
  const entries: CapturedLog[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = chunk.toString('utf8');
      raw.push(line);
      const { level, message, ...meta } = JSON.parse(line) as { level: string; message: string };
      entries.push({ level, message, meta });
      callback();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, entries, text: () => raw.join('') };
}
