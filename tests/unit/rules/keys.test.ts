import { describe, expect, it } from '@jest/globals';
import { dedupeFindings, findingKey } from '../../../src/findings/keys.js';
import type { Finding } from '../../../src/findings/types.js';

function finding(key: string, severity: Finding['severity'], evidence: string[]): Finding {
  return { advisor: 'rules', key, severity, summary: key, detail: key, evidence, source: { label: 'test' } };
}

describe('finding keys', () => {
  it('normalizes and sorts names so either order and any spelling give one key', () => {
    expect(findingKey('interaction', ['Warfarin', 'ibuprofen'])).toBe('interaction:ibuprofen|warfarin');
    expect(findingKey('interaction', ['IBUPROFEN ', 'warfarin'])).toBe('interaction:ibuprofen|warfarin');
    expect(findingKey('interaction', ['Potassium Chloride', 'lisinopril'])).toBe(
      'interaction:lisinopril|potassium-chloride',
    );
    expect(findingKey('duplicate', ['warfarin', 'Warfarin'])).toBe('duplicate:warfarin');
  });
});

describe('de-duplication within a run', () => {
  it('keeps the most severe finding and the evidence of both', () => {
    const merged = dedupeFindings([
      finding('k', 'info', ['A/1']),
      finding('k', 'warning', ['A/2']),
      finding('other', 'info', ['B/1']),
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ key: 'k', severity: 'warning' });
    expect(merged[0]?.evidence).toEqual(['A/2', 'A/1']);
  });
});
