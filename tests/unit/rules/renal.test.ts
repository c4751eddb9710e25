import { describe, expect, it } from '@jest/globals';
import { draft, egfr, findings, keysOf, lab, med } from './builders.js';

describe('renal dosing', () => {
  it('marks metformin contraindicated below eGFR 30 and cites the lab', async () => {
    const low = egfr(24);
    const [finding] = await findings('order-sign', { drafts: [draft('metformin 500 mg')], labs: [low] });
    expect(finding).toMatchObject({
      key: 'renal:metformin',
      ruleId: 'renal/renal-metformin',
      severity: 'critical',
    });
    expect(finding?.evidence).toContain(`Observation/${low.id ?? ''}`);
    expect(finding?.summary).toBe('Contraindicated: Metformin at eGFR 24 (below 30)');
  });

  it('warns for metformin at eGFR 30 to 45 and stays quiet at 45 or more', async () => {
    expect(
      (await findings('order-sign', { drafts: [draft('metformin 500 mg')], labs: [egfr(38)] }))[0]?.severity,
    ).toBe('warning');
    expect(await keysOf('order-sign', { drafts: [draft('metformin 500 mg')], labs: [egfr(45)] })).toEqual([]);
  });

  it('ignores a kidney result older than 180 days', async () => {
    expect(
      await keysOf('order-sign', { drafts: [draft('metformin 500 mg')], labs: [egfr(20, 200)] }),
    ).toEqual([]);
  });

  it('estimates eGFR from creatinine in mg/dL when none is reported', async () => {
    const creatinine = lab('2160-0', 1.6, 'mg/dL', 10, 'Creatinine');
    const [finding] = await findings('order-sign', {
      drafts: [draft('metformin 500 mg')],
      labs: [creatinine],
      patient: { birthDate: '1954-05-20', gender: 'female' },
    });
    expect(finding?.summary).toBe('Metformin: dose review at eGFR 34 (below 45)');
    expect(finding?.detail).toContain('EPI 2021 from serum creatinine');
  });

  it('uses Cockcroft–Gault creatinine clearance for drugs labelled by CrCl', async () => {
    const [finding] = await findings('order-select', {
      drafts: [draft('Macrobid 100 mg')],
      labs: [lab('14682-9', 124, 'umol/L', 7, 'Creatinine'), lab('29463-7', 60, 'kg', 30, 'Body weight')],
      patient: { birthDate: '1944-01-02', gender: 'male' },
    });
    expect(finding).toMatchObject({ key: 'renal:nitrofurantoin', severity: 'warning' });
    expect(finding?.summary).toContain('CrCl 34');
  });

  it('says so when eGFR stands in for a CrCl threshold', async () => {
    const [finding] = await findings('order-sign', { drafts: [draft('enoxaparin 40 mg')], labs: [egfr(22)] });
    expect(finding?.detail).toContain('used here as its estimate');
  });

  it('stays quiet without any kidney data', async () => {
    expect(
      await keysOf('order-sign', { drafts: [draft('metformin 500 mg'), draft('gabapentin 300 mg')] }),
    ).toEqual([]);
  });

  it('reviews active medications on patient-view', async () => {
    expect(
      await keysOf('patient-view', { active: [med('gabapentin 300 mg tid')], labs: [egfr(40)] }),
    ).toEqual(['renal:gabapentin']);
  });
});

describe('reported bounds', () => {
  it('treats an eGFR reported as "<15" as below 15', async () => {
    const bound = {
      ...egfr(15),
      valueQuantity: {
        value: 15,
        comparator: '<' as const,
        unit: 'mL/min/{1.73_m2}',
        code: 'mL/min/{1.73_m2}',
      },
    };
    const [finding] = await findings('order-sign', { drafts: [draft('Xarelto 20 mg')], labs: [bound] });
    expect(finding?.summary).toBe('Avoid rivaroxaban at eGFR <15 (below 15)');
    expect(finding?.detail).toContain('Avoid rivaroxaban');
  });

  it('does not treat an eGFR reported as ">60" as reduced', async () => {
    const bound = {
      ...egfr(60),
      valueQuantity: {
        value: 60,
        comparator: '>' as const,
        unit: 'mL/min/{1.73_m2}',
        code: 'mL/min/{1.73_m2}',
      },
    };
    expect(
      await keysOf('order-sign', {
        drafts: [draft('gabapentin 300 mg'), draft('metformin 500 mg')],
        labs: [bound],
      }),
    ).toEqual([]);
  });
});
