import { describe, expect, it } from '@jest/globals';
import { draft, findings, inr, keysOf, med, potassium } from './builders.js';

describe('lab-aware checks', () => {
  it('marks spironolactone contraindicated when potassium is above 5.5', async () => {
    const k = potassium(5.8);
    const [finding] = await findings('order-sign', { drafts: [draft('spironolactone 25 mg')], labs: [k] });
    expect(finding).toMatchObject({ key: 'lab:potassium|spironolactone', severity: 'critical' });
    expect(finding?.evidence).toContain(`Observation/${k.id ?? ''}`);
  });

  it('warns for a potassium supplement when potassium is 5.1 to 5.5', async () => {
    expect(
      (await findings('order-sign', { drafts: [draft('Klor-Con 20 mEq')], labs: [potassium(5.3)] }))[0]
        ?.severity,
    ).toBe('warning');
  });

  it('warns for an ACE inhibitor when potassium is high, not when it is 5.0', async () => {
    expect(
      await keysOf('order-sign', { drafts: [draft('lisinopril 10 mg')], labs: [potassium(5.4)] }),
    ).toEqual(['lab:lisinopril|potassium']);
    expect(
      await keysOf('order-sign', { drafts: [draft('lisinopril 10 mg')], labs: [potassium(5.0)] }),
    ).toEqual([]);
  });

  it('uses the latest potassium: a normal result after a high one ends the alert', async () => {
    expect(
      await keysOf('order-sign', {
        drafts: [draft('spironolactone 25 mg')],
        labs: [potassium(6.1, 6), potassium(4.4, 1)],
      }),
    ).toEqual([]);
  });

  it('ignores a high potassium older than 30 days', async () => {
    expect(
      await keysOf('order-sign', { drafts: [draft('spironolactone 25 mg')], labs: [potassium(6.0, 40)] }),
    ).toEqual([]);
  });

  it('treats mEq/L like mmol/L for potassium', async () => {
    const k = { ...potassium(5.9), valueQuantity: { value: 5.9, unit: 'mEq/L', code: 'meq/L' } };
    expect(await keysOf('order-sign', { drafts: [draft('amiloride 5 mg')], labs: [k] })).toEqual([
      'lab:amiloride|potassium',
    ]);
  });
});

describe('missing monitoring (patient-view)', () => {
  it('notes warfarin without an INR in 30 days and offers to order one', async () => {
    const [finding] = await findings('patient-view', {
      active: [med('warfarin 5mg', { id: 'w' })],
      labs: [inr(2.5, 45)],
    });
    expect(finding).toMatchObject({
      key: 'monitoring:inr|warfarin',
      severity: 'info',
      evidence: ['MedicationRequest/w'],
    });
    expect(finding?.suggestions?.[0]?.actions[0]).toMatchObject({
      type: 'create',
      resource: { resourceType: 'ServiceRequest' },
    });
  });

  it('stays quiet with a recent INR', async () => {
    expect(await keysOf('patient-view', { active: [med('warfarin 5mg')], labs: [inr(2.5, 10)] })).toEqual([]);
  });

  it('does not claim a missing INR when the labs could not be obtained: it says the check was not done', async () => {
    const found = await findings('patient-view', { active: [med('warfarin 5mg')], missing: ['labs'] });
    expect(found.map((f) => f.ruleId)).toEqual(['data-gap']);
    expect(found[0]?.detail).toContain('**Lab monitoring** for **warfarin**');
  });

  it('does not nag about monitoring while ordering', async () => {
    expect(
      await keysOf('order-sign', { active: [med('warfarin 5mg')], drafts: [draft('amlodipine 5 mg')] }),
    ).toEqual([]);
  });
});

describe('supratherapeutic INR', () => {
  it('warns when a patient on warfarin has an INR above 4', async () => {
    const [finding] = await findings('patient-view', { active: [med('warfarin 5mg')], labs: [inr(5.2, 1)] });
    expect(finding).toMatchObject({
      key: 'lab:inr|warfarin',
      severity: 'warning',
      summary: 'Warfarin with INR 5.2: bleeding risk',
    });
  });

  it('stays quiet at an INR of 3.5 or for a patient not on warfarin', async () => {
    expect(await keysOf('patient-view', { active: [med('warfarin 5mg')], labs: [inr(3.5, 1)] })).toEqual([]);
    expect(await keysOf('patient-view', { active: [med('apixaban 5 mg')], labs: [inr(5.2, 1)] })).toEqual([]);
  });
});
