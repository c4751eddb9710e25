/** Interactions a review found missing (issue list and the ONC high-priority list): each fires, and a near miss does not. */
import { describe, expect, it } from '@jest/globals';
import { condition, draft, egfr, findings, keysOf, med } from './builders.js';

const adult = { birthDate: '1975-01-01' };
const older = { birthDate: '1950-01-01' };

async function severityOf(key: string, chart: Parameters<typeof findings>[1]): Promise<string | undefined> {
  return (await findings('order-sign', chart)).find((f) => f.key === key)?.severity;
}

describe('high-priority interactions', () => {
  it('colchicine with a strong CYP3A4/P-gp inhibitor: warning, contraindicated with renal impairment', async () => {
    const chart = {
      patient: adult,
      active: [med('colchicine 0.6 mg')],
      drafts: [draft('clarithromycin 500 mg')],
    };
    expect(await severityOf('interaction:clarithromycin|colchicine', chart)).toBe('warning');
    expect(await severityOf('interaction:clarithromycin|colchicine', { ...chart, labs: [egfr(45)] })).toBe(
      'critical',
    );
    expect(
      await keysOf('order-sign', {
        patient: adult,
        active: [med('colchicine 0.6 mg')],
        drafts: [draft('azithromycin 250 mg')],
      }),
    ).toEqual([]);
  });

  it('dofetilide with the drugs its label contraindicates', async () => {
    for (const other of [
      'hydrochlorothiazide 25 mg',
      'verapamil 120 mg',
      'Bactrim DS',
      'cimetidine 400 mg',
    ]) {
      const result = await findings('order-sign', {
        patient: adult,
        active: [med('dofetilide 500 mcg')],
        drafts: [draft(other)],
      });
      expect(
        result.some(
          (f) => f.severity === 'critical' && f.ruleId === 'interactions/dofetilide-contraindicated',
        ),
      ).toBe(true);
    }
  });

  it('febuxostat with azathioprine is contraindicated; allopurinol with it needs a dose reduction', async () => {
    expect(
      await severityOf('interaction:azathioprine|febuxostat', {
        patient: adult,
        active: [med('azathioprine 50 mg')],
        drafts: [draft('febuxostat 40 mg')],
      }),
    ).toBe('critical');
    expect(
      await severityOf('interaction:allopurinol|mercaptopurine', {
        patient: adult,
        active: [med('mercaptopurine 50 mg')],
        drafts: [draft('allopurinol 100 mg')],
      }),
    ).toBe('warning');
  });

  it('buprenorphine with a full agonist; two opioids', async () => {
    expect(
      await keysOf('order-sign', {
        patient: adult,
        active: [med('Suboxone 8 mg/2 mg film')],
        drafts: [draft('oxycodone 5 mg')],
      }),
    ).toEqual(['interaction:buprenorphine|oxycodone']);
    expect(
      await keysOf('order-sign', {
        patient: adult,
        active: [med('morphine ER 30 mg')],
        drafts: [draft('oxycodone 5 mg')],
      }),
    ).toEqual(['duplicate:morphine|oxycodone']);
  });

  it('a gabapentinoid with an opioid: information, a warning at 65 or with COPD', async () => {
    const drafts = [draft('pregabalin 75 mg')];
    expect(
      await severityOf('interaction:oxycodone|pregabalin', {
        patient: adult,
        active: [med('oxycodone 5 mg')],
        drafts,
      }),
    ).toBe('info');
    expect(
      await severityOf('interaction:oxycodone|pregabalin', {
        patient: older,
        active: [med('oxycodone 5 mg')],
        drafts,
      }),
    ).toBe('warning');
    expect(
      await severityOf('interaction:oxycodone|pregabalin', {
        patient: adult,
        conditions: [condition('COPD', { snomed: '13645005' })],
        active: [med('oxycodone 5 mg')],
        drafts,
      }),
    ).toBe('warning');
  });

  it('an NSAID with an ACE inhibitor and a diuretic (three drugs, one card), not with only two of them', async () => {
    const result = await keysOf('order-select', {
      patient: adult,
      active: [med('lisinopril 20 mg'), med('furosemide 40 mg')],
      drafts: [draft('naproxen 500 mg')],
    });
    expect(result).toEqual(['interaction:furosemide|lisinopril|naproxen']);
    expect(
      await keysOf('order-select', {
        patient: adult,
        active: [med('lisinopril 20 mg')],
        drafts: [draft('naproxen 500 mg')],
      }),
    ).toEqual([]);
  });

  it('an NSAID in chronic kidney disease; avoid wording at an eGFR below 30 instead of a second card', async () => {
    const ckd = condition('Chronic kidney disease stage 3', { snomed: '433144002' });
    expect(
      await keysOf('order-sign', { patient: adult, conditions: [ckd], drafts: [draft('ibuprofen 400 mg')] }),
    ).toEqual(['condition:chronic-kidney-disease|ibuprofen']);
    const [finding] = await findings('order-sign', {
      patient: adult,
      conditions: [ckd],
      drafts: [draft('ibuprofen 400 mg')],
      labs: [egfr(24)],
    });
    expect(finding).toMatchObject({ key: 'renal:ibuprofen', severity: 'warning' });
    expect(finding?.summary).toMatch(/^Avoid ibuprofen at eGFR 24/);
  });

  it('trimethoprim with a RAAS drug raises potassium', async () => {
    expect(
      await severityOf('interaction:lisinopril|trimethoprim', {
        patient: adult,
        active: [med('lisinopril 10 mg')],
        drafts: [draft('trimethoprim 100 mg')],
      }),
    ).toBe('warning');
  });

  it('lamotrigine with valproate', async () => {
    expect(
      await keysOf('order-sign', {
        patient: adult,
        active: [med('Depakote 500 mg')],
        drafts: [draft('lamotrigine 25 mg')],
      }),
    ).toEqual(['interaction:lamotrigine|valproic-acid']);
  });

  it('MAO inhibitors with triptans, stimulants, tricyclics (ONC high-priority list)', async () => {
    for (const drug of [
      'sumatriptan 50 mg',
      'Adderall 10 mg',
      'amitriptyline 25 mg',
      'methylphenidate 10 mg',
    ]) {
      const result = await findings('order-sign', {
        patient: adult,
        active: [med('phenelzine 15 mg')],
        drafts: [draft(drug)],
      });
      expect(result.map((f) => f.severity)).toContain('critical');
    }
  });

  it('sacubitril/valsartan with an ACE inhibitor is contraindicated (36-hour washout)', async () => {
    expect(
      await severityOf('interaction:lisinopril|sacubitril|valsartan', {
        patient: adult,
        active: [med('lisinopril 10 mg')],
        drafts: [draft('Entresto 24/26 mg')],
      }),
    ).toBe('critical');
  });
});
