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
