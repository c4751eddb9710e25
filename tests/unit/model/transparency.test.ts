/**
 * What an AI card says about itself: the fact sheet as its source, what the model did not see, when its advice
 * came from an earlier hook, and the Provenance (HL7 AI Transparency on FHIR) of anything its suggestion creates,
 * validated as a card the service would send.
 */
import { describe, expect, it } from '@jest/globals';
import type { Provenance, ServiceRequest } from 'fhir/r4.js';
import { deidentify } from '../../../src/advisors/model/deidentify.js';
import { AIAST_LABEL, findingOf } from '../../../src/advisors/model/findings.js';
import { guardAnswer } from '../../../src/advisors/model/guards.js';
import { FALLBACK_VOCABULARY } from '../../../src/advisors/model/keys.js';
import { type CardContext, explained } from '../../../src/advisors/model/transparency.js';
import { buildCards } from '../../../src/cards/build.js';
import { fixtureContext, NOW } from './fixtures.js';

function modelFinding(suggestion: { kind: 'order-lab'; loinc: string } | null) {
  const context = fixtureContext();
  const deid = deidentify(context);
  const guarded = guardAnswer(
    {
      modelVersion: 'gpt-4o-2024-08-06',
      invalidItems: 0,
      items: [
        {
          kind: 'monitoring',
          summary: 'Check the INR after adding ibuprofen.',
          detail: 'NSAIDs raise the INR.',
          severity: 'warning',
          cites: ['D1', 'M1'],
          certainty: 'moderate',
          suggestion,
          about: null,
          claim: null,
        },
      ],
    },
    deid.aliases,
  );
  const finding = findingOf(guarded.items[0]!, {
    deployment: 'advice',
    modelVersion: 'gpt-4o-2024-08-06',
    patientRef: context.patient.ref,
    vocabulary: FALLBACK_VOCABULARY,
  });
  const card: CardContext = {
    factSheetUrl: 'https://cds.example.org/model-facts',
    servedFrom: 'call',
    answeredAt: NOW,
    now: NOW,
    input: deid.input,
    deployment: 'advice',
    modelVersion: 'gpt-4o-2024-08-06',
    promptVersion: 'p-1',
  };
  return { finding, card, deid };
}

describe('AI card transparency', () => {
  it('links the fact sheet and says what the model did not see', () => {
    const { finding, card } = modelFinding(null);
    const out = explained(finding, card);
    expect(out.source.url).toBe('https://cds.example.org/model-facts');
    expect(out.detail).toContain('**What the model did not see:**');
    expect(out.detail).toContain('names, identifiers');
    expect(out.detail).not.toContain('From an earlier request');
  });

  it('says when its advice came from an earlier hook (the late-answer cache), and how long ago', () => {
    const { finding, card } = modelFinding(null);
    const out = explained(finding, {
      ...card,
      servedFrom: 'cache',
      answeredAt: new Date(NOW.getTime() - 42_000),
    });
    expect(out.detail).toContain('**From an earlier request:** this advice was computed 42 seconds ago');
  });

  it('names data the service could not obtain among what the model did not see', () => {
    const { finding, card, deid } = modelFinding(null);
    const out = explained(finding, { ...card, input: { ...deid.input, missingData: ['labs'] } });
    expect(out.detail).toContain('data the service could not obtain: labs');
  });

  it('adds a Provenance create action beside the resource a suggestion creates: model as agent, evidence as entities, AIAST kept', () => {
    const { finding, card } = modelFinding({ kind: 'order-lab', loinc: '6301-6' });
    const out = explained(finding, card);
    const actions = out.suggestions![0]!.actions;
    expect(actions.map((a) => [a.type, a.type === 'delete' ? null : a.resource.resourceType])).toEqual([
      ['create', 'ServiceRequest'],
      ['create', 'Provenance'],
    ]);
    const order = (actions[0] as { resource: ServiceRequest }).resource;
    const provenance = (actions[1] as { resource: Provenance }).resource;
    expect(order.meta?.security).toEqual([AIAST_LABEL]);
    expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(provenance.target).toEqual([{ reference: `ServiceRequest/${order.id}` }]);
    expect(provenance.meta?.security).toEqual([AIAST_LABEL]);
    expect(provenance.recorded).toBe(NOW.toISOString());
    expect(provenance.agent[0]).toMatchObject({
      type: { coding: [{ code: 'author' }] },
      who: { reference: '#model', display: 'CDS Advisor AI (gpt-4o-2024-08-06)' },
    });
    expect(provenance.contained).toEqual([
      expect.objectContaining({
        resourceType: 'Device',
        id: 'model',
        deviceName: [{ name: 'advice', type: 'model-name' }],
        version: [{ value: 'gpt-4o-2024-08-06 (prompt p-1)' }],
      }),
    ]);
    expect(provenance.entity?.map((e) => [e.role, e.what.reference])).toEqual(
      finding.evidence.map((ref) => ['source', ref]),
    );
    // The card carrying both actions passes the service's own outgoing validation.
    const built = buildCards([out], 'order-sign-advice', 'hook-1');
    expect(built.dropped).toEqual([]);
    expect(built.cards[0]!.suggestions![0]!.actions).toHaveLength(2);
  });

  it('leaves a suggestion that creates nothing (cancel a draft) without Provenance', () => {
    const { finding, card } = modelFinding(null);
    const withCancel = {
      ...finding,
      suggestions: [
        {
          label: 'Cancel',
          actions: [{ type: 'delete' as const, description: 'Cancel', resourceId: 'MedicationRequest/x' }],
        },
      ],
    };
    expect(explained(withCancel, card).suggestions![0]!.actions).toHaveLength(1);
  });
});
