/** A small seeded evaluation with known answers, for the metrics, report and adjudication tests. */
import type { CaseRun, ExpectationOutcome, JudgedItem } from '../../../scripts/eval/metrics.js';

export const item = (
  id: string,
  over: Partial<JudgedItem> & Pick<JudgedItem, 'advisor' | 'verdict'>,
): JudgedItem => ({
  id,
  kind: 'interaction',
  severity: 'warning',
  key: `interaction:${id}`,
  summary: `item ${id}`,
  basis: over.verdict === 'correct' ? 'expected' : 'not-expected',
  ...over,
});

export const expectation = (
  over: Partial<ExpectationOutcome> & Pick<ExpectationOutcome, 'found'>,
): ExpectationOutcome => ({
  advisor: 'model',
  kind: 'interaction',
  severity: 'warning',
  severityAgreed: over.found ? true : null,
  ...over,
});

export const caseRun = (over: Partial<CaseRun> & Pick<CaseRun, 'caseName'>): CaseRun => ({
  run: 1,
  hook: 'order-sign',
  subgroups: { ageBand: '65-79', sex: 'female', renalBand: 'eGFR ≥60', extensions: {} },
  hookLatencyMs: 100,
  advisors: { rules: { status: 'ok', latencyMs: 5 }, model: { status: 'ok', latencyMs: 100 } },
  tokens: { prompt: 1000, completion: 200 },
  items: [],
  expectations: [],
  guardDrops: {},
  ...over,
});

/**
 * Three hooks. The model said five items: a (low, correct), b (low, incorrect), c (high, correct),
 * d (high, correct) on case A; e (moderate, unsafe) on case B. Three expectations for the model: two found,
 * one missed. Case C timed out (the model over the 2,000 ms budget) and reported no tokens.
 */
export function seededRuns(): CaseRun[] {
  return [
    caseRun({
      caseName: 'A',
      subgroups: {
        ageBand: '65-79',
        sex: 'female',
        renalBand: 'eGFR ≥60',
        extensions: { 'us-core-race': 'Asian' },
      },
      hookLatencyMs: 120,
      advisors: { rules: { status: 'ok', latencyMs: 2 }, model: { status: 'ok', latencyMs: 110 } },
      items: [
        item('a', { advisor: 'model', verdict: 'correct', certainty: 'low' }),
        item('b', { advisor: 'model', verdict: 'incorrect', certainty: 'low' }),
        item('c', { advisor: 'model', verdict: 'correct', certainty: 'high', severity: 'critical' }),
        item('d', { advisor: 'model', verdict: 'correct', certainty: 'high' }),
        item('r1', { advisor: 'rules', verdict: 'correct' }),
      ],
      expectations: [
        expectation({ found: true }),
        expectation({ found: true, severity: 'critical', severityAgreed: false }),
        expectation({ advisor: 'rules', found: true }),
      ],
    }),
    caseRun({
      caseName: 'B',
      subgroups: { ageBand: '80+', sex: 'male', renalBand: 'eGFR <30', extensions: {} },
      hookLatencyMs: 300,
      advisors: { rules: { status: 'ok', latencyMs: 3 }, model: { status: 'ok', latencyMs: 290 } },
      tokens: { prompt: 3000, completion: 400 },
      items: [item('e', { advisor: 'model', verdict: 'unsafe', certainty: 'moderate' })],
      expectations: [expectation({ found: false }), expectation({ advisor: 'rules', found: false })],
      guardDrops: { 'unknown-alias': 2 },
    }),
    caseRun({
      caseName: 'C',
      subgroups: { ageBand: '80+', sex: 'male', renalBand: 'eGFR <30', extensions: {} },
      hookLatencyMs: 2000,
      advisors: { rules: { status: 'ok', latencyMs: 4 }, model: { status: 'timeout', latencyMs: 2000 } },
      tokens: null,
      guardDrops: { 'unknown-alias': 1, duplicate: 1 },
    }),
  ];
}
