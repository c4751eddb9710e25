/**
 * The audit chain's canonical JSON and link hash. Rows already written were hashed with these exact bytes, so the
 * known answers below must never change: a change here would make every existing chain fail verification.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson, linkHash } from '../../../src/store/canonical.js';

const ROW = {
  seq: 7,
  hook: 'order-sign',
  advisors: '[{"advisor":"rules"}]',
  cards: [
    {
      summary: 'Warfarin + ibuprofen: bleeding',
      position: 0,
      evidence: '["MedicationRequest/1"]',
      rule_id: null,
      b: undefined,
    },
  ],
  ünïcode: 'é\u2028',
  z: [1, undefined, -0, 1e21, 0.1],
};

/** The same value with every object's members inserted in reverse order. */
function reversed(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reversed);
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

describe('canonicalJson', () => {
  it('gives the bytes existing chains were hashed with', () => {
    expect(canonicalJson(ROW)).toBe(
      '{"advisors":"[{\\"advisor\\":\\"rules\\"}]","cards":[{"evidence":"[\\"MedicationRequest/1\\"]","position":0,' +
        '"rule_id":null,"summary":"Warfarin + ibuprofen: bleeding"}],"hook":"order-sign","seq":7,' +
        '"z":[1,null,0,1e+21,0.1],"ünïcode":"é\u2028"}',
    );
    expect(linkHash('0'.repeat(64), ROW)).toBe(
      'f410927d7afd19edba274342595c3bf8d2cea1d8de10ddbd41e7879e247fdc0c',
    );
  });

  it('is JSON for the same value, with keys sorted at every level, whatever the insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const parsed: unknown = JSON.parse(text);
        expect(parsed).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reversed(value))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('non-finite');
    expect(() => canonicalJson([Infinity])).toThrow('non-finite');
  });
});
