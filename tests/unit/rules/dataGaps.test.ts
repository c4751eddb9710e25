/**
 * Which checks need which data for which drug comes from the rule checks' own descriptions and the knowledge base
 * (src/advisors/rules/check.ts): every drug the knowledge base gives a renal, lab-value, monitoring or condition rule
 * is named when that data is missing, and no other drug is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runsOn } from '../../../src/advisors/rules/check.js';
import { buildContext } from '../../../src/advisors/rules/context.js';
import {
  createRulesAdvisor,
  evaluate,
  loadKnowledge,
  RULE_CHECKS,
  type KnowledgeBase,
} from '../../../src/advisors/rules/index.js';
import { SEVERITY_RANK } from '../../../src/findings/severity.js';
import type { DataGap, Review } from '../../../src/advisors/types.js';
import type { Finding } from '../../../src/findings/types.js';
import type { HookName, HookRequest, PrefetchKey } from '../../../src/cds/types.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { type Chart, draft, med, reviewOf } from './builders.js';
import { listScenarios, loadScenario } from '../../../scripts/lib/scenarios.js';
import { reviewFor } from './scenarioHarness.js';

const POLYPHARMACY_DIR = path.join(PROJECT_ROOT, 'tests/fixtures/polypharmacy');
const POLYPHARMACY_NOW = new Date('2026-11-24T12:00:00Z');

const kb = loadKnowledge() as KnowledgeBase;
const advisor = createRulesAdvisor({ knowledge: kb });

async function gapsOf(hook: HookName, chart: Chart): Promise<readonly DataGap[]> {
  const outcome = await advisor.advise(reviewOf(hook, chart), new AbortController().signal);
  return outcome.gaps ?? [];
}

const nameOf = (ingredient: string): string => kb.ingredients.get(ingredient)?.name ?? ingredient;

/** Ingredients with a rule of the kind, from the knowledge base itself. */
const renalDrugs = [...kb.renal.keys()];
const labDrugs = [...new Set(kb.highValue.flatMap(({ drugs }) => [...drugs]))];
const conditionDrugs = [...new Set(kb.conditions.flatMap(({ drugs }) => [...drugs]))];
/** Drugs whose dose reduction reads a weight or a creatinine, and drugs with pregnancy or children's rules. */
const reductionDrugs = [...kb.reductionCriteria.keys()];
const populationDrugs = [...new Set([...kb.pregnancy, ...kb.pediatric].flatMap(({ drugs }) => [...drugs]))];
/** Drugs a longitudinal check reads a series for (trends.json). */
const trendDrugs = [
  ...new Set(
    [
      kb.trends.egfrDecline,
      kb.trends.aki,
      kb.trends.potassiumRise,
      kb.trends.hemoglobinDrop,
      ...kb.trends.monitoringOverdue,
    ].flatMap(({ drugs }) => [...drugs]),
  ),
];

describe('data gaps, from the knowledge base', () => {
  it.each(renalDrugs)('names renal dosing for %s when the labs are missing', async (ingredient) => {
    const gaps = await gapsOf('order-sign', { drafts: [draft(nameOf(ingredient))], missing: ['labs'] });
    expect(gaps).toContainEqual(
      expect.objectContaining({ check: 'renal', data: 'labs', drug: nameOf(ingredient) }),
    );
  });

  it.each(labDrugs)('names the lab-value check for %s when the labs are missing', async (ingredient) => {
    const gaps = await gapsOf('order-sign', { drafts: [draft(nameOf(ingredient))], missing: ['labs'] });
    expect(gaps).toContainEqual(
      expect.objectContaining({ check: 'labs', data: 'labs', drug: nameOf(ingredient) }),
    );
  });

  it.each(conditionDrugs)(
    'names the drug–condition check for %s when the problems are missing',
    async (ingredient) => {
      const gaps = await gapsOf('order-sign', {
        drafts: [draft(nameOf(ingredient))],
        missing: ['conditions'],
      });
      expect(gaps).toContainEqual(
        expect.objectContaining({ check: 'conditions', data: 'conditions', drug: nameOf(ingredient) }),
      );
    },
  );

  it('names nothing for a drug no check of the missing data applies to', async () => {
    const plain = [...kb.ingredients.keys()].find(
      (i) =>
        ![renalDrugs, labDrugs, conditionDrugs, reductionDrugs, populationDrugs, trendDrugs].some((drugs) =>
          drugs.includes(i),
        ),
    )!;
    for (const missing of [['labs'], ['conditions'], ['labHistory'], ['vitals']] as PrefetchKey[][]) {
      expect(await gapsOf('order-sign', { drafts: [draft(nameOf(plain))], missing })).toEqual([]);
    }
  });

  it('names only the drugs under review, not the rest of the chart', async () => {
    const gaps = await gapsOf('order-sign', {
      active: [med('metformin 500 mg')],
      drafts: [draft('amoxicillin 500 mg')],
      missing: ['labs'],
    });
    expect(gaps).toEqual([]);
  });

  it('names the lab context of an interaction the labs could have made more severe', async () => {
    const gaps = await gapsOf('order-select', {
      active: [med('warfarin 5 mg')],
      drafts: [draft('ibuprofen 400 mg', { selected: true })],
      missing: ['labs'],
    });
    expect(gaps).toContainEqual(
      expect.objectContaining({ check: 'interactions', data: 'labs', drug: 'ibuprofen' }),
    );
  });

  it('names lab monitoring on patient-view only', async () => {
    const onView = await gapsOf('patient-view', { active: [med('warfarin 5 mg')], missing: ['labs'] });
    expect(onView.map((g) => g.check)).toContain('monitoring');
    const onSign = await gapsOf('order-sign', { drafts: [draft('warfarin 5 mg')], missing: ['labs'] });
    expect(onSign.map((g) => g.check)).not.toContain('monitoring');
  });

  it('names the allergy check for every reviewed drug when the allergies are missing (patient-view)', async () => {
    const gaps = await gapsOf('patient-view', {
      active: [med('amoxicillin 500 mg')],
      missing: ['allergies'],
    });
    expect(gaps).toEqual([expect.objectContaining({ check: 'allergies', drug: 'amoxicillin' })]);
  });
});

/**
 * The declarations are complete: over every scenario and polypharmacy request, on every service it is written for,
 * each prefetch key the rules can do without is taken away in turn (as an EHR's OperationOutcome with no FHIR server
 * would); whenever a check's finding then disappears or becomes less severe while its drug is still under review,
 * the gaps must name that check, that data and that drug's order. A check that reads data it does not declare fails
 * here; a check no request makes speak fails the first test, so a new check comes with a scenario.
 */
describe('data gaps, every check declares what it reads', () => {
  const OPTIONAL: readonly PrefetchKey[] = [
    'medications',
    'conditions',
    'allergies',
    'labs',
    'labHistory',
    'vitals',
  ];
  const requests: { name: string; serviceId: string; request: HookRequest; now: Date }[] = [
    ...listScenarios().flatMap((name) => {
      const s = loadScenario(name);
      return Object.keys(s.services).map((serviceId) => ({
        name,
        serviceId,
        request: s.request,
        now: s.now,
      }));
    }),
    ...readdirSync(POLYPHARMACY_DIR)
      .filter((f) => /\.(patient-view|order-sign)\.json$/.test(f))
      .map((name) => {
        const request = JSON.parse(readFileSync(path.join(POLYPHARMACY_DIR, name), 'utf8')) as HookRequest;
        const serviceId = request.hook === 'patient-view' ? 'patient-view-advice' : 'order-sign-advice';
        return { name, serviceId, request, now: POLYPHARMACY_NOW };
      }),
  ];

  const byCheck = (review: Review): Map<string, readonly Finding[]> => {
    const ctx = buildContext(kb, review);
    return new Map(
      RULE_CHECKS.filter((c) => runsOn(c, review.hook)).map((c) => [
        c.id,
        ctx.reviewed.length ? c.run(ctx) : [],
      ]),
    );
  };

  it('every check speaks in at least one request', () => {
    const spoke = new Set<string>();
    for (const { serviceId, request, now } of requests)
      for (const [id, found] of byCheck(reviewFor(serviceId, request, now))) if (found.length) spoke.add(id);
    expect(RULE_CHECKS.map((c) => c.id).filter((id) => !spoke.has(id))).toEqual([]);
  });

  it('names the check, the data and the order whenever a finding is lost for lack of data', () => {
    const unnamed: string[] = [];
    for (const { name, serviceId, request, now } of requests) {
      const full = byCheck(reviewFor(serviceId, request, now));
      for (const key of OPTIONAL) {
        const review = reviewFor(serviceId, request, now, [key]);
        const reduced = byCheck(review);
        const { gaps } = evaluate(kb, review);
        const stillReviewed = new Set(review.focus.map((m) => m.ref));
        for (const [check, findings] of full) {
          for (const f of findings) {
            const kept = reduced
              .get(check)
              ?.some((r) => r.key === f.key && SEVERITY_RANK[r.severity] >= SEVERITY_RANK[f.severity]);
            if (kept || !f.evidence.some((ref) => stillReviewed.has(ref))) continue;
            const named = gaps.some(
              (g) => g.check === check && g.data === key && f.evidence.includes(g.medication),
            );
            if (!named)
              unnamed.push(`${name} ${serviceId} without ${key}: ${check} ${f.key} (${f.severity})`);
          }
        }
      }
    }
    expect(unnamed).toEqual([]);
  });
});
