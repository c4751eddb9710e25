import { describe, expect, it } from '@jest/globals';
import { ckdEpi2021, cockcroftGault } from '../../../src/clinical/renal.js';
import { ageInYears } from '../../../src/clinical/records.js';

describe('kidney function estimates', () => {
  it('computes CKD-EPI 2021 eGFR', () => {
    expect(ckdEpi2021(1.0, 50, 'male')).toBe(92);
    expect(ckdEpi2021(1.6, 72, 'female')).toBe(34);
  });

  it('computes Cockcroft–Gault creatinine clearance, 15% lower for women', () => {
    expect(cockcroftGault(1.0, 60, 72, 'male')).toBe(80);
    expect(cockcroftGault(1.0, 60, 72, 'female')).toBe(68);
  });
});

describe('age from birth date', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('counts whole years and handles the birthday', () => {
    expect(ageInYears('1950-11-24', now)).toBe(76);
    expect(ageInYears('1950-11-25', now)).toBe(75);
  });

  it('accepts partial dates and rejects nonsense', () => {
    expect(ageInYears('1980', now)).toBe(46);
    expect(ageInYears('1980-12', now)).toBe(45);
    expect(ageInYears(undefined, now)).toBeUndefined();
    expect(ageInYears('soon', now)).toBeUndefined();
  });
});
