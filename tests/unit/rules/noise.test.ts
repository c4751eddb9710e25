/**
 * The noise a clinical review found: each test states what a clinician expects and failed on the code before it.
 */
import { describe, expect, it } from '@jest/globals';
import type { MedicationStatement } from 'fhir/r4.js';
import { condition, daysAgo, draft, egfr, findings, keysOf, med, PATIENT_ID, potassium } from './builders.js';

const middleAged = { birthDate: '1970-05-01' };

function reported(text: string, assertedDaysAgo: number, id: string): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    id,
    status: 'active',
    subject: { reference: `Patient/${PATIENT_ID}` },
    medicationCodeableConcept: { text },
    dateAsserted: daysAgo(assertedDaysAgo),
  };
}

describe('guideline therapy is not an alarm', () => {
  const heartFailure = condition('Heart failure with reduced ejection fraction', { snomed: '84114007' });

  it('shows an ACE inhibitor with spironolactone in heart failure as information', async () => {
    const [finding] = await findings('order-select', {
      patient: middleAged,
      conditions: [heartFailure],
      active: [med('lisinopril 20 mg')],
      drafts: [draft('spironolactone 25 mg')],
      labs: [potassium(4.4), egfr(65)],
    });
    expect(finding).toMatchObject({ key: 'interaction:lisinopril|spironolactone', severity: 'info' });
  });

  it('raises it to a warning when potassium or eGFR say otherwise', async () => {
    const chart = {
      patient: middleAged,
      conditions: [heartFailure],
      active: [med('lisinopril 20 mg')],
      drafts: [draft('spironolactone 25 mg')],
    };
    const highK = await findings('order-select', { ...chart, labs: [potassium(5.3), egfr(65)] });
    expect(highK.find((f) => f.key === 'interaction:lisinopril|spironolactone')?.severity).toBe('warning');
    const lowGfr = await findings('order-select', { ...chart, labs: [potassium(4.5), egfr(25)] });
    expect(lowGfr.find((f) => f.key === 'interaction:lisinopril|spironolactone')?.severity).toBe('warning');
  });
});

describe('low-dose aspirin with an NSAID', () => {
  it('is an interaction (blunted antiplatelet effect, bleeding), not two NSAIDs', async () => {
    expect(
      await keysOf('order-select', {
        patient: middleAged,
        active: [med('Aspirin 81 MG Delayed Release Oral Tablet')],
        drafts: [draft('ibuprofen 400 mg')],
      }),
    ).toEqual(['interaction:aspirin|ibuprofen']);
  });
});

describe('non-systemic doses', () => {
  it('does not count a heparin lock flush as a second anticoagulant', async () => {
    expect(
      await keysOf('order-sign', {
        patient: middleAged,
        active: [med('enoxaparin 40 mg subcutaneous daily')],
        drafts: [draft('Heparin Lock Flush 100 units/mL, 5 mL per lumen')],
      }),
    ).toEqual([]);
  });

  it('does not count eye drops in QT interactions', async () => {
    expect(
      await keysOf('order-sign', {
        patient: middleAged,
        active: [med('citalopram 20 mg')],
        drafts: [draft('Ciprofloxacin 0.3% Ophthalmic Solution')],
      }),
    ).toEqual([]);
  });
});

describe('one card per drug', () => {
  it('gives one card for a drug interacting with three others', async () => {
    const result = await findings('order-select', {
      patient: middleAged,
      active: [med('simvastatin 40 mg'), med('citalopram 20 mg'), med('warfarin 5 mg')],
      drafts: [draft('clarithromycin 500 mg')],
    });
    const interactions = result.filter((f) => f.key.startsWith('interaction:'));
    expect(interactions).toHaveLength(1);
    expect(interactions[0]?.key).toBe('interaction:citalopram|clarithromycin|simvastatin');
    expect(interactions[0]?.severity).toBe('critical');
  });
});

describe("the patient's own medication statements", () => {
  it('are not duplicate orders of the drug the patient is prescribed', async () => {
    expect(
      await keysOf('patient-view', {
        patient: middleAged,
        active: [med('lisinopril 10 mg', { id: 'order' }), reported('Lisinopril 10 mg daily', 20, 'said')],
      }),
    ).toEqual([]);
  });

  it('are not current when years old', async () => {
    expect(
      await keysOf('order-select', {
        patient: middleAged,
        active: [reported('ibuprofen 400 mg as needed', 3 * 365, 'old')],
        drafts: [draft('warfarin 5 mg')],
      }),
    ).toEqual([]);
  });
});

describe('sources and actions', () => {
  it('cites the potassium chloride label on a potassium chloride card', async () => {
    const [finding] = await findings('order-sign', {
      patient: middleAged,
      drafts: [draft('potassium chloride 20 mEq')],
      labs: [potassium(5.4)],
    });
    expect(finding?.key).toBe('lab:potassium|potassium-chloride');
    expect(finding?.detail).toContain('Potassium chloride');
    expect(finding?.detail).not.toContain('Spironolactone');
  });

  it('cites the potassium chloride label when potassium chloride is ordered with spironolactone', async () => {
    const kclLabel =
      'https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=8bae6f0f-58ca-490f-a725-8ec4bc6ba514';
    const [ordered] = await findings('order-sign', {
      patient: middleAged,
      active: [med('spironolactone 25 mg')],
      drafts: [draft('potassium chloride 20 mEq')],
      labs: [potassium(4.2)],
    });
    expect(ordered?.key).toBe('interaction:potassium-chloride|spironolactone');
    expect(ordered?.source.url).toBe(kclLabel);
    // The other way round the card is about spironolactone, and cites its label.
    const [reverse] = await findings('order-sign', {
      patient: middleAged,
      active: [med('potassium chloride 20 mEq')],
      drafts: [draft('spironolactone 25 mg')],
      labs: [potassium(4.2)],
    });
    expect(reverse?.source.url).toBe(
      'https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=0fed2822-3a03-4b64-9857-c682fcd462bc',
    );
  });

  it('links DailyMed labels by set id, not search pages', async () => {
    const [finding] = await findings('order-select', {
      patient: middleAged,
      active: [med('apixaban 5 mg')],
      drafts: [draft('ibuprofen 400 mg')],
    });
    expect(finding?.links?.map((l) => l.url)).toContain(
      'https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=e9481622-7cc6-418a-acb6-c5450daae9b0',
    );
  });

  it('offers to hold an active order on patient-view when a finding calls for it', async () => {
    const [finding] = await findings('patient-view', {
      patient: middleAged,
      active: [med('spironolactone 25 mg', { id: 'spiro' })],
      labs: [potassium(5.3)],
    });
    const hold = finding?.suggestions?.find((s) => s.label.includes('on hold'));
    expect(hold?.actions[0]).toMatchObject({
      type: 'update',
      resource: { resourceType: 'MedicationRequest', id: 'spiro', status: 'on-hold' },
    });
  });
});
