/**
 * Keeps `src/cds/types.ts` and `schemas/` from drifting apart: objects built against the TypeScript types, using
 * every optional field, must validate against the strict outgoing schemas (which reject unknown members).
 */
import { describe, expect, it } from '@jest/globals';
import { SERVICES } from '../../../hooks/index.js';
import { discoveryEntry } from '../../../src/cds/service.js';
import {
  type Card,
  type HookRequest,
  type HookResponse,
  PROVENANCE_EXTENSION,
} from '../../../src/cds/types.js';
import { validate } from '../../../src/validation.js';

const fullCard: Card = {
  uuid: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  summary: 'Summary',
  detail: 'Detail',
  indicator: 'critical',
  source: {
    label: 'CDS Advisor rules',
    url: 'https://example.org/',
    icon: 'https://example.org/icon.png',
    topic: { system: 'https://example.org/topics', code: 'interaction', display: 'Interaction' },
  },
  suggestions: [
    {
      label: 'Cancel',
      uuid: '1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
      isRecommended: true,
      actions: [
        { type: 'delete', description: 'Cancel the draft', resourceId: 'MedicationRequest/d1' },
        {
          type: 'create',
          description: 'Order a lab',
          resource: {
            resourceType: 'ServiceRequest',
            status: 'draft',
            intent: 'proposal',
            subject: { reference: 'Patient/p' },
          },
        },
      ],
    },
  ],
  selectionBehavior: 'any',
  overrideReasons: [{ system: 'https://example.org/reasons', code: 'x', display: 'X' }],
  links: [{ label: 'App', url: 'https://example.org/launch', type: 'smart', appContext: '{"a":1}' }],
  extension: {
    [PROVENANCE_EXTENSION]: {
      advisor: 'model',
      model: 'dep/gpt',
      promptVersion: 'p1',
      evidence: ['MedicationRequest/d1'],
    },
  },
};

describe('CDS types and JSON Schemas agree', () => {
  it('a card using every field validates against the outgoing schema', () => {
    const response: HookResponse = { cards: [fullCard] };
    expect(validate('cds-response', response)).toEqual({ valid: true, value: response });
  });

  it('discovery entries built from our definitions validate', () => {
    const discovery = { services: SERVICES.map((s) => discoveryEntry(s.definition)) };
    expect(validate('cds-discovery', discovery).valid).toBe(true);
  });

  it('a request using every envelope field validates', () => {
    const request: HookRequest<'order-sign'> = {
      hook: 'order-sign',
      hookInstance: 'a',
      fhirServer: 'https://ehr.example.org/fhir',
      fhirAuthorization: {
        access_token: 't',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 's',
        subject: 'c',
        patient: 'p',
      },
      context: {
        userId: 'Practitioner/1',
        patientId: 'p',
        encounterId: 'e',
        draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [] },
      },
      prefetch: { patient: null },
      extension: { 'com.example.x': 1 },
    };
    expect(validate('cds-request', request).valid).toBe(true);
    expect(validate('context-order-sign', request.context).valid).toBe(true);
  });
});
