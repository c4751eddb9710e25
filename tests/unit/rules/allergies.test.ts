import { describe, expect, it } from '@jest/globals';
import { allergy, draft, findings, keysOf, med } from './builders.js';

describe('drug allergy checks', () => {
  it('marks an order for the very ingredient the patient is allergic to critical', async () => {
    const al = allergy('Lisinopril', { rxcui: '29046' });
    const [finding] = await findings('order-select', {
      allergies: [al],
      drafts: [draft('lisinopril 10 mg', { id: 'd1' })],
    });
    expect(finding).toMatchObject({
      key: 'allergy:lisinopril',
      ruleId: 'allergy/direct',
      severity: 'critical',
    });
    expect(finding?.evidence).toEqual(['MedicationRequest/d1', `AllergyIntolerance/${al.id ?? ''}`]);
  });

  it('treats another penicillin as the same allergy', async () => {
    const [finding] = await findings('order-select', {
      allergies: [allergy('Penicillin G', { rxcui: '7980' })],
      drafts: [draft('Augmentin 875 mg')],
    });
    expect(finding).toMatchObject({
      key: 'allergy:amoxicillin',
      ruleId: 'allergy/class-penicillin',
      severity: 'critical',
    });
    expect(finding?.summary).toBe('Allergy: Amoxicillin ordered; patient allergic to Penicillin G');
  });

  it('recognizes allergy class names charts use ("PCN", "sulfa")', async () => {
    expect(
      await keysOf('order-sign', { allergies: [allergy('PCN')], drafts: [draft('ampicillin 500 mg')] }),
    ).toEqual(['allergy:ampicillin']);
    expect(
      await keysOf('order-sign', { allergies: [allergy('Sulfa')], drafts: [draft('Bactrim DS')] }),
    ).toEqual(['allergy:sulfamethoxazole']);
  });

  it('warns about penicillin–cephalosporin cross-sensitivity', async () => {
    const [finding] = await findings('order-sign', {
      allergies: [allergy('amoxicillin')],
      drafts: [draft('Keflex 500 mg')],
    });
    expect(finding).toMatchObject({
      key: 'allergy:cephalexin',
      ruleId: 'allergy/penicillin-cephalosporin',
      severity: 'warning',
    });
  });

  it('matches on the reaction substance when the allergy code is vague', async () => {
    const al = allergy('Antibiotic allergy');
    const withSubstance = {
      ...al,
      reaction: [{ substance: { text: 'Ciprofloxacin' }, manifestation: [{ text: 'Hives' }] }],
    };
    const [finding] = await findings('order-sign', {
      allergies: [withSubstance],
      drafts: [draft('Cipro 500 mg')],
    });
    expect(finding?.key).toBe('allergy:ciprofloxacin');
    expect(finding?.detail).toContain('Hives');
  });

  it.each([
    ['resolved', { clinicalStatus: 'resolved' }],
    ['inactive', { clinicalStatus: 'inactive' }],
    ['refuted', { verificationStatus: 'refuted' }],
    ['entered in error', { verificationStatus: 'entered-in-error' }],
  ])('ignores a %s allergy', async (_label, options) => {
    expect(
      await keysOf('order-sign', {
        allergies: [allergy('Penicillin', options)],
        drafts: [draft('amoxicillin 500 mg')],
      }),
    ).toEqual([]);
  });

  it('does not flag an unrelated drug (penicillin allergy, azithromycin order)', async () => {
    expect(
      await keysOf('order-sign', {
        allergies: [allergy('Penicillin')],
        drafts: [draft('azithromycin 250 mg')],
      }),
    ).toEqual([]);
  });

  it('does not flag fentanyl for a codeine allergy, but does flag morphine', async () => {
    const allergies = [allergy('Codeine', { criticality: 'low' })];
    expect(await keysOf('order-sign', { allergies, drafts: [draft('fentanyl patch 25 mcg/hr')] })).toEqual(
      [],
    );
    expect(await keysOf('order-sign', { allergies, drafts: [draft('morphine 15 mg')] })).toEqual([
      'allergy:morphine',
    ]);
  });

  it('reviews active medications against allergies on patient-view', async () => {
    expect(
      await keysOf('patient-view', {
        allergies: [allergy('NSAIDs')],
        active: [med('meloxicam 15 mg')],
        patient: { birthDate: '1980-03-01' },
      }),
    ).toEqual(['allergy:meloxicam']);
  });

  it('escapes chart text in the detail', async () => {
    const [finding] = await findings('order-sign', {
      allergies: [allergy('Penicillin [see](http://example.org/x) <b>bold</b>')],
      drafts: [draft('amoxicillin 500 mg')],
    });
    expect(finding?.detail).not.toContain('[see](http');
    expect(finding?.detail).not.toContain('<b>');
  });
});

describe('allergy wording', () => {
  it('says "active" for a medication the patient already takes', async () => {
    const [finding] = await findings('patient-view', {
      allergies: [allergy('Sulfa')],
      active: [med('Bactrim DS')],
    });
    expect(finding?.summary).toBe('Allergy: Sulfamethoxazole active; patient allergic to Sulfa');
  });
});

describe('allergy text in summaries', () => {
  it('flattens line breaks and shortens long chart text', async () => {
    const [finding] = await findings('order-sign', {
      allergies: [allergy('Penicillin\nper patient report, rash in childhood, never tested by an allergist')],
      drafts: [draft('amoxicillin 500 mg')],
    });
    expect(finding?.summary).not.toContain('\n');
    expect(finding?.summary).toMatch(/…$/);
  });
});
