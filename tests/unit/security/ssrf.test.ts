import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import { FHIR_FETCH_REQUEST_OPTIONS, checkFhirServer, fhirServerGuard } from '../../../src/security/ssrf.js';
import { ANONYMOUS_CLIENT, type ClientIdentity } from '../../../src/security/types.js';

const client: ClientIdentity = {
  issuer: 'https://ehr.example.org',
  fhirServers: ['https://ehr.example.org/fhir/r4', 'https://other.example.org'],
};
const strict = { allowInsecureLoopback: false };
const dev = { allowInsecureLoopback: true };

describe('checkFhirServer', () => {
  it('accepts a listed FHIR base, normalized (case, default port, trailing slash)', () => {
    expect(checkFhirServer(client, 'https://EHR.example.org:443/fhir/r4/', strict)).toEqual({
      ok: true,
      url: 'https://ehr.example.org/fhir/r4',
    });
  });

  it('accepts a URL under a listed base, on a path-segment boundary only', () => {
    expect(checkFhirServer(client, 'https://ehr.example.org/fhir/r4/tenant-a', strict).ok).toBe(true);
    expect(checkFhirServer(client, 'https://ehr.example.org/fhir/r4x', strict).ok).toBe(false);
    expect(checkFhirServer(client, 'https://other.example.org/anything', strict).ok).toBe(true);
  });

  it.each([
    ['another host', 'https://attacker.example.net/fhir/r4'],
    ['a host that merely starts like the listed one', 'https://ehr.example.org.attacker.net/fhir/r4'],
    ['another port', 'https://ehr.example.org:8443/fhir/r4'],
    ['a sibling path', 'https://ehr.example.org/fhir/dstu2'],
    ['dot segments climbing out of the base', 'https://ehr.example.org/fhir/r4/../../admin'],
    ['encoded dot segments', 'https://ehr.example.org/fhir/r4/%2e%2e/%2e%2e/admin'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data'],
  ])('refuses %s', (_label, url) => {
    expect(checkFhirServer(client, url, strict)).toEqual({ ok: false, reason: expect.any(String) });
  });

  it.each([
    ['credentials in the URL', 'https://user:pw@ehr.example.org/fhir/r4'],
    ['a query string', 'https://ehr.example.org/fhir/r4?_format=xml'],
    ['a fragment', 'https://ehr.example.org/fhir/r4#x'],
    ['another scheme', 'file:///etc/passwd'],
    ['no URL at all', 'not a url'],
    ['a huge string', `https://ehr.example.org/fhir/r4/${'a'.repeat(5000)}`],
  ])('refuses %s', (_label, url) => {
    expect(checkFhirServer(client, url, strict).ok).toBe(false);
  });

  it('requires https, even for a listed server', () => {
    const httpClient: ClientIdentity = { issuer: 'x', fhirServers: ['http://ehr.example.org/fhir'] };

    expect(checkFhirServer(httpClient, 'http://ehr.example.org/fhir', dev)).toEqual({
      ok: false,
      reason: 'fhirServer must use https',
    });
  });

  it('accepts plain http on loopback only in development', () => {
    const local: ClientIdentity = { issuer: 'x', fhirServers: ['http://127.0.0.1:8080/fhir'] };

    expect(checkFhirServer(local, 'http://127.0.0.1:8080/fhir', dev).ok).toBe(true);
    expect(checkFhirServer(local, 'http://127.0.0.1:8080/fhir', strict).ok).toBe(false);
  });

  it('lets the unauthenticated development client name any server, but not cloud metadata or plain http off loopback', () => {
    expect(checkFhirServer(ANONYMOUS_CLIENT, 'https://launch.smarthealthit.org/v/r4/fhir', dev).ok).toBe(
      true,
    );
    expect(checkFhirServer(ANONYMOUS_CLIENT, 'http://localhost:8080/fhir', dev).ok).toBe(true);
    expect(checkFhirServer(ANONYMOUS_CLIENT, 'http://ehr.example.org/fhir', dev).ok).toBe(false);
    expect(checkFhirServer(ANONYMOUS_CLIENT, 'https://169.254.169.254/latest', dev).ok).toBe(false);
  });

  it('gives a client without fhir_servers no server at all', () => {
    expect(
      checkFhirServer({ issuer: 'x', fhirServers: [] }, 'https://ehr.example.org/fhir/r4', strict).ok,
    ).toBe(false);
  });

  it('is offered in the shape the prefetch resolver takes', () => {
    const guard = fhirServerGuard(client, strict);

    expect(guard('https://ehr.example.org/fhir/r4')).toBeUndefined();
    expect(guard('https://attacker.example.net')).toBe(
      'fhirServer is not one of the FHIR servers this client may use',
    );
  });
});

describe('redirects with fhir-kit-client and FHIR_FETCH_REQUEST_OPTIONS', () => {
  let internal: Server;
  let redirecting: Server;
  const internalRequests: string[] = [];
  let redirectingUrl = '';

  async function listen(server: Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    internal = createServer((req, res) => {
      internalRequests.push(`${req.url} ${req.headers.authorization ?? ''}`);
      res
        .writeHead(200, { 'content-type': 'application/fhir+json' })
        .end('{"resourceType":"Patient","id":"secret"}');
    });
    const internalUrl = await listen(internal);
    redirecting = createServer((req, res) => {
      res.writeHead(302, { location: `${internalUrl}${req.url}` }).end();
    });
    redirectingUrl = await listen(redirecting);
  });

  afterAll(async () => {
    for (const server of [internal, redirecting]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('fails on a redirect and never contacts the host it points to (nor sends it the token)', async () => {
    const fhir = new Client({
      baseUrl: `${redirectingUrl}/fhir`,
      customHeaders: { Authorization: 'Bearer ehr-access-token' },
      requestOptions: { ...FHIR_FETCH_REQUEST_OPTIONS },
    });

    await expect(fhir.request('Patient/1')).rejects.toThrow();
    expect(internalRequests).toEqual([]);
  });
});
