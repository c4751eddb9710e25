import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createPseudonymizer } from '../../../src/pipeline/pseudonym.js';

const KEY = 'pseudonym-test-key-0123456789abcdef';
const hmacOf = (id: string): string => createHmac('sha256', KEY).update(id).digest('base64url').slice(0, 22);

describe('patient pseudonyms', () => {
  it('are the keyed HMAC of the id, never the id itself', () => {
    const pseudonymize = createPseudonymizer(KEY);
    expect(pseudonymize('pt-8842')).toBe(hmacOf('pt-8842'));
    expect(pseudonymize('pt-8842')).not.toContain('8842');
  });

  it('differ between keys and between patients', () => {
    expect(createPseudonymizer(KEY)('pt-1')).not.toBe(createPseudonymizer(`${KEY}x`)('pt-1'));
    expect(createPseudonymizer(KEY)('pt-1')).not.toBe(createPseudonymizer(KEY)('pt-2'));
  });

  it('stay the same for a patient however many others pass through the bounded cache', () => {
    const pseudonymize = createPseudonymizer(KEY, 4);
    const ids = Array.from({ length: 20 }, (_, i) => `pt-${i}`);
    for (let round = 0; round < 3; round++) {
      for (const id of ids) expect(pseudonymize(id)).toBe(hmacOf(id));
    }
    // Asked again at once (cached) and after the cache turned over (computed again): the same answer.
    expect(pseudonymize('pt-19')).toBe(hmacOf('pt-19'));
    expect(pseudonymize('pt-0')).toBe(hmacOf('pt-0'));
  });
});
