import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadTrustedClients, parseTrustedClients } from '../../../src/security/trustedClients.js';
import { SPEC_EXAMPLE } from '../../fakes/jwks-server.js';

const SOURCE = 'TRUSTED_CLIENTS_FILE clients.json';

function writeTemp(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'trusted-')), 'clients.json');
  writeFileSync(file, content);
  return file;
}

describe('trusted clients file', () => {
  it('loads the contract example, normalizing URLs and folding jwks_url into the jku allow-list', () => {
    const clients = parseTrustedClients(
      [
        {
          iss: 'https://ehr.example.org',
          jwks_url: 'https://ehr.example.org/.well-known/jwks.json',
          jwks: { keys: [] },
          allowed_jku: [
            'https://ehr.example.org/.well-known/jwks.json',
            'https://keys.example.org/rotated.json',
          ],
          fhir_servers: ['https://EHR.example.org:443/fhir/r4/'],
          tenant: 'optional-tenant-id',
        },
      ],
      SOURCE,
    );

    expect(clients).toEqual([
      {
        iss: 'https://ehr.example.org',
        jwksUrl: 'https://ehr.example.org/.well-known/jwks.json',
        jwks: { keys: [] },
        allowedJku: [
          'https://ehr.example.org/.well-known/jwks.json',
          'https://keys.example.org/rotated.json',
        ],
        fhirServers: ['https://ehr.example.org/fhir/r4'],
        tenant: 'optional-tenant-id',
      },
    ]);
  });

  it('accepts inline keys alone', () => {
    const [client] = parseTrustedClients([{ iss: SPEC_EXAMPLE.iss, jwks: SPEC_EXAMPLE.jwks }], SOURCE);

    expect(client).toMatchObject({ iss: SPEC_EXAMPLE.iss, allowedJku: [], fhirServers: [] });
  });

  it('names the entry when it has neither jwks_url nor jwks', () => {
    expect(() => parseTrustedClients([{ iss: 'https://a.example' }], SOURCE)).toThrow(
      'TRUSTED_CLIENTS_FILE clients.json: entry 0 (iss "https://a.example") needs "jwks_url" or "jwks" to verify its tokens',
    );
  });

  it('reports schema violations with their JSON pointer', () => {
    expect(() => parseTrustedClients([{ iss: 'x', jwks_url: 'ftp://keys' }], SOURCE)).toThrow(
      /\/0\/jwks_url must match pattern/,
    );
    expect(() => parseTrustedClients([{ iss: 'x', jwks_url: 'https://k', extra: 1 }], SOURCE)).toThrow(
      /\/0\/extra is not allowed here/,
    );
    expect(() => parseTrustedClients({ iss: 'x' }, SOURCE)).toThrow(/must be array/);
  });

  it('refuses a repeated issuer', () => {
    const entry = { iss: 'https://a.example', jwks_url: 'https://a.example/jwks' };
    expect(() => parseTrustedClients([entry, entry], SOURCE)).toThrow(
      /entry 1 repeats iss "https:\/\/a.example"/,
    );
  });

  it('refuses private key material in inline keys', () => {
    const privateJwk = { ...SPEC_EXAMPLE.jwks.keys[0], d: 'SeFX' };
    expect(() => parseTrustedClients([{ iss: 'x', jwks: { keys: [privateJwk] } }], SOURCE)).toThrow(
      /jwks.keys\[0\] contains private or symmetric key material \(d\)/,
    );
  });

  it('refuses plain-http key-set URLs except on loopback', () => {
    expect(() =>
      parseTrustedClients([{ iss: 'x', jwks_url: 'http://ehr.example.org/jwks' }], SOURCE),
    ).toThrow(/jwks_url must use https/);
    expect(() =>
      parseTrustedClients([{ iss: 'x', jwks_url: 'https://k', allowed_jku: ['http://k2/jwks'] }], SOURCE),
    ).toThrow(/allowed_jku\[0\] must use https/);
    expect(parseTrustedClients([{ iss: 'x', jwks_url: 'http://127.0.0.1:8080/jwks' }], SOURCE)).toHaveLength(
      1,
    );
  });

  it('refuses a FHIR base URL with a query, fragment or credentials', () => {
    for (const bad of ['https://ehr/fhir?x=1', 'https://ehr/fhir#top', 'https://user:pw@ehr/fhir']) {
      expect(() =>
        parseTrustedClients([{ iss: 'x', jwks_url: 'https://k', fhir_servers: [bad] }], SOURCE),
      ).toThrow(/fhir_servers\[0\] must be an http\(s\) base URL/);
    }
  });

  it('says which file cannot be read or parsed', () => {
    expect(() => loadTrustedClients('/nonexistent/clients.json')).toThrow(
      'TRUSTED_CLIENTS_FILE /nonexistent/clients.json cannot be read (ENOENT)',
    );
    const broken = writeTemp('[{"iss": ');
    expect(() => loadTrustedClients(broken)).toThrow(
      new RegExp(`TRUSTED_CLIENTS_FILE ${broken} is not valid JSON`),
    );
  });

  it('loads a file from disk', () => {
    const file = writeTemp(
      JSON.stringify([{ iss: 'https://a.example', jwks_url: 'https://a.example/jwks' }]),
    );

    expect(loadTrustedClients(file).map((c) => c.iss)).toEqual(['https://a.example']);
  });
});
