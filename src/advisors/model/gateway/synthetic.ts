/**
 * A synthetic patient for probing the endpoint (the lane's re-check, `npm run model:check`): invented, no real
 * person's data. It goes the production way — FHIR → normalizer → de-identifier → prompt — so a probe asks exactly
 * what a hook would ask: a 72-year-old on warfarin with a raised INR, an ibuprofen draft order.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { normalizePatientContext } from '../../../clinical/normalize.js';
import { deidentify } from '../deidentify.js';
import { buildMessages } from '../prompt.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const bundle = (...resources: object[]): object => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource })),
});
const medicationRequest = (
  id: string,
  status: string,
  intent: string,
  code: string,
  display: string,
): object => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent,
  subject: { reference: 'Patient/synthetic-probe' },
  medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }] },
});

export function syntheticProbeMessages(now = new Date()): ChatCompletionMessageParam[] {
  const birthYear = now.getUTCFullYear() - 72;
  const context = normalizePatientContext({
    hook: 'order-sign',
    now,
    patientId: 'synthetic-probe',
    patient: {
      resourceType: 'Patient',
      id: 'synthetic-probe',
      gender: 'female',
      birthDate: `${birthYear}-01-01`,
    },
    medications: bundle(
      medicationRequest('probe-warfarin', 'active', 'order', '855332', 'warfarin sodium 5 MG Oral Tablet'),
    ),
    conditions: bundle({
      resourceType: 'Condition',
      id: 'probe-af',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '49436004', display: 'Atrial fibrillation' }],
      },
      subject: { reference: 'Patient/synthetic-probe' },
    }),
    allergies: bundle(),
    labs: bundle({
      resourceType: 'Observation',
      id: 'probe-inr',
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: {
        coding: [
          {
            system: 'http://loinc.org',
            code: '6301-6',
            display: 'INR in Platelet poor plasma by Coagulation assay',
          },
        ],
      },
      subject: { reference: 'Patient/synthetic-probe' },
      effectiveDateTime: new Date(now.getTime() - 2 * 86_400_000).toISOString(),
      valueQuantity: { value: 3.4, unit: '{INR}', system: 'http://unitsofmeasure.org', code: '{INR}' },
    }),
    draftOrders: bundle(
      medicationRequest('probe-ibuprofen', 'draft', 'order', '197806', 'ibuprofen 600 MG Oral Tablet'),
    ),
    missing: [],
  });
  return buildMessages(deidentify(context));
}
