import { describe, expect, it } from '@jest/globals';
import { condition, draft, findings, keysOf } from './builders.js';

describe('drug–condition checks', () => {
  it('warns about an NSAID in heart failure coded by ICD-10 only', async () => {
    const hf = condition('Chronic systolic heart failure', { icd10: 'I50.22' });
    const [finding] = await findings('order-select', {
      conditions: [hf],
      drafts: [draft('ibuprofen 400 mg')],
    });
    expect(finding).toMatchObject({ key: 'condition:heart-failure|ibuprofen', severity: 'warning' });
    expect(finding?.evidence).toContain(`Condition/${hf.id ?? ''}`);
    expect(finding?.suggestions?.[0]?.label).toBe('Replace ibuprofen with acetaminophen');
  });

  it('does not flag low-dose aspirin in heart failure', async () => {
    expect(
      await keysOf('order-sign', {
        conditions: [condition('Heart failure', { snomed: '84114007' })],
        drafts: [draft('aspirin 81 mg')],
      }),
    ).toEqual([]);
  });

  it('ignores a resolved condition', async () => {
    expect(
      await keysOf('order-sign', {
        conditions: [condition('Asthma', { snomed: '195967001', clinicalStatus: 'resolved' })],
        drafts: [draft('propranolol 10 mg')],
      }),
    ).toEqual([]);
  });

  it('marks propranolol in asthma critical but not the cardioselective metoprolol', async () => {
    const asthma = [condition('Asthma', { snomed: '195967001' })];
    expect(
      (await findings('order-sign', { conditions: asthma, drafts: [draft('propranolol 10 mg')] }))[0]
        ?.severity,
    ).toBe('critical');
    expect(
      await keysOf('order-sign', { conditions: asthma, drafts: [draft('metoprolol succinate 25 mg')] }),
    ).toEqual([]);
  });
});
