import { describe, expect, it } from '@jest/globals';
import type { Medication, MedicationRequest } from 'fhir/r4.js';
import { draft, findings, keysOf, med, PATIENT_ID, RXNORM } from './builders.js';

/** A draft whose Medication resource (contained) lists its ingredients. */
function withIngredients(
  text: string,
  ingredients: readonly { text: string; rxcui?: string }[],
): MedicationRequest & { selected: boolean } {
  const contained: Medication = {
    resourceType: 'Medication',
    id: 'm',
    code: { text },
    ingredient: ingredients.map((i) => ({
      itemCodeableConcept: {
        text: i.text,
        ...(i.rxcui && { coding: [{ system: RXNORM, code: i.rxcui, display: i.text }] }),
      },
    })),
  };
  return {
    resourceType: 'MedicationRequest',
    id: `mi-${text.length}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    contained: [contained],
    medicationReference: { reference: '#m' },
    selected: true,
  };
}

describe('product codes and names', () => {
  it('maps an RxNorm clinical drug code to its ingredients whatever the text says (Percocet, SCD 1049221)', async () => {
    expect(
      await keysOf('order-sign', {
        active: [med('Tylenol Extra Strength', { rxcui: '198440' })],
        drafts: [draft('Pain tablet (pharmacy brand)', { rxcui: '1049221' })],
      }),
    ).toEqual(['duplicate:acetaminophen']);
  });

  it('maps a branded drug code (SBD) too: Entresto is sacubitril and valsartan', async () => {
    const [finding] = await findings('order-sign', {
      active: [med('lisinopril 10 mg', { rxcui: '314076' })],
      drafts: [draft('heart failure tablet', { rxcui: '1656356' })],
    });
    // Lisinopril's two concerns (with sacubitril: contraindicated; with valsartan: dual RAAS blockade), one card.
    expect(finding).toMatchObject({
      key: 'interaction:lisinopril|sacubitril|valsartan',
      severity: 'critical',
    });
  });

  it('trusts coded Medication.ingredient over the product name', async () => {
    // The name mentions warfarin (a mislabelled free-text product), the coded ingredient is acetaminophen (161).
    expect(
      await keysOf('order-sign', {
        active: [med('ibuprofen 400 mg')],
        drafts: [withIngredients('warfarin-free pain relief', [{ text: 'acetaminophen', rxcui: '161' }])],
      }),
    ).toEqual([]);
    expect(
      await keysOf('order-sign', {
        patient: { birthDate: '1980-01-01' },
        active: [med('ibuprofen 400 mg')],
        drafts: [withIngredients('Combination tablet', [{ text: 'warfarin', rxcui: '11289' }])],
      }),
    ).toEqual(['interaction:ibuprofen|warfarin']);
  });

  it('never matches an ingredient the product name negates ("Aspirin Free", "Non-Aspirin")', async () => {
    expect(
      await keysOf('order-sign', {
        active: [med('warfarin 5 mg')],
        drafts: [draft('Excedrin Aspirin Free Caplet'), draft('Non-Aspirin Pain Reliever 325 mg')],
      }),
    ).toEqual([]);
    expect(
      await keysOf('order-sign', { active: [med('warfarin 5 mg')], drafts: [draft('Aspirin 325 mg')] }),
    ).toEqual(['interaction:aspirin|warfarin']);
  });
});
