import { describe, expect, it } from '@jest/globals';
import {
  ANALYTES,
  analyteOf,
  displayUnit,
  normalizeQuantity,
  UCUM_UNITS,
  ucumUnit,
  unitKey,
} from '../../../src/clinical/units.js';

describe('unit normalization', () => {
  it('converts creatinine mg/dL to µmol/L', () => {
    expect(normalizeQuantity('creatinine', 1.0, 'mg/dL')).toEqual({ value: 88.42, unit: 'umol/L' });
    expect(normalizeQuantity('creatinine', 97, 'µmol/L')).toEqual({ value: 97, unit: 'umol/L' });
  });

  it('treats potassium mEq/L as mmol/L', () => {
    expect(normalizeQuantity('potassium', 5.4, 'mEq/L')).toEqual({ value: 5.4, unit: 'mmol/L' });
  });

  it('accepts the spellings labs use for eGFR', () => {
    for (const unit of ['mL/min/{1.73_m2}', 'mL/min/1.73m2', 'ml/min/1.73 m^2', 'mL/min/1.73 sq.m']) {
      expect(normalizeQuantity('egfr', 52, unit)).toEqual({ value: 52, unit: 'mL/min/{1.73_m2}' });
    }
  });

  it('accepts a unitless INR', () => {
    expect(normalizeQuantity('inr', 2.7, undefined)).toEqual({ value: 2.7, unit: '{INR}' });
  });

  it('refuses to give a value for a unit it does not know', () => {
    expect(normalizeQuantity('potassium', 19.5, 'mg/dL')).toEqual({ unit: 'mg/dL' });
  });

  it('normalizes unit spellings to comparable keys', () => {
    expect(unitKey('[lb_av]')).toBe('lbav');
    expect(unitKey('µmol/L')).toBe('umol/l');
  });

  it('shows units the way clinicians read them', () => {
    expect(displayUnit('mL/min/{1.73_m2}')).toBe('mL/min/1.73 m²');
    expect(displayUnit('{INR}')).toBe('');
    expect(displayUnit('mmol/L')).toBe('mmol/L');
  });
});

describe('analyte recognition', () => {
  it('uses the LOINC code when there is one, even if the name says otherwise', () => {
    expect(analyteOf('2823-3', ['K'])).toBe('potassium');
    expect(analyteOf('2947-0', ['Sodium'])).toBeUndefined();
  });

  it('recognizes text-only results but not urine or ratio tests', () => {
    expect(analyteOf(undefined, ['Serum potassium'])).toBe('potassium');
    expect(analyteOf(undefined, ['Potassium, urine'])).toBeUndefined();
    expect(analyteOf(undefined, ['Albumin/creatinine ratio'])).toBeUndefined();
    expect(analyteOf(undefined, ['PT/INR'])).toBe('inr');
    expect(analyteOf(undefined, ['Vitamin K'])).toBeUndefined();
  });
});

describe('UCUM allow-list', () => {
  it('knows every unit the analytes are normalized to, and finds common spellings of units in our spelling', () => {
    for (const analyte of Object.values(ANALYTES)) expect(ucumUnit(analyte.unit)).toBe(analyte.unit);
    expect(ucumUnit('mg/dl')).toBe('mg/dL');
    expect(ucumUnit('µmol/L')).toBe('umol/L');
    expect(ucumUnit('mEq/L')).toBe('meq/L');
    expect(ucumUnit('mmHg')).toBe('mm[Hg]');
    expect(ucumUnit('mL/min/1.73 sq.m')).toBe('mL/min/{1.73_m2}');
    expect(ucumUnit('mcg')).toBe('ug');
    expect(ucumUnit('tablets')).toBe('{tbl}');
  });

  it('gives nothing for a unit it does not know, however unit-like', () => {
    for (const unit of ['Zebediah Quisenberry', '555-0147', 'mg per day for Zeb', 'MRN-1', '', 'zz/L']) {
      expect(ucumUnit(unit)).toBeUndefined();
    }
    expect(ucumUnit(undefined)).toBeUndefined();
  });

  it('lists no two units that compare equal (each spelling finds one unit)', () => {
    const keys = UCUM_UNITS.map((u) => unitKey(u));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
