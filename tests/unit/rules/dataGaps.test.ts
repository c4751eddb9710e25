/**
 * Which checks need which data for which drug comes from the rule checks' own descriptions and the knowledge base
 * (src/advisors/rules/check.ts): every drug the knowledge base gives a renal, lab-value, monitoring or condition rule
 * is named when that data is missing, and no other drug is.
 */
import { describe, expect, it } from '@jest/globals';
import { createRulesAdvisor, loadKnowledge, type KnowledgeBase } from '../../../src/advisors/rules/index.js';
import type { DataGap } from '../../../src/advisors/types.js';
import type { HookName, PrefetchKey } from '../../../src/cds/types.js';
import { type Chart, draft, med, reviewOf } from './builders.js';

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
        ![renalDrugs, labDrugs, conditionDrugs, reductionDrugs, populationDrugs].some((drugs) =>
          drugs.includes(i),
        ),
    )!;
    for (const missing of [['labs'], ['conditions']] as PrefetchKey[][]) {
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
