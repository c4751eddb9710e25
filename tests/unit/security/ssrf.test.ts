/**
 * The SSRF guard's decisions. That a redirect or a `next` link never reaches another host is shown through the app
 * and the real FHIR reader in tests/api/fhir-ssrf.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { checkFhirServer } from '../../../src/security/ssrf.js';
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
    ['empty credentials', 'https://@ehr.example.org/fhir/r4'],
    ['a query string', 'https://ehr.example.org/fhir/r4?_format=xml'],
    ['an empty query, which URL would drop', 'https://ehr.example.org/fhir/r4?'],
    ['a fragment', 'https://ehr.example.org/fhir/r4#x'],
    ['an empty fragment, which URL would drop', 'https://ehr.example.org/fhir/r4#'],
    ['an encoded slash', 'https://ehr.example.org/fhir/r4/..%2F..%2Fadmin'],
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
});
