import { describe, expect, it } from '@jest/globals';
import { allergy, draft, findings, inr, keysOf, med } from './builders.js';

describe('anticoagulant interactions', () => {
  it('warns when an NSAID draft is selected for a patient on warfarin', async () => {
    const result = await findings('order-select', {
      active: [med('Warfarin Sodium 5 MG Oral Tablet', { id: 'warf', rxcui: '855332' })],
      drafts: [draft('Ibuprofen 400 MG Oral Tablet', { id: 'ibu' })],
    });
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      key: 'interaction:ibuprofen|warfarin',
      ruleId: 'interactions/anticoagulant-nsaid',
      severity: 'warning',
      evidence: ['MedicationRequest/ibu', 'MedicationRequest/warf'],
    });
    expect(result[0]?.summary).toMatch(/Ibuprofen \+ warfarin/);
  });

  it('stays quiet for acetaminophen, the non-interacting analgesic', async () => {
    expect(
      await keysOf('order-select', {
        active: [med('warfarin 5mg')],
        drafts: [draft('Acetaminophen 500 MG Oral Tablet')],
      }),
    ).toEqual([]);
  });

  it('stays quiet when the warfarin order is stopped', async () => {
    expect(
      await keysOf('order-select', {
        active: [med('warfarin 5mg', { status: 'stopped' })],
        drafts: [draft('ibuprofen 400 mg')],
      }),
    ).toEqual([]);
  });

  it('cites a recent high INR as evidence', async () => {
    const high = inr(3.8);
    const [finding] = await findings('order-sign', {
      active: [med('warfarin 5mg')],
      drafts: [draft('naproxen 500mg')],
      labs: [high],
    });
    expect(finding?.evidence).toContain(`Observation/${high.id ?? ''}`);
    expect(finding?.detail).toContain('INR');
  });

  it('does not cite an in-range or old INR', async () => {
    const normal = inr(2.5);
    const old = inr(4.2, 45);
    const [finding] = await findings('order-sign', {
      active: [med('warfarin 5mg')],
      drafts: [draft('naproxen 500mg')],
      labs: [normal, old],
    });
    expect(finding?.evidence).toHaveLength(2);
  });

  it('raises an SSRI–anticoagulant note from info to warning when the INR is already high', async () => {
    const chart = { active: [med('warfarin 5mg')], drafts: [draft('sertraline 50 mg')] };
    expect((await findings('order-sign', chart))[0]?.severity).toBe('info');
    expect((await findings('order-sign', { ...chart, labs: [inr(3.6)] }))[0]?.severity).toBe('warning');
  });

  it('offers to replace the NSAID draft with acetaminophen, remove it, or order an INR', async () => {
    const [finding] = await findings('order-select', {
      active: [med('warfarin 5mg')],
      drafts: [draft('Ibuprofen 400 MG Oral Tablet', { id: 'ibu' })],
    });
    expect(finding?.selectionBehavior).toBe('at-most-one');
    const [replace, remove, order] = finding?.suggestions ?? [];
    expect(replace?.actions).toEqual([
      expect.objectContaining({ type: 'delete', resourceId: 'MedicationRequest/ibu' }),
      expect.objectContaining({
        type: 'create',
        resource: expect.objectContaining({
          resourceType: 'MedicationRequest',
          status: 'draft',
          subject: { reference: 'Patient/p1' },
          medicationCodeableConcept: expect.objectContaining({
            coding: [expect.objectContaining({ code: '161' })],
          }),
        }),
      }),
    ]);
    expect(remove?.actions).toEqual([
      expect.objectContaining({ type: 'delete', resourceId: 'MedicationRequest/ibu' }),
    ]);
    expect(order?.actions[0]).toMatchObject({
      type: 'create',
      resource: {
        resourceType: 'ServiceRequest',
        code: { coding: [expect.objectContaining({ system: 'http://loinc.org', code: '6301-6' })] },
      },
    });
  });

  it('flags warfarin with co-trimoxazole once, on the sulfamethoxazole component', async () => {
    expect(
      await keysOf('order-sign', {
        active: [med('warfarin 5mg')],
        drafts: [draft('Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet')],
      }),
    ).toEqual(['interaction:sulfamethoxazole|warfarin']);
  });
});

describe('contraindicated combinations', () => {
  it('marks a PDE-5 inhibitor with a nitrate critical and names both drugs', async () => {
    const [finding] = await findings('order-select', {
      active: [med('Nitroglycerin 0.4 MG Sublingual Tablet')],
      drafts: [draft('Cialis 5 mg')],
    });
    expect(finding).toMatchObject({ key: 'interaction:nitroglycerin|tadalafil', severity: 'critical' });
    expect(finding?.summary).toBe('Contraindicated: Tadalafil + nitroglycerin (severe hypotension)');
    expect(finding?.suggestions?.[0]?.isRecommended).toBe(true);
  });

  it('does not flag sildenafil with amlodipine', async () => {
    expect(
      await keysOf('order-select', { active: [med('amlodipine 5 mg')], drafts: [draft('sildenafil 50 mg')] }),
    ).toEqual([]);
  });

  it('marks simvastatin with itraconazole critical but atorvastatin with clarithromycin only a warning', async () => {
    const simva = await findings('order-sign', {
      active: [med('simvastatin 40mg')],
      drafts: [draft('itraconazole 100 mg')],
    });
    expect(simva.map((f) => [f.key, f.severity])).toEqual([
      ['interaction:itraconazole|simvastatin', 'critical'],
    ]);
    const atorva = await findings('order-sign', {
      active: [med('Lipitor 40 mg')],
      drafts: [draft('Biaxin 500 mg')],
    });
    expect(atorva.map((f) => [f.key, f.severity])).toEqual([
      ['interaction:atorvastatin|clarithromycin', 'warning'],
    ]);
  });

  it('does not flag pravastatin with clarithromycin', async () => {
    expect(
      await keysOf('order-sign', {
        active: [med('pravastatin 40mg')],
        drafts: [draft('clarithromycin 500 mg')],
      }),
    ).toEqual([]);
  });

  it('marks an SSRI started on an MAOI critical', async () => {
    const [finding] = await findings('order-sign', {
      active: [med('Nardil 15 mg')],
      drafts: [draft('fluoxetine 20 mg')],
    });
    expect(finding).toMatchObject({ key: 'interaction:fluoxetine|phenelzine', severity: 'critical' });
  });
});

describe('other interaction classes', () => {
  it.each([
    [
      'lisinopril 10 mg',
      'Potassium Chloride 20 MEQ Extended Release Oral Tablet',
      'interaction:lisinopril|potassium-chloride',
    ],
    ['sertraline 50 mg', 'tramadol 50 mg', 'interaction:sertraline|tramadol'],
    ['citalopram 20 mg', 'levofloxacin 500 mg', 'interaction:citalopram|levofloxacin'],
    ['methotrexate 2.5 mg weekly', 'trimethoprim 100 mg', 'interaction:methotrexate|trimethoprim'],
    ['Plavix 75 mg', 'esomeprazole 40 mg', 'interaction:clopidogrel|esomeprazole'],
  ])('flags %s with %s', async (active, drafted, key) => {
    expect(await keysOf('order-sign', { active: [med(active)], drafts: [draft(drafted)] })).toEqual([key]);
  });

  it.each([
    [
      'Losartan Potassium 50 MG Oral Tablet',
      'amlodipine 5 mg',
      'a potassium salt is not a potassium supplement',
    ],
    ['sertraline 50 mg', 'morphine 10 mg', 'morphine is not serotonergic'],
    ['citalopram 20 mg', 'amoxicillin 500 mg', 'amoxicillin does not prolong QT'],
    ['Plavix 75 mg', 'pantoprazole 40 mg', 'pantoprazole barely inhibits CYP2C19'],
  ])('does not flag %s with %s (%s)', async (active, drafted) => {
    expect(await keysOf('order-sign', { active: [med(active)], drafts: [draft(drafted)] })).toEqual([]);
  });
});

describe('which pairs each hook compares', () => {
  it('order-select compares the selected draft with other drafts but not unselected drafts with active orders', async () => {
    const chart = {
      active: [med('warfarin 5mg')],
      drafts: [draft('ibuprofen 400mg', { selected: false }), draft('amlodipine 5mg', { selected: true })],
    };
    expect(await keysOf('order-select', chart)).toEqual([]);
    expect(await keysOf('order-sign', chart)).toEqual(['interaction:ibuprofen|warfarin']);
  });

  it('never compares a draft with itself, even a combination product', async () => {
    expect(await keysOf('order-sign', { drafts: [draft('Percocet 5/325 tablet')] })).toEqual([]);
  });

  it('patient-view reviews interactions already present in the active list', async () => {
    expect(
      await keysOf('patient-view', {
        active: [med('warfarin 5mg'), med('Diflucan 150 mg')],
        labs: [inr(2.5)],
      }),
    ).toEqual(['interaction:fluconazole|warfarin']);
  });

  it('merges the same pair from two orders into one finding with both as evidence', async () => {
    const result = await findings('order-sign', {
      active: [med('warfarin 5mg', { id: 'w1' }), med('Coumadin 1 mg', { id: 'w2' })],
      drafts: [draft('ibuprofen 400mg', { id: 'i1' })],
    });
    const interaction = result.find((f) => f.key === 'interaction:ibuprofen|warfarin');
    expect(interaction?.evidence).toEqual(
      expect.arrayContaining(['MedicationRequest/w1', 'MedicationRequest/w2', 'MedicationRequest/i1']),
    );
    expect(result.filter((f) => f.key === 'interaction:ibuprofen|warfarin')).toHaveLength(1);
  });
});

describe('duplicate therapy', () => {
  it('flags two anticoagulants', async () => {
    const [finding] = await findings('order-sign', {
      active: [med('warfarin 5mg')],
      drafts: [draft('Eliquis 5 mg')],
    });
    expect(finding).toMatchObject({
      key: 'duplicate:apixaban|warfarin',
      ruleId: 'duplicates/anticoagulant',
      severity: 'warning',
    });
  });

  it('flags the same ingredient hidden in a combination product', async () => {
    expect(
      await keysOf('order-select', { active: [med('Percocet 5/325')], drafts: [draft('Tylenol 500 mg')] }),
    ).toEqual(['duplicate:acetaminophen']);
  });

  it('folds a second concern for the same pair into one card', async () => {
    const result = await findings('order-sign', {
      active: [med('citalopram 20 mg')],
      drafts: [draft('escitalopram 10 mg')],
    });
    expect(result).toHaveLength(1);
    expect(result[0]?.detail).toContain('Also for this pair');
  });

  it('does not flag two drugs of a class without a duplicate rule (aspirin with clopidogrel)', async () => {
    expect(
      await keysOf('order-sign', { active: [med('aspirin 81 mg')], drafts: [draft('clopidogrel 75 mg')] }),
    ).toEqual([]);
  });
});

describe('opioids with benzodiazepines', () => {
  it('warns about an opioid started on a benzodiazepine', async () => {
    const [finding] = await findings('order-select', {
      active: [med('Ativan 1 mg')],
      drafts: [draft('oxycodone 5 mg')],
    });
    expect(finding).toMatchObject({ key: 'interaction:lorazepam|oxycodone', severity: 'warning' });
  });

  it('does not flag an opioid with a non-sedating neighbour (amlodipine)', async () => {
    expect(
      await keysOf('order-select', { active: [med('amlodipine 5 mg')], drafts: [draft('oxycodone 5 mg')] }),
    ).toEqual([]);
  });
});

describe('a new anticoagulant while the INR is already high', () => {
  it('cites the INR on the duplicate-anticoagulant finding', async () => {
    const high = inr(3.7);
    const [finding] = await findings('order-sign', {
      active: [med('warfarin 5mg')],
      drafts: [draft('Xarelto 20 mg')],
      labs: [high],
    });
    expect(finding?.key).toBe('duplicate:rivaroxaban|warfarin');
    expect(finding?.evidence).toContain(`Observation/${high.id ?? ''}`);
  });
});

describe('posaconazole with CYP3A4 statins', () => {
  it('marks atorvastatin with posaconazole critical (posaconazole label) and offers pravastatin', async () => {
    const [finding] = await findings('order-sign', {
      active: [med('posaconazole 300 mg daily')],
      drafts: [draft('atorvastatin 40 mg', { id: 'ator' })],
    });
    expect(finding).toMatchObject({
      key: 'interaction:atorvastatin|posaconazole',
      ruleId: 'interactions/posaconazole-statin',
      severity: 'critical',
    });
    expect(finding?.suggestions?.[0]?.label).toBe('Replace atorvastatin with pravastatin');
  });
});

describe('safer alternatives are themselves safe', () => {
  const labels = async (chart: Parameters<typeof findings>[1]): Promise<string[]> =>
    (
      (await findings('order-select', chart)).find((f) => f.key === 'interaction:ibuprofen|warfarin')
        ?.suggestions ?? []
    ).map((s) => s.label);

  it('offers acetaminophen in place of an NSAID normally', async () => {
    expect(await labels({ active: [med('warfarin 5mg')], drafts: [draft('ibuprofen 400 mg')] })).toContain(
      'Replace ibuprofen with acetaminophen',
    );
  });

  it('does not offer acetaminophen to a patient allergic to it', async () => {
    const chart = {
      active: [med('warfarin 5mg')],
      drafts: [draft('ibuprofen 400 mg')],
      allergies: [allergy('Tylenol')],
    };
    expect(await labels(chart)).not.toContain('Replace ibuprofen with acetaminophen');
  });

  it('does not offer acetaminophen when it is already on the chart', async () => {
    const chart = {
      active: [med('warfarin 5mg'), med('acetaminophen 500 mg prn')],
      drafts: [draft('ibuprofen 400 mg')],
    };
    expect(await labels(chart)).toEqual([
      'Remove the draft order for ibuprofen',
      'Order INR in Platelet poor plasma by Coagulation assay',
    ]);
  });

  it('does not offer azithromycin for clarithromycin when it would interact (QT with citalopram)', async () => {
    const result = await findings('order-sign', {
      active: [med('simvastatin 40 mg'), med('citalopram 20 mg')],
      drafts: [draft('clarithromycin 500 mg')],
    });
    // One card for clarithromycin's two interactions (simvastatin, citalopram).
    const clarithromycin = result.find((f) => f.key === 'interaction:citalopram|clarithromycin|simvastatin');
    expect(clarithromycin?.suggestions?.map((s) => s.label)).toEqual([
      'Remove the draft order for clarithromycin',
    ]);
  });
});

describe('more narrow-therapeutic-index interactions', () => {
  it('warns about lithium with a thiazide and offers a lithium level', async () => {
    const [finding] = await findings('order-sign', {
      active: [med('Lithium Carbonate 300 MG Oral Capsule')],
      drafts: [draft('hydrochlorothiazide 25 mg')],
    });
    expect(finding).toMatchObject({ key: 'interaction:hydrochlorothiazide|lithium', severity: 'warning' });
    expect(finding?.suggestions?.map((s) => s.label)).toContain(
      'Order Lithium [Moles/volume] in Serum or Plasma',
    );
  });

  it('does not flag lithium with low-dose aspirin or amlodipine', async () => {
    expect(
      await keysOf('order-sign', {
        active: [med('lithium 300 mg')],
        drafts: [draft('aspirin 81 mg'), draft('amlodipine 5 mg')],
      }),
    ).toEqual([]);
  });

  it('warns about digoxin with amiodarone', async () => {
    expect(
      await keysOf('order-sign', { active: [med('Lanoxin 0.125 mg')], drafts: [draft('amiodarone 200 mg')] }),
    ).toEqual(['interaction:amiodarone|digoxin']);
  });

  it('marks tizanidine with ciprofloxacin critical but not with levofloxacin', async () => {
    expect(
      (
        await findings('order-sign', {
          active: [med('tizanidine 4 mg')],
          drafts: [draft('ciprofloxacin 500 mg')],
        })
      )[0]?.severity,
    ).toBe('critical');
    expect(
      await keysOf('order-sign', {
        active: [med('tizanidine 4 mg')],
        drafts: [draft('levofloxacin 500 mg')],
      }),
    ).toEqual([]);
  });
});
