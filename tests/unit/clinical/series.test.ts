import { describe, expect, it } from '@jest/globals';
import type { Observation } from 'fhir/r4.js';
import { normalizePatientContext, type NormalizeInput } from '../../../src/clinical/normalize.js';
import { seriesOf } from '../../../src/clinical/series.js';
import { searchset } from './examples.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const base: NormalizeInput = { hook: 'patient-view', now: NOW, patientId: 'p1', missing: [] };

function obs(
  id: string,
  loinc: string | undefined,
  value: number,
  unit: string,
  date: string,
  extra: Partial<Observation> = {},
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: loinc
      ? { coding: [{ system: 'http://loinc.org', code: loinc }] }
      : { text: extra.code?.text ?? '' },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    ...extra,
  };
}

const labsOf = (labs: Observation[], history: Observation[] = []) =>
  normalizePatientContext({ ...base, labs: searchset(labs), labHistory: searchset(history) }).labs;

describe('the lab history merged into the labs', () => {
  it('adds the history results not already among the recent labs, once each', () => {
    const recent = obs('k3', '2823-3', 4.8, 'mmol/L', '2026-11-10');
    const labs = labsOf(
      [recent],
      [
        recent,
        obs('k2', '2823-3', 4.4, 'mmol/L', '2026-08-01'),
        obs('k2', '2823-3', 4.4, 'mmol/L', '2026-08-01'),
      ],
    );
    expect(labs.map((l) => l.ref)).toEqual(['Observation/k3', 'Observation/k2']);
  });

  it('leaves the labs as they were when no history was sent', () => {
    const ctx = normalizePatientContext({
      ...base,
      labs: searchset([obs('k1', '2823-3', 4.1, 'mmol/L', '2026-11-10')]),
    });
    expect(ctx.labs.map((l) => l.ref)).toEqual(['Observation/k1']);
  });
});

describe('a series of one analyte', () => {
  it('is oldest first, in one unit, without bounds, unusable statuses or future results', () => {
    const labs = labsOf(
      [obs('hb3', '718-7', 112, 'g/L', '2026-11-20')],
      [
        obs('hb1', '718-7', 13.6, 'g/dL', '2025-11-20'),
        obs('hb2', '59260-0', 8.4, 'mmol/L', '2026-05-20'),
        obs('hb-bound', '718-7', 7, 'g/dL', '2026-06-01', {
          valueQuantity: { value: 7, comparator: '<', unit: 'g/dL' },
        }),
        obs('hb-error', '718-7', 5, 'g/dL', '2026-06-02', { status: 'entered-in-error' }),
        obs('hb-future', '718-7', 14, 'g/dL', '2027-01-01'),
      ],
    );
    expect(seriesOf(labs, 'hemoglobin', NOW).map((p) => [p.lab.ref, p.value])).toEqual([
      ['Observation/hb1', 13.6],
      ['Observation/hb2', 13.532],
      ['Observation/hb3', 11.2],
    ]);
  });

  it('converts an IFCC HbA1c (mmol/mol) to NGSP % by the master equation', () => {
    const labs = labsOf([
      obs('a1', '59261-8', 48, 'mmol/mol', '2026-11-01'),
      obs('a2', '4548-4', 6.1, '%', '2026-10-01'),
    ]);
    expect(seriesOf(labs, 'hba1c', NOW).map((p) => p.value)).toEqual([6.1, 6.5]);
  });

  it('recognises an uncoded HbA1c by name, and does not take it for a haemoglobin', () => {
    const labs = labsOf([
      obs('a1', undefined, 7.2, '%', '2026-11-01', { code: { text: 'Hemoglobin A1c' } }),
      obs('hb', undefined, 12.9, 'g/dL', '2026-11-01', { code: { text: 'Haemoglobin' } }),
    ]);
    expect(seriesOf(labs, 'hba1c', NOW).map((p) => p.lab.ref)).toEqual(['Observation/a1']);
    expect(seriesOf(labs, 'hemoglobin', NOW).map((p) => p.lab.ref)).toEqual(['Observation/hb']);
  });

  it('reads the analytes units.ts already normalizes (creatinine in µmol/L) from their normalized value', () => {
    const labs = labsOf([obs('c1', '2160-0', 1.0, 'mg/dL', '2026-11-01')]);
    expect(seriesOf(labs, 'creatinine', NOW).map((p) => p.value)).toEqual([88.42]);
  });
});
