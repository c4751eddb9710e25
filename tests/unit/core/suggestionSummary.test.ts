/**
 * The audit's summary of what each card suggestion would do: what a clinician's acceptance ordered or changed.
 * Real findings from the rules and the model's own finding builder go through `buildCards`; chart text planted in
 * the orders (their text, notes and displays) must never reach the record.
 */
import { describe, expect, it } from '@jest/globals';
import { deidentify } from '../../../src/advisors/model/deidentify.js';
import { findingOf } from '../../../src/advisors/model/findings.js';
import { guardAnswer } from '../../../src/advisors/model/guards.js';
import { defaultVocabulary } from '../../../src/advisors/model/vocabulary.js';
import { buildCards } from '../../../src/cards/build.js';
import {
  actionSummary,
  describeSuggestion,
  type SuggestionSummary,
} from '../../../src/findings/suggestionSummary.js';
import type { Finding } from '../../../src/findings/types.js';
import { draft, findings, med, RXNORM } from '../rules/builders.js';
import { adviceItem, fixtureContext } from '../model/fixtures.js';

const NEEDLE = 'NEEDLE-7f3a Jane Doe MRN 4471';

/** The summaries the audit record keeps for these findings' cards, with their wire cards beside them. */
function summariesOf(found: readonly Finding[]): {
  records: SuggestionSummary[][];
  uuids: string[][];
} {
  const { cards, records } = buildCards(found, 'order-sign-advice', 'hi-summary');
  return {
    records: records.map((r) => [...(r.suggestions ?? [])]),
    uuids: cards.map((c) => (c.suggestions ?? []).map((s) => s.uuid)),
  };
}

/** Chart text in every free-text place of an order: its text, a note and its coding's display. */
function withNeedle<T extends ReturnType<typeof med>>(order: T): T {
  return {
    ...order,
    medicationCodeableConcept: {
      ...order.medicationCodeableConcept,
      text: `${order.medicationCodeableConcept!.text!} ${NEEDLE}`,
      coding: (order.medicationCodeableConcept!.coding ?? []).map((c) => ({ ...c, display: NEEDLE })),
    },
    note: [{ text: NEEDLE }],
  };
}

describe('suggestion summaries in the audit record', () => {
  it('keeps, per suggestion of a rule card, its uuid, label and what each action creates or deletes', async () => {
    const found = await findings('order-sign', {
      active: [withNeedle(med('Warfarin Sodium 5 MG Oral Tablet', { id: 'warf', rxcui: '855332' }))],
      drafts: [withNeedle(draft('Ibuprofen 400 MG Oral Tablet', { id: 'ibu', rxcui: '197806' }))],
    });
    const { records, uuids } = summariesOf(found);
    const summaries = records.flat();
    expect(summaries.map((s) => s.uuid)).toEqual(uuids.flat());
    expect(summaries).toContainEqual({
      uuid: expect.any(String),
      label: 'Remove the draft order for ibuprofen',
      actions: [{ type: 'delete', resourceType: 'MedicationRequest', target: 'MedicationRequest/ibu' }],
    });
    const replace = summaries.find((s) => s.label?.startsWith('Replace ibuprofen with'));
    expect(replace?.actions).toEqual([
      { type: 'delete', resourceType: 'MedicationRequest', target: 'MedicationRequest/ibu' },
      {
        type: 'create',
        resourceType: 'MedicationRequest',
        code: expect.stringMatching(new RegExp(`^${RXNORM.replace(/\./g, '\\.')}\\|\\d+$`)),
        display: expect.any(String),
      },
    ]);
    expect(JSON.stringify(records)).not.toContain('NEEDLE');
  });

  it('keeps of a hold on an active order its target, the status set and its code, none of its text', async () => {
    const found = await findings('patient-view', {
      active: [
        withNeedle(med('Warfarin Sodium 5 MG Oral Tablet', { id: 'warf', rxcui: '855332' })),
        withNeedle(med('Ibuprofen 400 MG Oral Tablet', { id: 'ibu', rxcui: '197806' })),
      ],
    });
    const updates = summariesOf(found)
      .records.flat()
      .flatMap((s) => s.actions)
      .filter((a) => a.type === 'update');
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) {
      expect(update).toEqual({
        type: 'update',
        resourceType: 'MedicationRequest',
        target: expect.stringMatching(/^MedicationRequest\/(warf|ibu)$/),
        status: expect.stringMatching(/^(on-hold|stopped)$/),
        code: expect.stringMatching(/\|(855332|197806)$/),
      });
    }
    expect(JSON.stringify(summariesOf(found).records)).not.toContain('NEEDLE');
  });

  it('keeps no label for a model suggestion named by the order’s own text, and the label of a guarded lab order', () => {
    const context = fixtureContext('order-sign', {
      drafts: [withNeedle(draft('Ibuprofen 400 MG Oral Tablet', { id: 'draft-ibu-1', rxcui: '197806' }))],
    });
    const { aliases } = deidentify(context);
    const finding = (suggestion: Parameters<typeof adviceItem>[0]): Finding =>
      findingOf(
        guardAnswer({ items: [adviceItem(suggestion)], invalidItems: 0, modelVersion: 'm-1' }, aliases)
          .items[0]!,
        {
          deployment: 'advice',
          modelVersion: 'm-1',
          patientRef: 'Patient/pt-7781',
          vocabulary: defaultVocabulary().vocabulary,
        },
      );
    const cancel = finding({});
    expect(cancel.suggestions?.[0]?.label).toContain(NEEDLE); // shown to the clinician, never recorded
    const lab = finding({ kind: 'monitoring', suggestion: { kind: 'order-lab', loinc: '6301-6' } });
    const { records } = summariesOf([cancel, lab]);
    expect(records).toEqual([
      [
        {
          uuid: expect.any(String),
          label: null,
          actions: [
            { type: 'delete', resourceType: 'MedicationRequest', target: 'MedicationRequest/draft-ibu-1' },
          ],
        },
      ],
      [
        {
          uuid: expect.any(String),
          label: expect.stringMatching(/^Order .+ \(AI suggestion\)$/),
          actions: [
            {
              type: 'create',
              resourceType: 'ServiceRequest',
              code: 'http://loinc.org|6301-6',
              display: expect.any(String),
            },
          ],
        },
      ],
    ]);
    expect(JSON.stringify(records)).not.toContain('NEEDLE');
  });

  it('keeps a code only in its system’s syntax, a display only on create, and only references with FHIR’s syntax', () => {
    expect(
      actionSummary({
        type: 'update',
        description: NEEDLE,
        resource: {
          resourceType: 'MedicationRequest',
          id: 'abc',
          status: 'on-hold',
          intent: 'order',
          subject: { reference: 'Patient/p' },
          medicationCodeableConcept: {
            text: NEEDLE,
            coding: [
              { system: RXNORM, code: NEEDLE, display: NEEDLE },
              { system: 'urn:local', code: '12345', display: NEEDLE },
              { system: RXNORM, code: '1191', display: NEEDLE },
            ],
          },
        },
      }),
    ).toEqual({
      type: 'update',
      resourceType: 'MedicationRequest',
      code: `${RXNORM}|1191`,
      status: 'on-hold',
      target: 'MedicationRequest/abc',
    });
    expect(
      actionSummary({ type: 'delete', description: 'x', resourceId: `MedicationRequest/${NEEDLE}` }),
    ).toEqual({
      type: 'delete',
      resourceType: null,
    });
  });

  it('keeps no code, and does not fail, when the EHR sent a concept whose coding is not a list of codings', () => {
    // Found by tests/api/fuzz.test.ts: `coding: 0` on an active order made patient-view answer 500.
    for (const coding of [
      0,
      true,
      {},
      'x',
      [null, 7, 'x', { system: 7, code: {} }, { system: 'constructor', code: '1' }],
    ]) {
      expect(
        actionSummary({
          type: 'update',
          description: 'Hold',
          resource: {
            resourceType: 'MedicationRequest',
            id: 'abc',
            status: 'on-hold',
            intent: 'order',
            subject: { reference: 'Patient/p' },
            medicationCodeableConcept: { coding } as never,
          },
        }),
      ).toEqual({
        type: 'update',
        resourceType: 'MedicationRequest',
        status: 'on-hold',
        target: 'MedicationRequest/abc',
      });
    }
  });

  it('reads as one line: the label, then each action', () => {
    expect(
      describeSuggestion({
        uuid: 'u',
        label: 'Replace ibuprofen with acetaminophen',
        actions: [
          { type: 'delete', resourceType: 'MedicationRequest', target: 'MedicationRequest/ibu' },
          {
            type: 'create',
            resourceType: 'MedicationRequest',
            code: `${RXNORM}|161`,
            display: 'acetaminophen',
          },
        ],
      }),
    ).toBe(
      'Replace ibuprofen with acetaminophen (delete MedicationRequest/ibu; create MedicationRequest acetaminophen [RxNorm 161])',
    );
    expect(
      describeSuggestion({
        uuid: 'u',
        label: null,
        actions: [
          {
            type: 'update',
            resourceType: 'MedicationRequest',
            target: 'MedicationRequest/a',
            status: 'on-hold',
          },
        ],
      }),
    ).toBe('update MedicationRequest/a to on-hold');
  });
});
