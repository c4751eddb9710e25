/**
 * The insight lane in pieces: series as sent (bounded, thinned, oldest kept, days ago, vitals), claims checked
 * against them, focus per hook, insight severity and the cap, the longitudinal rules' keys, follow-up and
 * referral suggestions with the AIAST label.
 */
import { describe, expect, it } from '@jest/globals';
import { adviceFor } from '../../../src/advisors/model/advice.js';
import { checkClaims, claimHolds, statedChanges } from '../../../src/advisors/model/claims.js';
import { deidentify } from '../../../src/advisors/model/deidentify.js';
import { AIAST_LABEL } from '../../../src/advisors/model/findings.js';
import { guardAnswer } from '../../../src/advisors/model/guards.js';
import type { ModelAdviceItem, ModelAnswer } from '../../../src/advisors/model/output.js';
import { buildMessages } from '../../../src/advisors/model/prompt.js';
import { LAB_SERIES_BOUNDS, seriesOf } from '../../../src/advisors/model/series.js';
import { defaultVocabulary } from '../../../src/advisors/model/vocabulary.js';
import type { Finding } from '../../../src/findings/types.js';
import { mergeFindings } from '../../../src/findings/merge.js';
import type { LabResult, PatientContext } from '../../../src/clinical/types.js';
import { adviceItem, fixtureContext, fixtureReview, NOW } from './fixtures.js';

const { vocabulary } = defaultVocabulary();
const DAY_MS = 86_400_000;

function result(id: string, daysAgo: number, value: number, extra: Partial<LabResult> = {}): LabResult {
  return {
    ref: `Observation/${id}`,
    concept: { text: `eGFR for Zebediah ${id}`, codings: [{ system: 'http://loinc.org', code: '33914-3' }] },
    loinc: '33914-3',
    analyte: 'egfr',
    value,
    unit: 'mL/min/{1.73_m2}',
    effective: new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString(),
    ...extra,
  };
}

/** eGFR falling from 72 to 38 over four years, a result a month. */
const decline = Array.from({ length: 49 }, (_, i) => result(`egfr-${i}`, i * 30, 38 + (i * 34) / 48));
const weight = (id: string, daysAgo: number, value: number): LabResult =>
  result(id, daysAgo, value, {
    analyte: 'weight',
    loinc: '29463-7',
    unit: 'kg',
    concept: { text: 'Weight of Zebediah', codings: [{ system: 'http://loinc.org', code: '29463-7' }] },
  });

function context(overrides: Partial<PatientContext> = {}): PatientContext {
  return { ...fixtureContext(), labs: decline, ...overrides };
}

const answer = (...items: ModelAdviceItem[]): ModelAnswer => ({ items, invalidItems: 0, modelVersion: 'v' });
const findingContext = {
  deployment: 'advice',
  modelVersion: 'v',
  patientRef: 'Patient/pt-7781',
  vocabulary,
};

describe('series sent to the model', () => {
  it('bounds a long series: the recent results all, older ones about a quarter apart, the oldest kept', () => {
    const [series] = seriesOf(decline, NOW, LAB_SERIES_BOUNDS);

    const days = series!.points.map((p) => p.daysAgo);
    expect(days.length).toBeLessThanOrEqual(LAB_SERIES_BOUNDS.points);
    expect(days.slice(0, LAB_SERIES_BOUNDS.recent)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
    expect(days[days.length - 1]).toBe(48 * 30);
    for (let i = LAB_SERIES_BOUNDS.recent; i < days.length - 1; i++)
      expect(days[i]! - days[i - 1]!).toBeGreaterThanOrEqual(LAB_SERIES_BOUNDS.spacingDays);
  });

  it('sends values with days ago per series, vitals as V series, the hook and the medications under review', () => {
    const vitals = [weight('w1', 2, 81), weight('w2', 200, 88)];

    const deid = deidentify(context({ hook: 'patient-view', vitals }), vocabulary);
    const { input, question, aliases } = deid;

    expect(question.hook).toBe('patient-view');
    expect(question.underReview).toEqual(input.activeMedications.map((m) => m.alias));
    expect(input.labs[0]).toMatchObject({ alias: 'L1', name: 'eGFR', unit: 'mL/min/{1.73_m2}' });
    expect(input.labs[0]!.results[0]).toEqual({
      value: 38,
      comparator: null,
      daysAgo: 0,
      interpretation: null,
    });
    expect(input.vitals).toEqual([
      {
        alias: 'V1',
        name: 'body weight',
        codes: [{ system: 'LOINC', code: '29463-7' }],
        unit: 'kg',
        results: [
          { value: 81, comparator: null, daysAgo: 2, interpretation: null },
          { value: 88, comparator: null, daysAgo: 200, interpretation: null },
        ],
      },
    ]);
    expect(aliases.get('V1')).toMatchObject({ kind: 'vital', ref: 'Observation/w1', analyte: 'weight' });
    const sent = JSON.stringify(buildMessages(deid));
    expect(sent).not.toMatch(/Zebediah|egfr-\d|Observation\/|20\d\d-\d\d-\d\d/);
  });

  it('names the hook and the selected drafts in the order-select task', () => {
    const deid = deidentify({ ...fixtureContext(), hook: 'order-select' }, vocabulary);
    const task = buildMessages(deid)[1]!.content as string;

    expect(task).toMatch(/^Hook: order-select\. The clinician has just selected these draft orders: D1\./);
    expect(deid.question.underReview).toEqual(['D1']);
  });
});

describe('claims checked against the series', () => {
  const { aliases } = deidentify(context(), vocabulary);
  const series = aliases.get('L1')!;

  it('a fall is true of a falling eGFR, a rise is not; overdue is not true of a result taken today', () => {
    expect(claimHolds({ change: 'fall', series })).toEqual(['Observation/egfr-48', 'Observation/egfr-0']);
    expect(claimHolds({ change: 'rise', series })).toBeUndefined();
    expect(claimHolds({ change: 'overdue', series })).toBeUndefined();
  });

  it('a flat series neither rose nor fell (changes under 5 % are noise)', () => {
    const flat = deidentify(
      context({ labs: [result('a', 0, 61), result('b', 100, 60), result('c', 200, 62)] }),
      vocabulary,
    ).aliases.get('L1')!;

    expect(claimHolds({ change: 'rise', series: flat })).toBeUndefined();
    expect(claimHolds({ change: 'fall', series: flat })).toBeUndefined();
  });

  it('overdue is true when the latest HbA1c is older than six months', () => {
    const a1c = (id: string, days: number): LabResult =>
      result(id, days, 7.1, {
        analyte: undefined,
        loinc: '4548-4',
        unit: '%',
        concept: { text: 'A1c', codings: [{ system: 'http://loinc.org', code: '4548-4' }] },
      });
    const old = deidentify(context({ labs: [a1c('x', 400)] }), vocabulary).aliases.get('L1')!;
    const recent = deidentify(context({ labs: [a1c('y', 40)] }), vocabulary).aliases.get('L1')!;

    expect(claimHolds({ change: 'overdue', series: old })).toEqual(['Observation/x']);
    expect(claimHolds({ change: 'overdue', series: recent })).toBeUndefined();
  });

  it('drops a trend without a claim, a false claim, and words of change the claim does not state', () => {
    const guarded = guardAnswer(
      answer(
        adviceItem({ kind: 'trend', cites: ['L1'], suggestion: null }),
        adviceItem({
          kind: 'trend',
          cites: ['L1', 'M1'],
          claim: { change: 'rise', series: 'L1' },
          suggestion: null,
        }),
        adviceItem({
          kind: 'differential',
          summary: 'Haemoglobin has been falling.',
          cites: ['L1'],
          suggestion: null,
        }),
        adviceItem({
          kind: 'trend',
          cites: ['L1', 'P1'],
          claim: { change: 'fall', series: 'L1' },
          suggestion: null,
        }),
      ),
      aliases,
    );

    const checked = checkClaims(guarded.items);

    expect(checked.dropped).toEqual({ 'claim-missing': 1, 'claim-contradicted': 1, 'claim-unstated': 1 });
    expect(checked.items.map((i) => i.claim?.change)).toEqual(['fall']);
  });

  it('reads the words of change a sentence states', () => {
    expect(statedChanges('eGFR has declined steadily')).toEqual(['fall']);
    expect(statedChanges('Potassium rising on lisinopril; HbA1c overdue')).toEqual(['rise', 'overdue']);
    expect(statedChanges('Consider an SGLT2 inhibitor for CKD with diabetes')).toEqual([]);
  });
});

describe('insights on patient-view, order concerns on order hooks', () => {
  it('keeps chart-level insights citing only labs and problems on patient-view, as info, at most two', () => {
    const review = fixtureReview('patient-view-advice', context());
    const deid = deidentify(review.patient, vocabulary);
    const insight = (kind: ModelAdviceItem['kind'], summary: string): ModelAdviceItem =>
      adviceItem({
        kind,
        summary,
        cites: ['L1', 'P1'],
        severity: 'critical',
        certainty: 'high',
        suggestion: null,
      });

    const advice = adviceFor(
      answer(
        adviceItem({
          kind: 'trend',
          summary: 'eGFR fell from 72 to 38 over four years.',
          cites: ['L1'],
          claim: { change: 'fall', series: 'L1' },
          severity: 'warning',
          suggestion: { kind: 'service-request', code: '103696004' },
        }),
        insight('treatment', 'Consider an SGLT2 inhibitor for kidney protection.'),
        insight('differential', 'Consider causes of the low eGFR other than age.'),
      ),
      deid,
      review,
      findingContext,
    );

    expect(advice.findings.map((f) => [f.key, f.severity])).toEqual([
      ['trend:egfr-decline', 'info'],
      [expect.stringMatching(/^model:/), 'info'],
    ]);
    expect(advice.dropped).toEqual({ 'too-many-insights': 1 });
    expect(advice.findings[0]!.evidence).toEqual(['Observation/egfr-0', 'Observation/egfr-48']);
    expect(advice.findings[0]!.detail).toMatch(/AI-generated insight/);
    expect(advice.findings[0]!.detail).toMatch(/Checked by the service/);
    const action = advice.findings[0]!.suggestions?.[0]?.actions[0];
    expect(action).toMatchObject({
      type: 'create',
      resource: {
        resourceType: 'ServiceRequest',
        status: 'draft',
        intent: 'proposal',
        meta: { security: [AIAST_LABEL] },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '103696004' }] },
      },
    });
  });

  it('takes a concern citing a lab and about a selected draft on order-select; drops one about no draft', () => {
    const review = fixtureReview('order-select-advice', context());
    const deid = deidentify(review.patient, vocabulary);

    const advice = adviceFor(
      answer(
        adviceItem({ kind: 'contraindication', cites: ['L1'], about: 'D1', suggestion: null }),
        adviceItem({ kind: 'contraindication', cites: ['L1', 'P1'], suggestion: null }),
      ),
      deid,
      review,
      findingContext,
    );

    expect(advice.findings).toHaveLength(1);
    expect(advice.findings[0]!.evidence).toEqual(['Observation/egfr-0', 'MedicationRequest/draft-ibu-1']);
    expect(advice.findings[0]!.severity).toBe('warning');
    expect(advice.dropped).toEqual({ 'outside-focus': 1 });
  });

  it('keys a potassium rise with one medication, and a high HbA1c care gap, as the longitudinal rules do', () => {
    const potassium = [0, 90, 180].map((d, i) =>
      result(`k${i}`, d, [5.9, 5.1, 4.6][i]!, { analyte: 'potassium', loinc: '2823-3', unit: 'mmol/L' }),
    );
    const a1c = result('a1c', 10, 7.2, { analyte: undefined, loinc: '4548-4', unit: '%' });
    const review = fixtureReview('patient-view-advice', context({ labs: [...potassium, a1c] }));
    const deid = deidentify(review.patient, vocabulary);
    const m1 = deid.input.activeMedications.find((m) => m.name === 'warfarin')!.alias;

    const advice = adviceFor(
      answer(
        adviceItem({
          kind: 'trend',
          cites: ['L1', m1],
          claim: { change: 'rise', series: 'L1' },
          suggestion: null,
        }),
        adviceItem({ kind: 'care-gap', cites: ['L2'], suggestion: null }),
      ),
      deid,
      review,
      findingContext,
    );

    expect(advice.findings.map((f) => f.key)).toEqual([
      'trend:potassium-rise|warfarin',
      'care-gap:undiagnosed-diabetes',
    ]);
  });
});

describe('an insight that repeats a longitudinal rule finding', () => {
  const review = fixtureReview('patient-view-advice', context());
  const deid = deidentify(review.patient, vocabulary);
  const rule: Finding = {
    advisor: 'rules',
    ruleId: 'trend/egfr-decline',
    key: 'trend:egfr-decline',
    severity: 'warning',
    summary: 'eGFR declining: 72 to 38 over four years.',
    detail: 'Sustained decline (KDIGO progression).',
    evidence: decline.map((r) => r.ref),
    source: { label: 'CDS Advisor clinical rules' },
  };
  const trend = (cites: string[]): ModelAdviceItem =>
    adviceItem({
      kind: 'trend',
      summary: 'eGFR fell from 72 to 38 over four years.',
      cites,
      claim: { change: 'fall', series: 'L1' },
      suggestion: null,
    });

  it('folds into the rule card, the model sentence quoted and labelled, at the rule severity', () => {
    const model = adviceFor(answer(trend(['L1'])), deid, review, findingContext).findings;

    const cards = mergeFindings([rule, ...model], 'info');

    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ advisor: 'rules', severity: 'warning' });
    expect(cards[0]!.detail).toContain('**AI advisor (AI-generated), citing the same items:**');
    expect(cards[0]!.detail).toContain('eGFR fell from 72 to 38 over four years');
  });

  it('stays its own info card, keyed apart, when it rests on more than the rule does', () => {
    const model = adviceFor(answer(trend(['L1', 'P1'])), deid, review, findingContext).findings;

    const cards = mergeFindings([rule, ...model], 'info');

    expect(cards.map((c) => [c.advisor, c.key, c.severity])).toEqual([
      ['rules', 'trend:egfr-decline', 'warning'],
      ['model', 'model:trend:egfr-decline', 'info'],
    ]);
  });
});
