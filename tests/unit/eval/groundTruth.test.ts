import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '../../../hooks/index.js';
import { validateHookRequest } from '../../../src/pipeline/validateRequest.js';
import { requestOfChart } from '../../../scripts/eval/chart.js';
import {
  CLINICAL_KINDS,
  type Expectations,
  judge,
  kindOfFinding,
  loadGroundTruthCases,
  matchesConcern,
} from '../../../scripts/eval/groundTruth.js';
import { NOW, SCENARIO_SPECS } from '../../../scripts/eval/scenarioSpecs.js';

const cases = loadGroundTruthCases();

describe('the ground-truth scenario set', () => {
  it('has about forty cases over every hook, both sexes, children to over-80s, and charts where silence is right', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const hooks = new Set(cases.map((c) => c.request.hook));
    expect([...hooks].sort()).toEqual(['order-select', 'order-sign', 'patient-view']);
    const quiet = cases.filter((c) => c.expectations.expected.length === 0);
    expect(quiet.length).toBeGreaterThanOrEqual(10);
    const ages = SCENARIO_SPECS.map((s) => s.chart.age);
    expect(Math.min(...ages)).toBeLessThan(18);
    expect(Math.max(...ages)).toBeGreaterThanOrEqual(80);
    expect(new Set(SCENARIO_SPECS.map((s) => s.chart.sex)).size).toBe(2);
  });

  it('covers the insight kinds of the chart review', () => {
    const kinds = new Set(
      cases.flatMap((c) =>
        c.expectations.expected.flatMap((e) => (typeof e.kind === 'string' ? [e.kind] : e.kind)),
      ),
    );
    for (const kind of ['trend', 'care-gap', 'treatment', 'differential', 'monitoring'])
      expect(kinds).toContain(kind);
  });

  it('names a clinical source for every expectation and silence, with known kinds', () => {
    for (const c of cases) {
      const e = c.expectations;
      for (const x of [...e.expected, ...(e.acceptable ?? []), ...e.silences]) {
        expect(x.source.length).toBeGreaterThan(10);
        const kinds = x.kind === undefined ? [] : typeof x.kind === 'string' ? [x.kind] : x.kind;
        for (const k of kinds) expect(CLINICAL_KINDS).toContain(k);
      }
      expect(e.now).toBe(NOW);
    }
  });

  it('every request is valid for the service of its hook', () => {
    for (const c of cases) {
      const service = SERVICES.find((s) => s.definition.hook === c.request.hook)!;
      expect(() => validateHookRequest(service.definition, c.request)).not.toThrow();
    }
  });

  it('the files are what npm run eval:scenarios writes from the specs (no hand edits drift from them)', () => {
    for (const spec of SCENARIO_SPECS) {
      const c = cases.find((x) => x.name === spec.chart.name)!;
      expect(c.request).toEqual(JSON.parse(JSON.stringify(requestOfChart({ ...spec.chart, now: NOW }))));
      expect(c.expectations).toMatchObject(JSON.parse(JSON.stringify(spec.expect)) as object);
    }
    expect(cases).toHaveLength(SCENARIO_SPECS.length);
  });

  it('sends history under labs and labHistory, newest first, and weights under vitals', () => {
    const c = cases.find((x) => x.name === 'egfr-decline-years')!;
    const prefetch = c.request.prefetch as unknown as Record<
      string,
      { entry: { resource: { effectiveDateTime: string } }[] }
    >;
    expect(prefetch.labs!.entry).toHaveLength(5);
    expect(prefetch.labHistory!.entry).toEqual(prefetch.labs!.entry);
    const dates = prefetch.labs!.entry.map((e) => e.resource.effectiveDateTime);
    expect([...dates].sort().reverse()).toEqual(dates);
    const child = cases.find((x) => x.name === 'child-tramadol')!;
    expect((child.request.prefetch as Record<string, { entry: unknown[] }>).vitals!.entry).toHaveLength(1);
  });
});

describe('judging a finding against the expectations', () => {
  const expectations: Expectations = {
    description: 'test',
    now: NOW,
    reviewedBy: 'test',
    expected: [
      { kind: 'interaction', severity: 'critical', about: ['warfarin', ['ibuprofen', 'nsaid']], source: 's' },
    ],
    acceptable: [{ kind: 'dose', severity: 'info', about: ['spironolactone'], source: 's' }],
    silences: [
      { kind: 'allergy', about: ['cefazolin'], severities: ['warning', 'critical'], why: 'w', source: 's' },
    ],
  };
  const f = (key: string, summary: string, severity: 'info' | 'warning' | 'critical' = 'warning') => ({
    key,
    summary,
    severity,
  });

  it('matches by kind and every term (in the key or the summary; any of the alternatives)', () => {
    expect(judge(f('interaction:ibuprofen|warfarin', 'x'), expectations)).toMatchObject({
      verdict: 'correct',
      matched: 'expected',
    });
    expect(judge(f('model:abc123', 'Warfarin with an NSAID: bleeding'), expectations)).toMatchObject({
      verdict: 'correct',
    });
    expect(judge(f('duplicate:ibuprofen|warfarin', 'x'), expectations)).toMatchObject({
      verdict: 'incorrect',
      reason: 'not-expected',
    });
  });

  it('an acceptable extra is correct; an expected silence broken at its severity is not', () => {
    expect(judge(f('renal:spironolactone', 'dose review'), expectations)).toMatchObject({
      verdict: 'correct',
      matched: 'acceptable',
    });
    expect(judge(f('allergy:cefazolin', 'x', 'warning'), expectations)).toMatchObject({
      verdict: 'incorrect',
      reason: 'silence-broken',
    });
    expect(judge(f('allergy:cefazolin', 'x', 'info'), expectations)).toMatchObject({
      verdict: 'incorrect',
      reason: 'not-expected',
    });
  });

  it('a silence with no kind and no terms is broken by any advice', () => {
    expect(matchesConcern(f('interaction:a|b', 'anything'), { about: [] })).toBe(true);
  });

  it('reads the kind from the key prefix, and none from a model hash key', () => {
    expect(kindOfFinding({ key: 'renal:metformin' })).toBe('dose');
    expect(kindOfFinding({ key: 'trend:egfr-decline' })).toBe('trend');
    expect(kindOfFinding({ key: 'care-gap:undiagnosed-diabetes' })).toBe('care-gap');
    expect(kindOfFinding({ key: 'model:0123456789abcdef' })).toBeUndefined();
  });
});
