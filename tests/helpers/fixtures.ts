/** Reads fixture files under tests/fixtures; each call returns a fresh copy the test may change. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function fixture<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, relativePath), 'utf8')) as T;
}

/** A hook request fixture, e.g. `requestFixture('order-select.full-prefetch')`. */
export function requestFixture(
  scenario: string,
): Record<string, unknown> & { prefetch?: Record<string, unknown> } {
  return fixture(`requests/${scenario}.json`);
}

/** `body` with `fhirServer` and a `fhirAuthorization` carrying `accessToken`, as an EHR sends them. */
export function withFhirServer<T extends Record<string, unknown>>(
  body: T,
  fhirServer: string,
  accessToken: string,
): T {
  return {
    ...body,
    fhirServer,
    fhirAuthorization: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'user/Patient.read user/MedicationRequest.read',
      subject: 'cds-advisor',
    },
  };
}
