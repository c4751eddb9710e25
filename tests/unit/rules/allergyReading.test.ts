import { describe, expect, it } from '@jest/globals';
import { allergy, draft, findings, keysOf } from './builders.js';

const adult = { birthDate: '1980-01-01' };

describe('allergies as clinicians read them', () => {
  it('reads a non-immune intolerance (nausea) as information at most', async () => {
    const [finding] = await findings('order-sign', {
      patient: adult,
      allergies: [allergy('Codeine', { reactions: ['Nausea|422587007'] })],
      drafts: [draft('codeine 30 mg')],
    });
    expect(finding).toMatchObject({
      key: 'allergy:codeine',
      ruleId: 'allergy/intolerance',
      severity: 'info',
    });
    expect(finding?.summary).toContain('intolerance of Codeine');
  });

  it('reads type "intolerance" the same way, and never crosses to another class', async () => {
    expect(
      (
        await findings('order-sign', {
          patient: adult,
          allergies: [allergy('Amoxicillin', { type: 'intolerance' })],
          drafts: [draft('amoxicillin 500 mg')],
        })
      ).map((f) => [f.key, f.severity]),
    ).toEqual([['allergy:amoxicillin', 'info']]);
    expect(
      await keysOf('order-sign', {
        patient: adult,
        allergies: [allergy('Amoxicillin', { type: 'intolerance' })],
        drafts: [draft('cephalexin 500 mg')],
      }),
    ).toEqual([]);
  });

  it('never fires for a refuted or entered-in-error record', async () => {
    for (const verificationStatus of ['refuted', 'entered-in-error']) {
      expect(
        await keysOf('order-sign', {
          allergies: [allergy('Penicillin', { verificationStatus, reactions: ['Anaphylaxis|39579001'] })],
          drafts: [draft('amoxicillin 500 mg')],
        }),
      ).toEqual([]);
    }
  });

  it('gives a low-risk penicillin history (isolated rash) a warning with de-labelling advice, not a hard stop', async () => {
    const [finding] = await findings('order-select', {
      allergies: [allergy('Penicillin', { reactions: ['Rash|271807003'], criticality: 'low' })],
      drafts: [draft('amoxicillin 500 mg')],
    });
    expect(finding).toMatchObject({ ruleId: 'allergy/penicillin-low-risk', severity: 'warning' });
    expect(finding?.detail).toContain('amoxicillin challenge');
  });

  it('keeps a penicillin class contraindication after anaphylaxis', async () => {
    const [finding] = await findings('order-select', {
      allergies: [allergy('Penicillin', { reactions: ['Anaphylaxis|39579001'], criticality: 'high' })],
      drafts: [draft('amoxicillin 500 mg')],
    });
    expect(finding).toMatchObject({ ruleId: 'allergy/class-penicillin', severity: 'critical' });
  });

  it('caps an unconfirmed record without severe features at a warning', async () => {
    const [finding] = await findings('order-select', {
      allergies: [allergy('Penicillin', { verificationStatus: 'unconfirmed', reactions: ['Hives'] })],
      drafts: [draft('amoxicillin 500 mg')],
    });
    expect(finding?.severity).toBe('warning');
  });
});

describe('beta-lactam side chains', () => {
  const amoxicillinAllergy = allergy('Amoxicillin', { reactions: ['Hives'] });

  it('warns for a cephalosporin sharing a side chain with the penicillin (amoxicillin → cephalexin)', async () => {
    const [finding] = await findings('order-sign', {
      allergies: [amoxicillinAllergy],
      drafts: [draft('cephalexin 500 mg')],
    });
    expect(finding).toMatchObject({ ruleId: 'allergy/penicillin-cephalosporin', severity: 'warning' });
    expect(finding?.detail).toContain('a shared side chain');
  });

  it('is information only for a cephalosporin with dissimilar side chains (amoxicillin → cefazolin, ceftriaxone)', async () => {
    for (const drug of ['cefazolin 2 g IV', 'ceftriaxone 1 g IV']) {
      const [finding] = await findings('order-sign', {
        allergies: [amoxicillinAllergy],
        drafts: [draft(drug)],
      });
      expect(finding?.severity).toBe('info');
      expect(finding?.detail).toContain('no shared side chain');
    }
  });

  it('keeps a named cephalosporin allergy critical for a cephalosporin sharing its side chain, a warning otherwise', async () => {
    const cephalexin = allergy('Cephalexin', { reactions: ['Hives'] });
    expect(
      (await findings('order-sign', { allergies: [cephalexin], drafts: [draft('cefadroxil 500 mg')] }))[0]
        ?.severity,
    ).toBe('critical');
    expect(
      (await findings('order-sign', { allergies: [cephalexin], drafts: [draft('ceftriaxone 1 g')] }))[0]
        ?.severity,
    ).toBe('warning');
  });

  it('links aztreonam to a ceftazidime allergy only (identical R1 side chain)', async () => {
    expect(
      await keysOf('order-sign', {
        allergies: [allergy('Ceftazidime')],
        drafts: [draft('aztreonam 1 g IV')],
      }),
    ).toEqual(['allergy:aztreonam']);
    expect(
      await keysOf('order-sign', { allergies: [allergy('Penicillin')], drafts: [draft('aztreonam 1 g IV')] }),
    ).toEqual([]);
  });
});
