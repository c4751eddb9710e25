/**
 * The normalizer is total: prefetch and draft orders are only shape-checked (a string `resourceType`), so any JSON
 * may sit where a FHIR field belongs. Whatever arrives, `normalizePatientContext` returns a context whose every
 * value has the type `types.ts` promises (strings are strings, numbers finite), a field of the wrong type counts
 * as absent, and the well-formed rest of the chart is still reviewed — through the app too, where such a request
 * used to be answered 400.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { normalizePatientContext, type NormalizeInput } from '../../../src/clinical/normalize.js';
import { assessRenalFunction } from '../../../src/clinical/renal.js';
import { ANALYTES } from '../../../src/clinical/units.js';
import type { PatientContext } from '../../../src/clinical/types.js';
import { OBSERVATION_INTERPRETATION, UNITS_OF_TIME } from '../../../src/clinical/valueSets.js';
import { requestFixture } from '../../helpers/fixtures.js';
import { testApp } from '../../helpers/testApp.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const normalize = (parts: Partial<NormalizeInput>): PatientContext =>
  normalizePatientContext({ hook: 'order-sign', now: NOW, patientId: 'p1', missing: [], ...parts });

const searchset = (...resources: unknown[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource, i) => ({ fullUrl: `urn:uuid:entry-${i}`, resource })),
});

const coded = (system: string, code: string, display: string) => ({
  coding: [{ system, code, display }],
  text: display,
});

// ----- realistic skeletons: every field the normalizer reads is present, so every one can be broken ---------------

function skeleton() {
  const warfarin = {
    resourceType: 'MedicationRequest',
    id: 'warfarin',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: coded(RXNORM, '855332', 'Warfarin Sodium 5 MG Oral Tablet'),
    authoredOn: '2026-09-01',
    dosageInstruction: [
      {
        text: '1 tablet daily',
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        route: coded('http://snomed.info/sct', '26643006', 'Oral route'),
        asNeededBoolean: false,
        doseAndRate: [{ doseQuantity: { value: 5, unit: 'mg', system: UCUM, code: 'mg' } }],
      },
    ],
  };
  const byContained = {
    resourceType: 'MedicationRequest',
    id: 'combo',
    status: 'active',
    intent: 'order',
    contained: [
      { resourceType: 'Substance', id: 'sub', code: coded(RXNORM, '723', 'amoxicillin') },
      {
        resourceType: 'Medication',
        id: 'med',
        code: coded(RXNORM, '617296', 'Amoxicillin / Clavulanate'),
        ingredient: [
          { itemReference: { reference: '#sub', display: 'amoxicillin' }, isActive: true },
          { itemCodeableConcept: coded(RXNORM, '48203', 'clavulanate') },
          { itemReference: { reference: 'Substance/elsewhere', display: 'excipient' } },
        ],
      },
    ],
    medicationReference: { reference: '#med', display: 'Augmentin' },
    dosageInstruction: [{ text: 'twice daily' }],
  };
  const byReference = {
    resourceType: 'MedicationRequest',
    id: 'lisinopril',
    status: 'active',
    medicationReference: { reference: 'Medication/lis', display: 'lisinopril' },
  };
  const included = {
    resourceType: 'Medication',
    id: 'lis',
    code: coded(RXNORM, '314076', 'lisinopril 10 MG Oral Tablet'),
    ingredient: [{ itemReference: { reference: 'Medication/lis' } }],
  };
  const statement = {
    resourceType: 'MedicationStatement',
    id: 'aspirin',
    status: 'active',
    medicationCodeableConcept: coded(RXNORM, '243670', 'aspirin 81 MG'),
    dosage: [{ text: 'daily' }],
    dateAsserted: '2026-10-01',
  };
  const condition = {
    resourceType: 'Condition',
    id: 'ckd',
    clinicalStatus: { coding: [{ code: 'active' }] },
    verificationStatus: { coding: [{ code: 'confirmed' }], text: 'Confirmed' },
    code: coded('http://snomed.info/sct', '433144002', 'CKD stage 3'),
    onsetDateTime: '2020-01-01',
    onsetPeriod: { start: '2020-01-01' },
    recordedDate: '2020-01-02',
  };
  const allergy = {
    resourceType: 'AllergyIntolerance',
    id: 'pcn',
    clinicalStatus: { coding: [{ code: 'active' }] },
    verificationStatus: { coding: [{ code: 'confirmed' }] },
    criticality: 'high',
    category: ['medication'],
    type: 'allergy',
    code: coded(RXNORM, '7980', 'Penicillin'),
    reaction: [{ substance: coded(RXNORM, '7984', 'penicillin V'), manifestation: [{ text: 'hives' }] }],
    recordedDate: '2019-05-01',
  };
  const potassium = {
    resourceType: 'Observation',
    id: 'k',
    status: 'final',
    code: coded(LOINC, '2823-3', 'Potassium'),
    effectiveDateTime: '2026-11-20T08:00:00Z',
    effectivePeriod: { start: '2026-11-20', end: '2026-11-20' },
    effectiveInstant: '2026-11-20T08:00:00Z',
    issued: '2026-11-20T09:00:00Z',
    valueQuantity: { value: 5.1, comparator: '<', unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
    interpretation: [{ coding: [{ code: 'H' }], text: 'high' }],
    referenceRange: [{ low: { value: 3.5 }, high: { value: 5.0 } }],
  };
  const creatinine = {
    resourceType: 'Observation',
    id: 'cr',
    status: 'final',
    code: { text: 'Serum creatinine' },
    effectiveDateTime: '2026-11-20T08:00:00Z',
    valueQuantity: { value: 1.4, unit: 'mg/dL' },
  };
  const patient = { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1951-03-14' };
  const draft = {
    resourceType: 'MedicationRequest',
    id: 'draft-ibuprofen',
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: coded(RXNORM, '197805', 'Ibuprofen 400 MG Oral Tablet'),
    dosageInstruction: [{ text: 'daily' }],
  };
  const serviceRequest = { resourceType: 'ServiceRequest', id: 'inr-check', status: 'draft' };
  return {
    patient,
    medications: searchset(warfarin, byContained, byReference, included, statement),
    conditions: searchset(condition),
    allergies: searchset(allergy),
    labs: searchset(potassium, creatinine),
    draftOrders: searchset(draft, serviceRequest),
    selections: ['MedicationRequest/draft-ibuprofen'],
    medicationSources: [searchset(included)],
  };
}

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

/** Whether `path` leads inside the value at `replaced`. */
function runsThrough(path: Path, replaced: Path): boolean {
  return replaced.length < path.length && replaced.every((segment, i) => segment === path[i]);
}

/**
 * Puts `replacement` at `path` in place (own property even for `__proto__`). Only the skeleton is ever written to:
 * a break inside a value an earlier break put there is skipped, because those values are shared constants (`DEEP`,
 * `{}`) or objects whose properties cannot be redefined (a boxed String's characters).
 */
function breakAt(root: Record<string, unknown>, path: Path, replacement: unknown): void {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  if (typeof node !== 'object' || node === null) return;
  Object.defineProperty(node, path[path.length - 1] as string | number, {
    value: replacement,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const DEEP = Array.from({ length: 5_000 }).reduce<unknown>(
  (inner) => ({ coding: [inner], text: inner }),
  'x',
);

/** Wrong types of every kind, values that look right but are not (`"5.4"`), and arbitrary (deep) JSON. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    0,
    -0,
    1,
    -1,
    '',
    ' ',
    '5.4',
    'mmol/L',
    'active',
    true,
    false,
    [],
    {},
    [null],
    [[]],
    [{}],
    { coding: [null] },
    { text: { text: 'x' } },
    { value: '5' },
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e308,
    -1e308,
    '__proto__',
    DEEP,
  ),
  fc.anything({ maxDepth: 4, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
  fc.jsonValue({ maxDepth: 4 }),
);

const PATHS = pathsOf(skeleton()).filter((p) => p.length > 0);

const brokenInput = fc
  .array(fc.tuple(fc.constantFrom(...PATHS), hostile), { minLength: 1, maxLength: 8 })
  .map((breaks) => {
    const input = skeleton() as unknown as Record<string, unknown>;
    const replaced: Path[] = [];
    for (const [path, value] of breaks) {
      if (replaced.some((earlier) => runsThrough(path, earlier))) continue;
      breakAt(input, path, value);
      replaced.push(path);
    }
    return input;
  });

// ----- what a well-typed context looks like ---------------------------------------------------------------------

type Check = (value: unknown, where: string) => void;

function fail(where: string, expected: string, value: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(value)?.slice(0, 100) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new Error(`${where}: expected ${expected}, got ${shown}`);
}

const str: Check = (v, w) => {
  if (typeof v !== 'string') fail(w, 'a string', v);
};
const finite: Check = (v, w) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(w, 'a finite number', v);
};
const bool: Check = (v, w) => {
  if (typeof v !== 'boolean') fail(w, 'a boolean', v);
};
const optional =
  (check: Check): Check =>
  (v, w) => {
    if (v !== undefined) check(v, w);
  };
const oneOf =
  (...allowed: unknown[]): Check =>
  (v, w) => {
    if (!allowed.includes(v)) fail(w, `one of ${allowed.join(', ')}`, v);
  };
const arrayOf =
  (check: Check): Check =>
  (v, w) => {
    if (!Array.isArray(v)) fail(w, 'an array', v);
    v.forEach((item, i) => check(item, `${w}[${i}]`));
  };
/** Exactly these fields (an unexpected one would be a value nobody checked). */
const shape =
  (fields: Record<string, Check>): Check =>
  (v, w) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(w, 'an object', v);
    for (const key of Object.keys(v)) if (!(key in fields)) fail(`${w}.${key}`, 'no such field', key);
    for (const [key, check] of Object.entries(fields))
      check((v as Record<string, unknown>)[key], `${w}.${key}`);
  };

const concept = shape({
  text: str,
  codings: arrayOf(shape({ system: optional(str), code: optional(str), display: optional(str) })),
});
const medication = shape({
  ref: str,
  origin: oneOf('active', 'draft'),
  status: str,
  concept,
  ingredients: arrayOf(concept),
  dosageText: optional(str),
  dosage: optional(
    shape({
      dose: optional(shape({ value: finite, unit: optional(str) })),
      frequency: optional(finite),
      period: optional(finite),
      periodUnit: optional(oneOf(...UNITS_OF_TIME)),
      route: optional(concept),
      asNeeded: optional(bool),
    }),
  ),
  authoredOn: optional(str),
  selected: bool,
  intent: optional(str),
  medicationRef: optional(str),
  resource: optional((v, w) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(w, 'an object', v);
  }),
});
const wellTypedContext = shape({
  hook: str,
  now: (v, w) => {
    if (!(v instanceof Date)) fail(w, 'a Date', v);
  },
  patient: shape({
    ref: str,
    ageYears: optional(finite),
    sex: optional(oneOf('female', 'male', 'other', 'unknown')),
    birthDate: optional(str),
  }),
  activeMedications: arrayOf(medication),
  draftOrders: arrayOf(medication),
  otherDraftRefs: arrayOf(str),
  problems: arrayOf(
    shape({
      ref: str,
      concept,
      clinicalStatus: optional(str),
      verificationStatus: optional(str),
      onset: optional(str),
    }),
  ),
  allergies: arrayOf(
    shape({
      ref: str,
      concept,
      clinicalStatus: optional(str),
      verificationStatus: optional(str),
      criticality: optional(str),
      category: arrayOf(str),
      type: optional(str),
      reactionSubstances: optional(arrayOf(concept)),
      manifestations: optional(arrayOf(str)),
      reactions: optional(arrayOf(shape({ manifestations: arrayOf(concept), severity: optional(str) }))),
      recordedDate: optional(str),
    }),
  ),
  labs: arrayOf(
    shape({
      ref: str,
      concept,
      loinc: optional(str),
      value: optional(finite),
      valueCode: optional(str),
      valueText: optional(str),
      unit: optional(str),
      comparator: optional(str),
      effective: optional(str),
      status: optional(str),
      interpretation: optional(oneOf(...OBSERVATION_INTERPRETATION)),
      analyte: optional(oneOf(...Object.keys(ANALYTES))),
      originalValue: optional(finite),
      originalUnit: optional(str),
      referenceLow: optional(finite),
      referenceHigh: optional(finite),
    }),
  ),
  missing: arrayOf(str),
});
const renalValue = optional((v, w) => finite((v as { value: unknown }).value, `${w}.value`));
const renalEstimates: Check = (v, w) => {
  const { egfr, crcl } = v as { egfr?: unknown; crcl?: unknown };
  renalValue(egfr, `${w}.egfr`);
  renalValue(crcl, `${w}.crcl`);
};

// ----- properties -----------------------------------------------------------------------------------------------

describe('normalizePatientContext is total', () => {
  it('the unbroken skeleton reads every field (so breaking one is a real test)', () => {
    const ctx = normalize(skeleton());
    wellTypedContext(ctx, 'context');
    expect(ctx.activeMedications.map((m) => m.concept.text)).toEqual([
      'Warfarin Sodium 5 MG Oral Tablet',
      'Amoxicillin / Clavulanate',
      'lisinopril 10 MG Oral Tablet',
      'aspirin 81 MG',
    ]);
    expect(ctx.activeMedications[1]?.ingredients.map((i) => i.text)).toEqual([
      'amoxicillin',
      'clavulanate',
      'excipient',
    ]);
    expect(ctx.activeMedications[0]?.dosage).toEqual({
      dose: { value: 5, unit: 'mg' },
      frequency: 1,
      period: 1,
      periodUnit: 'd',
      route: {
        text: 'Oral route',
        codings: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }],
      },
      asNeeded: false,
    });
    expect(ctx.draftOrders[0]).toMatchObject({ selected: true, dosageText: 'daily' });
    expect(ctx.otherDraftRefs).toEqual(['ServiceRequest/inr-check']);
    expect(ctx.patient).toMatchObject({ ageYears: 75, sex: 'female' });
    expect(ctx.allergies[0]).toMatchObject({ manifestations: ['hives'], category: ['medication'] });
    expect(ctx.labs[0]?.interpretation).toBe('H');
    expect(ctx.labs.map((l) => [l.analyte, l.value, l.unit])).toEqual([
      ['potassium', 5.1, 'mmol/L'],
      ['creatinine', 123.788, 'umol/L'],
    ]);
  });

  it('never throws and gives only well-typed values, whatever JSON replaces any field of any resource', () => {
    fc.assert(
      fc.property(brokenInput, (input) => {
        const ctx = normalize(input);
        wellTypedContext(ctx, 'context');
        // The kidney estimates computed from it are numbers too (a creatinine of 0 must not give Infinity).
        renalEstimates(assessRenalFunction(ctx), 'renal');
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws when a whole prefetch value or bundle is arbitrary JSON', () => {
    const keys = ['patient', 'medications', 'conditions', 'allergies', 'labs', 'draftOrders'] as const;
    fc.assert(
      fc.property(fc.record(Object.fromEntries(keys.map((k) => [k, hostile]))), (parts) => {
        wellTypedContext(normalize(parts), 'context');
      }),
      { numRuns: 300 },
    );
  });
});

// ----- the failures the fuzz test found, by name ----------------------------------------------------------------

const observation = (valueQuantity: unknown, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  id: 'k',
  status: 'final',
  code: coded(LOINC, '2823-3', 'Potassium'),
  effectiveDateTime: '2026-11-20T08:00:00Z',
  valueQuantity,
  ...extra,
});

const labOf = (valueQuantity: unknown, extra?: Record<string, unknown>) =>
  normalize({ labs: searchset(observation(valueQuantity, extra)) }).labs[0];

describe('a field of the wrong type counts as absent', () => {
  it('valueQuantity.code: 0 → the human-readable unit is used', () => {
    const lab = labOf({ value: 5.4, unit: 'mmol/L', code: 0 });
    expect(lab).toMatchObject({ value: 5.4, unit: 'mmol/L', originalUnit: 'mmol/L' });
  });

  it('valueQuantity.code: 0 and no unit → no value (an unknown unit is never guessed)', () => {
    const lab = labOf({ value: 5.4, code: 0 });
    expect(lab?.value).toBeUndefined();
    expect(lab?.originalValue).toBe(5.4);
  });

  it('a numeric value sent as a string is not a value', () => {
    const lab = labOf({ value: '5.4', unit: 'mmol/L' });
    expect(lab).toMatchObject({ analyte: 'potassium', unit: 'mmol/L' });
    expect(lab?.value).toBeUndefined();
    expect(lab?.originalValue).toBeUndefined();
  });

  it('a reference range, interpretation and effective of the wrong types are absent', () => {
    const lab = labOf(
      { value: 5.4, unit: 'mmol/L' },
      {
        referenceRange: [{ low: { value: '3.5' }, high: null }],
        interpretation: 'H',
        effectiveDateTime: 20261120,
        issued: '2026-11-20T09:00:00Z',
      },
    );
    expect(lab).toMatchObject({ value: 5.4, effective: '2026-11-20T09:00:00Z' });
    expect(lab?.referenceLow).toBeUndefined();
    expect(lab?.referenceHigh).toBeUndefined();
    expect(lab?.interpretation).toBeUndefined();
  });

  it('null inside a coding array is skipped; the good codings still name and code the concept', () => {
    const lab = labOf(
      { value: 5.4, unit: 'mmol/L' },
      { code: { coding: [null, 7, { system: LOINC, code: '2823-3', display: 'Potassium' }] } },
    );
    expect(lab).toMatchObject({ loinc: '2823-3', analyte: 'potassium', concept: { text: 'Potassium' } });
    expect(lab?.concept.codings).toHaveLength(1);
  });

  it('an object where text should be a string → the display names the concept', () => {
    const [problem] = normalize({
      conditions: searchset({
        resourceType: 'Condition',
        id: 'af',
        code: { coding: [{ code: '49436004', display: 'Atrial fibrillation' }], text: { div: 'AF' } },
        clinicalStatus: { coding: [{ code: 5 }], text: 'Active' },
      }),
    }).problems;
    expect(problem).toMatchObject({ concept: { text: 'Atrial fibrillation' }, clinicalStatus: 'active' });
  });

  it('reaction.manifestation not an array → no manifestations, the allergy itself kept', () => {
    const [allergy] = normalize({
      allergies: searchset({
        resourceType: 'AllergyIntolerance',
        id: 'pcn',
        code: { text: 'Penicillin' },
        category: 'medication',
        reaction: [{ manifestation: { text: 'hives' }, substance: 'penicillin' }, null],
      }),
    }).allergies;
    expect(allergy).toMatchObject({
      concept: { text: 'Penicillin' },
      manifestations: [],
      reactionSubstances: [],
      category: [],
    });
  });

  it('dosageInstruction not an array, or its text not a string → no dosage text, the order itself kept', () => {
    const draft = (dosageInstruction: unknown) => ({
      resourceType: 'MedicationRequest',
      id: 'd',
      status: 'draft',
      medicationCodeableConcept: { text: 'Ibuprofen 400 MG' },
      dosageInstruction,
    });
    const { draftOrders } = normalize({
      draftOrders: searchset(draft({ text: 'daily' }), draft([{ text: 5 }])),
    });
    expect(draftOrders).toHaveLength(2);
    for (const order of draftOrders) {
      expect(order).toMatchObject({ concept: { text: 'Ibuprofen 400 MG' }, status: 'draft' });
      expect(order.dosageText).toBeUndefined();
    }
  });

  it('birthDate a number → no age (not a year guessed from digits); a gender outside FHIR’s codes → no sex', () => {
    const { patient } = normalize({
      patient: { resourceType: 'Patient', birthDate: 19510314, gender: 'F' },
    });
    expect(patient).toEqual({ ref: 'Patient/p1', ageYears: undefined, sex: undefined, birthDate: undefined });
  });

  it('null entries, entries without a resource, and an entry list that is not an array are skipped', () => {
    const bundle = searchset({ resourceType: 'Condition', id: 'ckd', code: { text: 'CKD' } });
    const ctx = normalize({
      conditions: { ...bundle, entry: [null, 'x', { resource: null }, ...bundle.entry] },
      allergies: { resourceType: 'Bundle', entry: { resource: { resourceType: 'AllergyIntolerance' } } },
    });
    expect(ctx.problems.map((p) => p.ref)).toEqual(['Condition/ckd']);
    expect(ctx.allergies).toEqual([]);
  });

  it('an order with a status of the wrong type is reviewed as FHIR’s `unknown` status, never as active', () => {
    const order = (status: unknown) => ({
      resourceType: 'MedicationRequest',
      id: 'x',
      status,
      medicationCodeableConcept: { text: 'warfarin' },
    });
    const ctx = normalize({ medications: searchset(order(1)), draftOrders: searchset(order(null)) });
    expect(ctx.activeMedications).toEqual([]);
    expect(ctx.draftOrders[0]?.status).toBe('unknown');
  });

  it('a creatinine of 0 or below gives no kidney estimate, not Infinity or NaN', () => {
    for (const value of [0, -1]) {
      const ctx = normalize({
        patient: { resourceType: 'Patient', gender: 'female', birthDate: '1951-03-14' },
        labs: searchset(
          observation({ value, unit: 'mg/dL' }, { code: coded(LOINC, '2160-0', 'Creatinine') }),
          observation({ value: 70, unit: 'kg' }, { code: coded(LOINC, '29463-7', 'Body weight') }),
        ),
      });
      expect(ctx.labs[0]).toMatchObject({ analyte: 'creatinine', originalValue: value });
      expect(assessRenalFunction(ctx)).toEqual({ egfr: undefined, crcl: undefined });
    }
  });

  it('an absurd value that overflows when converted gives no value, not Infinity', () => {
    const lab = labOf({ value: 1e308, unit: 'mg/dL' }, { code: coded(LOINC, '2160-0', 'Creatinine') });
    expect(lab?.value).toBeUndefined();
    expect(lab?.originalValue).toBe(1e308);
  });
});

// ----- through the app -------------------------------------------------------------------------------------------

interface Entry {
  resource: Record<string, unknown>;
}
interface Prefetch {
  patient: Record<string, unknown>;
  medications: { entry: Entry[] };
  conditions: { entry: (Entry | null)[] };
  allergies: { entry: Entry[] };
  labs: { entry: (Entry | null)[] };
}

describe('a prefetch with malformed fields is reviewed, not refused', () => {
  it('200 with the warfarin + ibuprofen interaction and the penicillin allergy, malformed parts aside', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-sign.full-prefetch');
    const prefetch = body.prefetch as unknown as Prefetch;
    // The null entries, null codings, `code: 0` and the manifestation object each made the whole hook answer 400
    // before the normalizer was total; a number birthDate was read as the year 1951.
    prefetch.labs.entry.push(null, {
      resource: {
        resourceType: 'Observation',
        id: 'malformed',
        status: 'final',
        code: { coding: [null, 5], text: { div: 'K' } },
        valueQuantity: { value: '5.4', code: 0 },
        referenceRange: 'normal',
        interpretation: [{ coding: [null] }],
      },
    });
    (prefetch.labs.entry[1] as Entry).resource.valueQuantity = { value: 5.1, code: 0 };
    prefetch.conditions.entry.unshift(null);
    prefetch.patient.birthDate = 19510314;
    prefetch.allergies.entry[0]!.resource.reaction = [{ manifestation: { text: 'hives' } }];
    prefetch.medications.entry[1]!.resource.dosageInstruction = { text: 'daily' };

    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);

    const summaries = (res.body as { cards: { summary: string }[] }).cards.map((c) => c.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Ibuprofen \+ warfarin/),
        expect.stringMatching(/allergic to Penicillin/),
      ]),
    );
  });

  it('a malformed field on the draft order itself still leaves the drug to review', async () => {
    const { app } = await testApp();
    const body = requestFixture('order-sign.full-prefetch');
    const draftOrders = (body.context as { draftOrders: { entry: Entry[] } }).draftOrders;
    const ibuprofen = draftOrders.entry[0]!.resource as { medicationCodeableConcept: { coding: unknown[] } };
    ibuprofen.medicationCodeableConcept.coding.unshift(null);
    Object.assign(ibuprofen, { dosageInstruction: 'daily', authoredOn: 20261124, intent: {} });

    const res = await request(app).post('/cds-services/order-sign-advice').send(body).expect(200);

    const summaries = (res.body as { cards: { summary: string }[] }).cards.map((c) => c.summary);
    expect(summaries).toEqual(expect.arrayContaining([expect.stringMatching(/Ibuprofen \+ warfarin/)]));
  });
});
