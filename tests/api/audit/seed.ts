/**
 * A small, fully known audit history written through the store's real write paths (audit queue → batch writer,
 * feedback → recordFeedback), so every number the audit API and the dashboard show can be checked exactly.
 *
 * Two days, three services, five hook calls, seven cards, six feedback items:
 *
 * | call | service             | day   | ms  | model status (ms)  | cards (advisor, rule/model, indicator) → feedback        |
 * | I1   | order-select-advice | 11-20 | 100 | ok (800)           | RA rules interaction warning → overridden (benefit)       |
 * |      |                     |       |     |                    | M1 model gpt info → accepted                              |
 * | I2   | order-select-advice | 11-20 | 200 | timeout (1900)     | RA2 rules interaction warning → overridden (benefit)      |
 * |      |                     |       |     |                    | RB rules renal critical → accepted; RC rules duplicate info → none |
 * | I3   | order-sign-advice   | 11-21 | 300 | rejected (1200)    | RA3 rules interaction warning → overridden (monitoring)   |
 * | I4   | patient-view-advice | 11-21 | 400 | circuit-open (0)   | none                                                       |
 * | I5   | order-select-advice | 11-21 | 500 | error (300)        | M2 model gpt warning → overridden (no reason)             |
 *
 * I3 also left out a repeat of RA (overridden at selection, with a reason); I4 could not check warfarin's INR
 * monitoring for lack of labs (a data gap).
 */
import { randomUUID } from 'node:crypto';
import type { AdvisorStatus } from '../../../src/advisors/types.js';
import type { HookName } from '../../../src/cds/types.js';
import type { SqlStore } from '../../../src/store/sqlStore.js';
import type { CardRecord, FeedbackItem, InvocationRecord } from '../../../src/store/types.js';

export const INTERACTION = 'interaction:warfarin|ibuprofen';
export const RENAL = 'renal:metformin';
export const DUPLICATE = 'duplicate:aspirin';
export const MODEL = 'gpt-4o-2024-08-06';
export const PROMPT = 'advice-v3';
export const OVERRIDE_SYSTEM = 'http://example.org/override';

const HOOK_OF: Record<string, HookName> = {
  'order-select-advice': 'order-select',
  'order-sign-advice': 'order-sign',
  'patient-view-advice': 'patient-view',
};

type CardSpec = Pick<CardRecord, 'advisor' | 'indicator' | 'summary'> & { ruleId?: string; model?: boolean };

function invocationOf(
  serviceId: string,
  startedAt: string,
  durationMs: number,
  model: [AdvisorStatus, number],
  specs: readonly CardSpec[],
): InvocationRecord {
  const hookInstance = randomUUID();
  const cards: CardRecord[] = specs.map((spec, i) => ({
    uuid: randomUUID(),
    serviceId,
    hookInstance,
    advisor: spec.advisor,
    ...(spec.ruleId ? { ruleId: spec.ruleId } : {}),
    ...(spec.model ? { model: MODEL, promptVersion: PROMPT } : {}),
    indicator: spec.indicator,
    summary: spec.summary,
    evidence: [`MedicationRequest/draft-${i + 1}`, 'Observation/egfr-1'],
    suggestionUuids: [randomUUID()],
  }));
  return {
    hookInstance,
    serviceId,
    hook: HOOK_OF[serviceId]!,
    startedAt: new Date(startedAt),
    durationMs,
    outcome: 'ok',
    patientPseudonym: `pseudo-${hookInstance.slice(0, 8)}`,
    advisors: [
      {
        advisor: 'rules',
        status: 'ok',
        latencyMs: 1,
        findings: specs.filter((s) => s.advisor === 'rules').length,
      },
      {
        advisor: 'model',
        status: model[0],
        latencyMs: model[1],
        findings: specs.filter((s) => s.model).length,
      },
    ],
    cards,
  };
}

const interaction = (summary = 'Warfarin with ibuprofen raises bleeding risk'): CardSpec => ({
  advisor: 'rules',
  ruleId: INTERACTION,
  indicator: 'warning',
  summary,
});

export interface Seeded {
  readonly invocations: readonly InvocationRecord[];
  /** Cards by their name in the table above. */
  readonly cards: Readonly<Record<'RA' | 'M1' | 'RA2' | 'RB' | 'RC' | 'RA3' | 'M2', CardRecord>>;
}

function override(card: CardRecord, code?: string, display?: string): FeedbackItem {
  return {
    card: card.uuid,
    outcome: 'overridden',
    ...(code
      ? { overrideReason: { reason: { system: OVERRIDE_SYSTEM, code, ...(display ? { display } : {}) } } }
      : {}),
    outcomeTimestamp: '2026-11-22T12:00:00Z',
  };
}

function accept(card: CardRecord): FeedbackItem {
  return {
    card: card.uuid,
    outcome: 'accepted',
    acceptedSuggestions: [{ id: card.suggestionUuids[0]! }],
    outcomeTimestamp: '2026-11-22T12:00:00Z',
  };
}

export async function seedAudit(store: SqlStore): Promise<Seeded> {
  const i1 = invocationOf(
    'order-select-advice',
    '2026-11-20T09:00:00.000Z',
    100,
    ['ok', 800],
    [
      interaction(),
      { advisor: 'model', model: true, indicator: 'info', summary: 'Consider a proton pump inhibitor' },
    ],
  );
  const i2 = invocationOf(
    'order-select-advice',
    '2026-11-20T10:00:00.000Z',
    200,
    ['timeout', 1900],
    [
      interaction(),
      { advisor: 'rules', ruleId: RENAL, indicator: 'critical', summary: 'Metformin with eGFR below 30' },
      { advisor: 'rules', ruleId: DUPLICATE, indicator: 'info', summary: 'Aspirin ordered twice' },
    ],
  );
  const i3 = invocationOf(
    'order-sign-advice',
    '2026-11-21T08:00:00.000Z',
    300,
    ['rejected', 1200],
    [interaction()],
  );
  const i4 = invocationOf('patient-view-advice', '2026-11-21T09:00:00.000Z', 400, ['circuit-open', 0], []);
  const i5 = invocationOf(
    'order-select-advice',
    '2026-11-21T10:00:00.000Z',
    500,
    ['error', 300],
    [
      // Untrusted text that a spreadsheet would run as a formula: the CSV export must defuse it.
      {
        advisor: 'model',
        model: true,
        indicator: 'warning',
        summary: '=HYPERLINK("http://evil.example","click")',
      },
    ],
  );
  const quieted: InvocationRecord = {
    ...i3,
    overrideRepeats: [
      {
        decision: 'suppressed',
        findingKey: INTERACTION,
        advisor: 'rules',
        ruleId: INTERACTION,
        indicator: 'warning',
        summary: 'Warfarin with ibuprofen raises bleeding risk',
        evidence: ['MedicationRequest/draft-1', 'MedicationRequest/warfarin-1'],
        draftOrders: ['MedicationRequest/draft-1'],
        override: {
          cardUuid: i1.cards[0]!.uuid,
          findingKey: INTERACTION,
          draftOrders: ['MedicationRequest/draft-1'],
          reason: {
            system: OVERRIDE_SYSTEM,
            code: 'benefit-outweighs-risk',
            display: 'Benefit outweighs risk',
          },
          overriddenAt: '2026-11-22T12:00:00.000Z',
        },
      },
    ],
  };
  const unchecked: InvocationRecord = {
    ...i4,
    missingData: [{ key: 'labs', reason: 'no fhirServer was given' }],
    dataGaps: [
      {
        check: 'monitoring',
        label: 'lab monitoring',
        data: 'labs',
        drug: 'warfarin',
        medication: 'MedicationRequest/warfarin-1',
      },
    ],
  };
  const invocations = [i1, i2, quieted, unchecked, i5];
  for (const record of invocations) store.audit.record(record);
  await store.audit.flush();

  const cards = {
    RA: i1.cards[0]!,
    M1: i1.cards[1]!,
    RA2: i2.cards[0]!,
    RB: i2.cards[1]!,
    RC: i2.cards[2]!,
    RA3: i3.cards[0]!,
    M2: i5.cards[0]!,
  };
  await store.recordFeedback('order-select-advice', [
    override(cards.RA, 'benefit-outweighs-risk', 'Benefit outweighs risk'),
    accept(cards.M1),
    override(cards.RA2, 'benefit-outweighs-risk', 'Benefit outweighs risk'),
    accept(cards.RB),
    override(cards.M2),
  ]);
  await store.recordFeedback('order-sign-advice', [
    override(cards.RA3, 'already-monitoring', 'Already monitoring'),
  ]);
  return { invocations, cards };
}
