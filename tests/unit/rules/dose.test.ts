import { describe, expect, it } from '@jest/globals';
import { loadKnowledge, type KnowledgeBase } from '../../../src/advisors/rules/index.js';
import { administrationsPerDay, mgPerDay } from '../../../src/advisors/rules/dosage.js';
import type { Dosage, Medication } from '../../../src/clinical/types.js';
import type { Dosage as FhirDosage } from 'fhir/r4.js';
import { creatinine, dosing, draft, evaluateChart, med, weight } from './builders.js';

/** A normalized dosage (`Medication.dosage`), for the arithmetic on its own. */
const daily = (value: number, unit: string, times: number): Dosage => ({
  dose: { value, unit },
  frequency: times,
  period: 1,
  periodUnit: 'd',
});

describe('dose arithmetic', () => {
  it('counts administrations per day from the timing', () => {
    expect(administrationsPerDay({ frequency: 1, period: 6, periodUnit: 'h' })).toBe(4);
    expect(administrationsPerDay({ frequency: 1, period: 1, periodUnit: 'wk' })).toBeCloseTo(1 / 7);
    expect(administrationsPerDay({ frequency: 2 })).toBeUndefined();
  });

  it('reads the strength of each ingredient of a combination product from its RxNorm name', () => {
    const kb = loadKnowledge() as KnowledgeBase;
    const percocet = {
      concept: { text: 'Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet', codings: [] },
    } as unknown as Medication;
    const ingredients = ['acetaminophen', 'oxycodone'];
    const twoEverySixHours: Dosage = {
      dose: { value: 2, unit: 'TAB' },
      frequency: 1,
      period: 6,
      periodUnit: 'h',
    };
    expect(mgPerDay(kb, percocet, ingredients, 'acetaminophen', twoEverySixHours)).toBe(2600);
    expect(mgPerDay(kb, percocet, ingredients, 'oxycodone', twoEverySixHours)).toBe(40);
    // A dose in mg of a combination product does not say how much of each ingredient it is.
    expect(mgPerDay(kb, percocet, ingredients, 'acetaminophen', daily(650, 'mg', 4))).toBeUndefined();
  });
});

describe('maximum daily dose, summed over every order', () => {
  const tylenol = 'Acetaminophen 500 MG Oral Tablet';
  const percocet = 'Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet';

  it('adds acetaminophen from a combination product to a plain one and warns above 4 g a day', () => {
    const found = evaluateChart('order-sign', {
      patient: { birthDate: '1980-01-01' },
      active: [med(tylenol, { dosage: dosing(1000, 'mg', 3) })],
      drafts: [draft(percocet, { dosage: dosing(2, 'tablet', 4) })],
    });
    const dose = found.find((f) => f.key === 'dose:acetaminophen');
    expect(dose).toMatchObject({ ruleId: 'dose/max-acetaminophen', severity: 'warning' });
    expect(dose?.summary).toContain('5600 mg/day');
    expect(dose?.evidence).toHaveLength(2);
  });

  it('stays quiet within the limit, and when doses cannot be read', () => {
    expect(
      evaluateChart('order-sign', {
        patient: { birthDate: '1980-01-01' },
        active: [med(tylenol, { dosage: dosing(500, 'mg', 2) })],
        drafts: [draft(percocet, { dosage: dosing(1, 'tablet', 4) })],
      }).filter((f) => f.key.startsWith('dose:')),
    ).toEqual([]);
    expect(
      evaluateChart('order-sign', {
        patient: { birthDate: '1980-01-01' },
        drafts: [draft(percocet)],
      }).filter((f) => f.key.startsWith('dose:')),
    ).toEqual([]);
  });

  it('uses the lower limit from the age the label gives (citalopram 20 mg a day over 60)', () => {
    const order = 'citalopram 40 MG Oral Tablet';
    const check = (birthDate: string) =>
      evaluateChart('order-sign', {
        patient: { birthDate },
        drafts: [draft(order, { dosage: dosing(40, 'mg', 1) })],
      })
        .filter((f) => f.key === 'dose:citalopram')
        .map((f) => f.severity);
    expect(check('1990-01-01')).toEqual([]);
    expect(check('1950-01-01')).toEqual(['warning']);
  });
});

describe('weekly drugs ordered daily', () => {
  const mtx = 'Methotrexate 2.5 MG Oral Tablet';
  it('warns when methotrexate is ordered daily', () => {
    const [finding] = evaluateChart('order-select', {
      patient: { birthDate: '1980-01-01' },
      drafts: [draft(mtx, { dosage: dosing(7.5, 'mg', 1) })],
    });
    expect(finding).toMatchObject({ key: 'dose:methotrexate|weekly', severity: 'warning' });
  });
  it('is quiet once weekly, or split over one day a week', () => {
    for (const dosage of [dosing(15, 'mg', 1, 1, 'wk'), dosing(5, 'mg', 3, 1, 'wk')]) {
      expect(
        evaluateChart('order-select', {
          patient: { birthDate: '1980-01-01' },
          drafts: [draft(mtx, { dosage })],
        }),
      ).toEqual([]);
    }
  });
});

describe("children's per-kilogram limits", () => {
  const syrup = 'Ibuprofen 20 MG/ML Oral Suspension';
  const child = { birthDate: '2020-02-01' };
  it('warns above 40 mg/kg/day with a recent weight', () => {
    const [finding] = evaluateChart('order-sign', {
      patient: child,
      vitals: [weight(15)],
      drafts: [draft(syrup, { dosage: dosing(10, 'mL', 4) })],
    });
    expect(finding).toMatchObject({
      key: 'dose:ibuprofen',
      ruleId: 'dose/pediatric-ibuprofen',
      severity: 'warning',
    });
    expect(finding?.summary).toContain('53.3 mg/kg/day');
  });
  it('is quiet within the limit, and without a weight from the last 30 days', () => {
    expect(
      evaluateChart('order-sign', {
        patient: child,
        vitals: [weight(15)],
        drafts: [draft(syrup, { dosage: dosing(7.5, 'mL', 3) })],
      }),
    ).toEqual([]);
    expect(
      evaluateChart('order-sign', {
        patient: child,
        vitals: [weight(15, 60)],
        drafts: [draft(syrup, { dosage: dosing(10, 'mL', 4) })],
      }),
    ).toEqual([]);
  });
});

describe('renal dose ceilings, with Cockcroft–Gault from the vital-sign weight', () => {
  const gaba = 'gabapentin 600 MG Oral Tablet';
  // 80-year-old woman, creatinine 1.4 mg/dL, 60 kg: CrCl = (140-80)*60/(72*1.4)*0.85 ≈ 30 → the 30–59 band.
  const chart = (dosage?: FhirDosage) => ({
    patient: { birthDate: '1946-01-01', gender: 'female' as const },
    labs: [creatinine(1.3)],
    vitals: [weight(60)],
    drafts: [draft(gaba, { ...(dosage && { dosage }) })],
  });
  it('warns when the ordered daily dose is above the band ceiling, and says the CrCl came from Cockcroft–Gault', () => {
    const renal = evaluateChart('order-sign', chart(dosing(600, 'mg', 3))).find(
      (f) => f.key === 'renal:gabapentin',
    );
    expect(renal?.severity).toBe('warning');
    expect(renal?.detail).toContain('Cockcroft–Gault');
    expect(renal?.detail).toContain('ordered 1800 mg/day');
  });
  it('stays quiet when the dose is already within the ceiling', () => {
    expect(
      evaluateChart('order-sign', chart(dosing(300, 'mg', 2))).find((f) => f.key === 'renal:gabapentin'),
    ).toBeUndefined();
  });
  it('falls back to eGFR, and says so, without a weight', () => {
    const renal = evaluateChart('order-sign', { ...chart(), vitals: [] }).find(
      (f) => f.key === 'renal:gabapentin',
    );
    expect(renal?.detail).toContain('Kidney function used: eGFR by CKD');
    expect(renal?.detail).toContain('used here as its estimate');
  });
});
