import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../../src/findings/types.js';
import { buildReport, insightCases, loadCases, reportMarkdown, score } from '../../../scripts/eval.js';
import { ageBand } from '../../../scripts/eval/metrics.js';

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
  it('counts an expected finding as found by key (the scheme both advisors share) or by rule id', () => {
    const expected = [
      { key: 'interaction:ibuprofen|warfarin', ruleId: 'interaction/nsaid-anticoagulant' },
      { key: 'renal:metformin', ruleId: 'renal/metformin' },
      { key: 'duplicate:ssri' },
    ];
    const findings = [
      finding('interaction:ibuprofen|warfarin', ['MedicationRequest/d1', 'MedicationRequest/m1'], 'model'),
      finding('renal:metformin-er', ['MedicationRequest/d2'], 'rules', 'renal/metformin'),
      finding('model:def', ['Observation/l9'], 'model'),
    ];

    const result = score(expected, findings);

    expect(result.found).toEqual(['interaction:ibuprofen|warfarin', 'renal:metformin']);
    expect(result.missed).toEqual(['duplicate:ssri']);
    expect(result.falseAlarms).toEqual([
      { key: 'model:def', advisor: 'model', summary: 'finding model:def' },
    ]);
  });

  it('replays every scenario on every service its expectations name', () => {
    const cases = loadCases('penicillin-allergy');

    expect(cases.map((c) => c.serviceId).sort()).toEqual(['order-select-advice', 'order-sign-advice']);
    expect(cases[0]?.expected.map((e) => e.key)).toContain('allergy:amoxicillin');
  });

  it('replays the insight charts on patient-view: expected insights, and charts where silence is right', () => {
    const cases = insightCases();

    expect(new Set(cases.map((c) => c.serviceId))).toEqual(new Set(['patient-view-advice']));
    expect(cases.flatMap((c) => c.expected.map((e) => e.key))).toEqual(
      expect.arrayContaining(['trend:egfr-decline', 'care-gap:undiagnosed-diabetes', 'insight:weight-fall']),
    );
    expect(cases.filter((c) => c.expected.length === 0).map((c) => c.scenario)).toEqual([
      'insight-steady-chart',
      'insight-diabetes-known',
    ]);
    expect(loadCases('insight-weight').map((c) => c.scenario)).toEqual(['insight-weight-loss']);
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
    const model = { status: 'ok', latencyMs: 9, found: ['x'], missed: ['y'], falseAlarms: [] };
    const base = { serviceId: 'order-sign-advice', latencyMs: 10, advisors: { model } };
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

    const report = buildReport(results, {
      advisors: ['rules'],
      model: null,
      budgetMs: 2000,
      note: null,
      modelGuardDrops: { 'unknown-alias': 2 },
    });

    expect(report.totals).toMatchObject({ cases: 2, expected: 3, found: 2, missed: 1, falseAlarms: 0 });
    expect(report.byAgeBand['65-79']).toMatchObject({ expected: 2, found: 1, recall: 0.5 });
    expect(report.bySex.male).toMatchObject({ expected: 1, found: 1, recall: 1 });
    expect(report.byAgeBand['65-79']?.byAdvisor.model).toEqual({
      found: 1,
      missed: 1,
      falseAlarms: 0,
      recall: 0.5,
    });
    expect(report.totals.outcomes).toEqual({ model: { ok: 2 } });
    expect(reportMarkdown(report)).toContain('### By age band');
    expect(reportMarkdown(report)).toContain('removed by validation and guards: unknown-alias 2');
  });
});
