import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../../src/advisors/types.js';
import { ageBand, buildReport, expectedOf, reportMarkdown, score } from '../../../scripts/eval.js';

function finding(
  key: string,
  evidence: string[],
  advisor: Finding['advisor'] = 'rules',
  ruleId?: string,
): Finding {
  return {
    advisor,
    key,
    ...(ruleId && { ruleId }),
    severity: 'warning',
    summary: `finding ${key}`,
    detail: 'detail',
    evidence,
    source: { label: 'test' },
  };
}

describe('evaluation scoring', () => {
  it('counts an expected finding as found by key, by rule id, or by the evidence it must cite', () => {
    const expected = [
      { key: 'interaction:ibuprofen|warfarin' },
      { ruleId: 'renal-metformin' },
      { evidence: ['MedicationRequest/d1', 'AllergyIntolerance/a1'] },
      { key: 'duplicate:ssri' },
    ];
    const findings = [
      finding('interaction:ibuprofen|warfarin', ['MedicationRequest/d1', 'MedicationRequest/m1']),
      finding('renal:metformin', ['MedicationRequest/d2'], 'rules', 'renal-metformin'),
      finding('model:abc', ['MedicationRequest/d1', 'AllergyIntolerance/a1', 'Observation/l1'], 'model'),
      finding('model:def', ['Observation/l9'], 'model'),
    ];

    const result = score(expected, findings);

    expect(result.found).toEqual([
      'interaction:ibuprofen|warfarin',
      'renal-metformin',
      'evidence:MedicationRequest/d1+AllergyIntolerance/a1',
    ]);
    expect(result.missed).toEqual(['duplicate:ssri']);
    expect(result.falseAlarms).toEqual([
      { key: 'model:def', advisor: 'model', summary: 'finding model:def' },
    ]);
  });

  it('reads expected findings from the shapes a scenario file may use', () => {
    expect(expectedOf(['k1']).expected).toEqual([{ key: 'k1' }]);
    expect(
      expectedOf({ findings: [{ key: 'k2', severity: 'warning' }], now: '2026-01-01T00:00:00Z' }),
    ).toEqual({
      expected: [{ key: 'k2' }],
      now: '2026-01-01T00:00:00Z',
    });
    expect(expectedOf({ cards: [{ ruleId: 'r1' }] }).expected).toEqual([{ ruleId: 'r1' }]);
    expect(expectedOf({}).expected).toEqual([]);
  });

  it('bands ages so uneven performance by age shows', () => {
    expect([undefined, 4, 30, 50, 70, 95].map(ageBand)).toEqual([
      'unknown',
      '0-17',
      '18-44',
      '45-64',
      '65-79',
      '80+',
    ]);
  });

  it('reports totals per age band and sex, in JSON and Markdown', () => {
    const base = { serviceId: 'order-sign-advice', latencyMs: 10, advisors: {} };
    const results = [
      {
        ...base,
        name: 'a',
        ageBand: '65-79',
        sex: 'female',
        expected: 2,
        found: ['x'],
        missed: ['y'],
        falseAlarms: [],
      },
      {
        ...base,
        name: 'b',
        ageBand: '18-44',
        sex: 'male',
        expected: 1,
        found: ['z'],
        missed: [],
        falseAlarms: [],
      },
    ];

    const report = buildReport(results, { advisors: ['rules'], model: null, budgetMs: 2000, note: null });

    expect(report.totals).toMatchObject({ scenarios: 2, expected: 3, found: 2, missed: 1, falseAlarms: 0 });
    expect(report.byAgeBand['65-79']).toMatchObject({ expected: 2, found: 1, recall: 0.5 });
    expect(report.bySex.male).toMatchObject({ expected: 1, found: 1, recall: 1 });
    expect(reportMarkdown(report)).toContain('### By age band');
  });
});
