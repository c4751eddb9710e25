import { describe, expect, it } from '@jest/globals';
import { answer, condition, draft, findings, keysOf, med } from './builders.js';

const PREGNANT = '77386006';
const NOT_PREGNANT = '60001007';
const young = { birthDate: '1996-04-02', gender: 'female' as const };

describe('pregnancy', () => {
  it('finds pregnancy on the problem list and calls isotretinoin a contraindication', async () => {
    const [finding] = await findings('order-select', {
      patient: young,
      conditions: [condition('Pregnancy', { snomed: '72892002' })],
      drafts: [draft('Isotretinoin 20 MG Oral Capsule')],
    });
    expect(finding).toMatchObject({
      key: 'pregnancy:isotretinoin',
      ruleId: 'pregnancy/isotretinoin-pregnancy',
      severity: 'critical',
    });
    expect(finding?.summary).toMatch(/^Contraindicated in pregnancy: Isotretinoin/);
  });

  it('reads a pregnancy status observation (LOINC 82810-3) and a positive hCG (LOINC 2106-3)', async () => {
    const status = await keysOf('order-sign', {
      patient: young,
      labs: [answer('82810-3', PREGNANT, 'Pregnant')],
      drafts: [draft('lisinopril 10 mg')],
    });
    expect(status).toEqual(['pregnancy:lisinopril']);
    const hcg = await keysOf('order-sign', {
      patient: young,
      labs: [answer('2106-3', '10828004', 'Positive')],
      drafts: [draft('warfarin 5 mg')],
    });
    expect(hcg).toEqual(['pregnancy:warfarin']);
  });

  it('lets a newer negative test or "not pregnant" outweigh an older positive one', async () => {
    expect(
      await keysOf('order-sign', {
        patient: young,
        labs: [
          answer('2106-3', '10828004', 'Positive', 40),
          answer('82810-3', NOT_PREGNANT, 'Not pregnant', 2),
        ],
        drafts: [draft('warfarin 5 mg')],
      }),
    ).toEqual([]);
  });

  it('ignores evidence older than a pregnancy can last, an hCG in a male patient, and a history of pregnancy', async () => {
    expect(
      await keysOf('order-sign', {
        patient: young,
        labs: [answer('2106-3', '10828004', 'Positive', 320)],
        drafts: [draft('warfarin 5 mg')],
      }),
    ).toEqual([]);
    expect(
      await keysOf('order-sign', {
        patient: { birthDate: '1990-01-01', gender: 'male' },
        labs: [answer('2106-3', '10828004', 'Positive')],
        drafts: [draft('warfarin 5 mg')],
      }),
    ).toEqual([]);
    expect(
      await keysOf('order-sign', {
        patient: young,
        conditions: [condition('History of pregnancy')],
        drafts: [draft('warfarin 5 mg')],
      }),
    ).toEqual([]);
  });

  it('lowers warfarin in pregnancy to a warning with a mechanical heart valve', async () => {
    const [finding] = await findings('order-sign', {
      patient: young,
      conditions: [condition('Pregnant'), condition('Mechanical mitral valve')],
      drafts: [draft('warfarin 5 mg')],
    });
    expect(finding).toMatchObject({ key: 'pregnancy:warfarin', severity: 'warning' });
    expect(finding?.detail).toContain('Lowered');
  });

  it('warns about codeine while breastfeeding (LOINC 63895-7), and not otherwise', async () => {
    const chart = { patient: young, drafts: [draft('codeine 30 mg')] };
    expect(await keysOf('order-sign', chart)).toEqual([]);
    expect(await keysOf('order-sign', { ...chart, labs: [answer('63895-7', '373066001', 'Yes')] })).toEqual([
      'lactation:codeine',
    ]);
  });
});

describe('children', () => {
  it('calls codeine under 12 a contraindication, and is quiet at 12', async () => {
    const [finding] = await findings('order-select', {
      patient: { birthDate: '2017-02-01' },
      drafts: [draft('Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet')],
    });
    expect(finding).toMatchObject({ key: 'pediatric:codeine', severity: 'critical' });
    expect(finding?.evidence).toContain('Patient/p1');
    expect(
      await keysOf('order-select', {
        patient: { birthDate: '2014-06-01' },
        drafts: [draft('Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet')],
      }),
    ).toEqual([]);
  });

  it('calls promethazine under 2 a contraindication', async () => {
    expect(
      await keysOf('order-sign', {
        patient: { birthDate: '2025-08-01' },
        drafts: [draft('promethazine syrup')],
      }),
    ).toEqual(['pediatric:promethazine']);
  });

  it("warns about aspirin in a child only with a viral illness (Reye's syndrome)", async () => {
    const child = { birthDate: '2016-03-01' };
    expect(await keysOf('order-sign', { patient: child, drafts: [draft('aspirin 325 mg')] })).toEqual([]);
    expect(
      await keysOf('order-sign', {
        patient: child,
        conditions: [condition('Influenza', { snomed: '6142004' })],
        drafts: [draft('aspirin 325 mg')],
      }),
    ).toEqual(['pediatric:aspirin']);
  });
});

describe('older adults (AGS Beers Criteria 2023)', () => {
  it('warns about a new diphenhydramine order at 70, and is quiet at 64', async () => {
    const [finding] = await findings('order-select', {
      patient: { birthDate: '1956-01-10' },
      drafts: [draft('diphenhydramine 25 mg at bedtime')],
    });
    expect(finding).toMatchObject({ key: 'geriatric:diphenhydramine', severity: 'warning' });
    expect(
      await keysOf('order-select', {
        patient: { birthDate: '1962-06-01' },
        drafts: [draft('diphenhydramine 25 mg')],
      }),
    ).toEqual([]);
  });

  it('reviews a drug the patient already takes at info, as a deprescribing prompt', async () => {
    const [finding] = await findings('patient-view', {
      patient: { birthDate: '1940-01-10' },
      active: [med('lorazepam 1 mg at night')],
    });
    expect(finding).toMatchObject({ key: 'geriatric:lorazepam', severity: 'info' });
    expect(finding?.suggestions ?? []).toEqual([]);
  });

  it('is quiet for a benzodiazepine in epilepsy, and for a new (not chronic) NSAID order', async () => {
    expect(
      await keysOf('order-sign', {
        patient: { birthDate: '1940-01-10' },
        conditions: [condition('Epilepsy', { snomed: '84757009' })],
        drafts: [draft('clonazepam 0.5 mg')],
      }),
    ).toEqual([]);
    expect(
      await keysOf('order-sign', {
        patient: { birthDate: '1940-01-10' },
        drafts: [draft('ibuprofen 400 mg')],
      }),
    ).toEqual([]);
  });
});
