import { describe, expect, it } from '@jest/globals';
import type { AllergyIntolerance, Medication, MedicationRequest, Observation, Patient } from 'fhir/r4.js';
import { normalizePatientContext, type NormalizeInput } from '../../../src/clinical/normalize.js';
import { isActiveAllergy, isActiveProblem } from '../../../src/clinical/records.js';
import { asSearchset, hl7Example, JOHNNIE, LUNA, searchset, syntheaBundle } from './examples.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const base: NormalizeInput = { hook: 'patient-view', now: NOW, patientId: 'example', missing: [] };

describe('medications from the HL7 R4 examples', () => {
  it('resolves a medicationReference to a contained Medication', () => {
    const ctx = normalizePatientContext({
      ...base,
      medications: searchset([hl7Example<MedicationRequest>('MedicationRequest-medrx0302.json')]),
    });
    expect(ctx.activeMedications).toHaveLength(1);
    expect(ctx.activeMedications[0]).toMatchObject({
      ref: 'MedicationRequest/medrx0302',
      origin: 'active',
      medicationRef: '#med0320',
      concept: { text: 'Azithromycin 250mg capsule (product)' },
    });
  });

  it('keeps only active orders in the active list', () => {
    const orders = ['0301', '0302', '0305', '0325', '0327'].map((n) =>
      hl7Example<MedicationRequest>(`MedicationRequest-medrx${n}.json`),
    );
    const ctx = normalizePatientContext({ ...base, medications: searchset(orders) });
    expect(ctx.activeMedications.map((m) => m.ref)).toEqual([
      'MedicationRequest/medrx0302',
      'MedicationRequest/medrx0327',
    ]);
  });

  it('reads a coded medicationCodeableConcept with its display as text', () => {
    const ctx = normalizePatientContext({
      ...base,
      medications: searchset([hl7Example<MedicationRequest>('MedicationRequest-medrx0327.json')]),
    });
    expect(ctx.activeMedications[0]?.concept.text).toBe('Fentanyl 25micrograms/hour patch (product)');
  });

  it('resolves Medication/id against a Medication included in the bundle, ingredients through contained Substances', () => {
    const order: MedicationRequest = {
      ...hl7Example<MedicationRequest>('MedicationRequest-medrx002.json'),
      medicationReference: { reference: 'Medication/med0310' },
    };
    const ctx = normalizePatientContext({
      ...base,
      medications: searchset([order, hl7Example<Medication>('Medication-med0310.json')]),
    });
    expect(ctx.activeMedications[0]?.concept.text).toBe('Oral Form Oxycodone (product)');
    expect(ctx.activeMedications[0]?.ingredients.map((i) => i.text)).toEqual(['Oxycodone (substance)']);
  });

  it('falls back to the reference display when the Medication cannot be found', () => {
    const ctx = normalizePatientContext({
      ...base,
      medications: searchset([hl7Example<MedicationRequest>('MedicationRequest-medrx002.json')]),
    });
    expect(ctx.activeMedications[0]?.concept).toEqual({ text: 'prescribed medication', codings: [] });
  });

  it('reads RxNorm-coded ingredients of a combination Medication', () => {
    const med = hl7Example<Medication>('Medication-med0308.json');
    const order: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'perc',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/example' },
      medicationReference: { reference: 'Medication/med0308' },
    };
    const ctx = normalizePatientContext({
      ...base,
      hook: 'order-sign',
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: order }, { resource: med }],
      },
    });
    expect(ctx.draftOrders[0]?.ingredients.map((i) => i.codings[0]?.code)).toEqual(['82063', '161']);
    expect(ctx.otherDraftRefs).toEqual([]);
  });

  it('marks order-select selections given as absolute URLs', () => {
    const order: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'd1',
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/example' },
      medicationCodeableConcept: { text: 'ibuprofen' },
    };
    const ctx = normalizePatientContext({
      ...base,
      hook: 'order-select',
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] },
      selections: ['https://ehr.example.org/fhir/MedicationRequest/d1'],
    });
    expect(ctx.draftOrders[0]?.selected).toBe(true);
  });
});

describe('structured dosage from the HL7 R4 examples', () => {
  const dosageOf = (file: string) =>
    normalizePatientContext({ ...base, medications: searchset([hl7Example<MedicationRequest>(file)]) })
      .activeMedications[0]?.dosage;

  it('reads dose, frequency per period, and the coded route', () => {
    expect(dosageOf('MedicationRequest-medrx0302.json')).toMatchObject({
      dose: { value: 2 },
      frequency: 1,
      period: 1,
      periodUnit: 'd',
      route: { codings: [{ system: 'http://snomed.info/sct', code: '26643006' }] },
    });
  });

  it('reads an as-needed reason as as needed, and a dose form unit as sent', () => {
    expect(dosageOf('MedicationRequest-medrx0327.json')).toMatchObject({
      dose: { value: 1, unit: 'patch' },
      frequency: 3,
      periodUnit: 'wk',
    });
    const prn = normalizePatientContext({
      ...base,
      medications: searchset([
        { ...hl7Example<MedicationRequest>('MedicationRequest-medrx0301.json'), status: 'active' },
      ]),
    }).activeMedications[0]?.dosage;
    expect(prn).toMatchObject({ asNeeded: true, frequency: 1, period: 4, periodUnit: 'h' });
  });

  it('leaves out a period unit outside FHIR units-of-time and a frequency that is not a positive whole number', () => {
    const order: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'odd',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/example' },
      medicationCodeableConcept: { text: 'warfarin' },
      dosageInstruction: [
        { timing: { repeat: { frequency: 1.5, period: 1, periodUnit: 'fortnight' as 'd' } } },
      ],
    };
    const dosage = normalizePatientContext({ ...base, medications: searchset([order]) }).activeMedications[0]
      ?.dosage;
    expect(dosage).toEqual({ period: 1 });
  });
});

describe('lab interpretation', () => {
  const interpretationOf = (interpretation: unknown) =>
    normalizePatientContext({
      ...base,
      labs: searchset([
        { ...hl7Example<Observation>('Observation-f001.json'), interpretation } as Observation,
      ]),
    }).labs[0]?.interpretation;

  it('is a v3 ObservationInterpretation code, never its text or display', () => {
    expect(interpretationOf(hl7Example<Observation>('Observation-f001.json').interpretation)).toBe('H');
    expect(interpretationOf([{ text: 'High, call Zebediah' }])).toBeUndefined();
    expect(interpretationOf([{ coding: [{ code: 'Zebediah' }], text: 'H' }])).toBeUndefined();
    expect(interpretationOf([{ coding: [{ system: 'urn:local', code: 'H' }] }])).toBeUndefined();
    expect(
      interpretationOf([
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0078', code: 'LL' }] },
      ]),
    ).toBe('LL');
  });
});

describe('allergies from the HL7 R4 examples', () => {
  it('normalizes status, criticality, category and reaction substances', () => {
    const ctx = normalizePatientContext({
      ...base,
      allergies: searchset([hl7Example<AllergyIntolerance>('AllergyIntolerance-example.json')]),
    });
    expect(ctx.allergies[0]).toMatchObject({
      ref: 'AllergyIntolerance/example',
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      criticality: 'high',
      category: ['food'],
      concept: { text: 'Cashew nuts' },
    });
    expect(ctx.allergies[0]?.reactionSubstances?.[0]?.codings[0]?.code).toBe('1160593');
    expect(ctx.allergies[0]?.manifestations).toContain('Anaphylactic reaction');
  });

  it('keeps an unconfirmed medication allergy active, and excludes refuted or resolved ones', () => {
    const penicillin = hl7Example<AllergyIntolerance>('AllergyIntolerance-medication.json');
    const refuted = { ...penicillin, id: 'r', verificationStatus: { coding: [{ code: 'refuted' }] } };
    const resolved = { ...penicillin, id: 's', clinicalStatus: { coding: [{ code: 'resolved' }] } };
    const ctx = normalizePatientContext({ ...base, allergies: searchset([penicillin, refuted, resolved]) });
    expect(ctx.allergies.map(isActiveAllergy)).toEqual([true, false, false]);
  });
});

describe('labs from the HL7 R4 examples', () => {
  it('recognizes an uncoded serum creatinine by name and reads its unit despite a non-UCUM unit code', () => {
    const ctx = normalizePatientContext({
      ...base,
      labs: searchset([hl7Example<Observation>('Observation-f204.json')]),
    });
    expect(ctx.labs[0]).toMatchObject({
      analyte: 'creatinine',
      value: 122,
      unit: 'umol/L',
      effective: '2013-04-04T14:34:00+01:00',
    });
  });

  it('converts a body weight in pounds to kilograms and keeps the original', () => {
    const ctx = normalizePatientContext({
      ...base,
      labs: searchset([hl7Example<Observation>('Observation-example.json')]),
    });
    expect(ctx.labs[0]).toMatchObject({
      analyte: 'weight',
      value: 83.915,
      unit: 'kg',
      originalValue: 185,
      originalUnit: '[lb_av]',
    });
  });

  it('keeps labs it does not reason about as sent, with the period start as the date', () => {
    const ctx = normalizePatientContext({
      ...base,
      labs: searchset([hl7Example<Observation>('Observation-f001.json')]),
    });
    expect(ctx.labs[0]).toMatchObject({
      analyte: undefined,
      loinc: '15074-8',
      value: 6.3,
      unit: 'mmol/L',
      effective: '2013-04-02T09:30:10+01:00',
    });
  });

  it('gives an eGFR without a value no number', () => {
    const ctx = normalizePatientContext({
      ...base,
      labs: searchset([hl7Example<Observation>('Observation-f205.json')]),
    });
    expect(ctx.labs[0]).toMatchObject({ analyte: 'egfr', value: undefined });
  });
});

describe('Synthea R4 bundles', () => {
  it('normalizes a whole Synthea record: one active medication, statuses, age from birthDate', () => {
    const bundle = syntheaBundle(JOHNNIE);
    const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
    const all = asSearchset(bundle);
    const ctx = normalizePatientContext({
      ...base,
      patientId: patient.id ?? '',
      patient,
      medications: all,
      conditions: all,
      labs: all,
    });
    expect(ctx.patient).toMatchObject({ ageYears: 17, sex: 'female', birthDate: '2009-03-20' });
    expect(ctx.activeMedications.map((m) => m.concept.text)).toEqual(['atomoxetine 100 MG Oral Capsule']);
    expect(ctx.problems.filter(isActiveProblem).map((p) => p.concept.text)).toEqual([
      'Child attention deficit disorder',
    ]);
    expect(ctx.labs.find((l) => l.loinc === '718-7')).toMatchObject({
      value: expect.any(Number),
      unit: 'g/dL',
    });
  });

  it('keeps the display of a Synthea medicationReference whose Medication is not in the bundle', () => {
    const bundle = syntheaBundle(LUNA);
    const stopped = (bundle.entry ?? [])
      .map((e) => e.resource as MedicationRequest | undefined)
      .find((r) => r?.resourceType === 'MedicationRequest' && r.medicationReference !== undefined);
    const asDraft: MedicationRequest = { ...(stopped as MedicationRequest), status: 'draft' };
    const ctx = normalizePatientContext({ ...base, hook: 'order-sign', draftOrders: searchset([asDraft]) });
    expect(ctx.draftOrders[0]?.concept.text).toBe('Cefuroxime 250 MG Oral Tablet');
  });

  it('finds the active dalteparin of a Synthea patient', () => {
    const all = asSearchset(syntheaBundle(LUNA));
    const ctx = normalizePatientContext({ ...base, medications: all });
    expect(ctx.activeMedications.map((m) => m.concept.text)).toEqual([
      '4 ML dalteparin sodium 2500 UNT/ML Injection',
    ]);
  });
});

describe('other shapes EHRs send', () => {
  it('resolves a medicationReference given as an absolute URL against a bundle entry', () => {
    const order: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: 'abs',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/example' },
      medicationReference: { reference: 'https://ehr.example.org/fhir/r4/Medication/med0308/_history/2' },
    };
    const ctx = normalizePatientContext({
      ...base,
      medications: searchset([order, hl7Example<Medication>('Medication-med0308.json')]),
    });
    expect(ctx.activeMedications[0]?.concept.text).toBe('Percocet tablet');
  });

  it('reads active MedicationStatements as active medications', () => {
    const statement = {
      resourceType: 'MedicationStatement' as const,
      id: 'ms1',
      status: 'active' as const,
      subject: { reference: 'Patient/example' },
      medicationCodeableConcept: { text: 'warfarin 5 mg' },
      dosage: [{ text: '5 mg daily' }],
    };
    const ctx = normalizePatientContext({ ...base, medications: searchset([statement]) });
    expect(ctx.activeMedications[0]).toMatchObject({
      ref: 'MedicationStatement/ms1',
      dosageText: '5 mg daily',
      origin: 'active',
    });
  });

  it('leaves out draft orders that were cancelled or entered in error', () => {
    const draft = (id: string, status: MedicationRequest['status']): MedicationRequest => ({
      resourceType: 'MedicationRequest',
      id,
      status,
      intent: 'order',
      subject: { reference: 'Patient/example' },
      medicationCodeableConcept: { text: 'ibuprofen' },
    });
    const ctx = normalizePatientContext({
      ...base,
      hook: 'order-sign',
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [draft('a', 'draft'), draft('b', 'cancelled'), draft('c', 'entered-in-error')].map(
          (resource) => ({ resource }),
        ),
      },
    });
    expect(ctx.draftOrders.map((m) => m.ref)).toEqual(['MedicationRequest/a']);
  });
});
