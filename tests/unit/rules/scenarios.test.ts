/**
 * The scenario suite: every fixture patient in `tests/fixtures/scenarios/` through the real path, scored as
 * found / expected and false alarms. The rules must score 100% with no false alarms on our scenarios; every
 * finding must also become a card that passes outgoing validation.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildCards } from '../../../src/cards/build.js';
import { listScenarios, loadScenario } from '../../../scripts/lib/scenarios.js';
import { runService } from './scenarioHarness.js';

interface Tally {
  expected: number;
  found: number;
  falseAlarms: number;
  wrongGrade: number;
}
const tally: Tally = { expected: 0, found: 0, falseAlarms: 0, wrongGrade: 0 };
const misses: string[] = [];

const scenarios = listScenarios().map(loadScenario);

describe('rules scenario suite', () => {
  it('has scenarios for every hook', () => {
    const hooks = new Set(scenarios.map((s) => s.request.hook));
    expect([...hooks].sort()).toEqual(['order-select', 'order-sign', 'patient-view']);
  });

  it('has at least 100 scenarios, at least 40 of them negatives (charts that must raise no card)', () => {
    const negatives = scenarios.filter((s) => Object.values(s.services).every((list) => list.length === 0));
    expect(scenarios.length).toBeGreaterThanOrEqual(100);
    expect(negatives.length).toBeGreaterThanOrEqual(40);
  });

  for (const scenario of scenarios) {
    for (const [serviceId, expected] of Object.entries(scenario.services)) {
      it(`${scenario.name} on ${serviceId}: finds exactly the expected findings`, async () => {
        const findings = await runService(serviceId, scenario.request, scenario.now);
        const byKey = new Map(findings.map((f) => [f.key, f]));
        const expectedKeys = new Set(expected.map((e) => e.key));
        tally.expected += expected.length;
        for (const e of expected) {
          const f = byKey.get(e.key);
          if (!f) {
            misses.push(`${scenario.name}/${serviceId}: missed ${e.key}`);
            continue;
          }
          tally.found += 1;
          if (f.ruleId !== e.ruleId || f.severity !== e.severity) {
            tally.wrongGrade += 1;
            misses.push(
              `${scenario.name}/${serviceId}: ${e.key} came as ${f.ruleId}/${f.severity}, expected ${e.ruleId}/${e.severity}`,
            );
          }
        }
        for (const f of findings) {
          if (!expectedKeys.has(f.key)) {
            tally.falseAlarms += 1;
            misses.push(`${scenario.name}/${serviceId}: false alarm ${f.key} (${f.ruleId})`);
          }
        }
        const built = buildCards([...findings], serviceId, scenario.request.hookInstance);
        expect(built.dropped.map((d) => d.errors)).toEqual([]);
        expect(findings.map((f) => [f.key, f.ruleId, f.severity]).sort()).toEqual(
          expected.map((e) => [e.key, e.ruleId, e.severity]).sort(),
        );
      });
    }
  }

  afterAll(() => {
    const recall = tally.expected === 0 ? 1 : tally.found / tally.expected;
    console.log(
      [
        `rules scenario score: found ${tally.found}/${tally.expected} (${(recall * 100).toFixed(1)}%),`,
        `false alarms ${tally.falseAlarms}, wrong severity or rule ${tally.wrongGrade},`,
        `${scenarios.length} scenarios (${scenarios.filter((s) => Object.values(s.services).every((l) => l.length === 0)).length} negatives)`,
        ...misses.map((m) => `  - ${m}`),
      ].join(' '),
    );
  });
});
