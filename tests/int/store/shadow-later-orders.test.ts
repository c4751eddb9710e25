/**
 * The shadow report's later orders and `agreedBy`, read from the store on both dialects: shadow items whose
 * matching cards were accepted, with a suggestion that does what the item suggested (`same-order`) or something
 * else (`accepted-card`), and an item whose own suggestion the guards dropped (never `same-order`).
 */
import { describe, expect, it } from '@jest/globals';
import type { ModelAdviceItem, ModelSuggestion } from '../../../src/advisors/model/output.js';
import type { SuggestionSummary } from '../../../src/findings/suggestionSummary.js';
import type { AiItemRecord, CardRecord } from '../../../src/store/types.js';
import { EMPTY_MODEL_INPUT, TRACE_ORIGIN } from '../../helpers/modelTrace.js';
import { card, DIALECTS, invocation } from './helpers.js';
import { storeFixture } from './storeFixture.js';

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const DRAFT = 'MedicationRequest/draft-1';

function shadowItem(
  findingKey: string,
  suggestion: ModelSuggestion,
  guardSuggestion: 'kept' | 'suggestion-lab-not-allowed' = 'kept',
): AiItemRecord {
  const returned: ModelAdviceItem = {
    kind: 'monitoring',
    summary: `Shadow advice for ${findingKey}`,
    detail: 'Scripted.',
    severity: 'warning',
    cites: ['D1', 'M1'],
    about: null,
    claim: null,
    certainty: 'moderate',
    suggestion,
  };
  return {
    returned,
    guard: { outcome: 'kept', severity: 'warning', suggestion: guardSuggestion },
    findingKey,
    evidence: [DRAFT, 'MedicationRequest/active-1'],
    outcome: 'shadow',
  };
}

function summary(uuid: string, actions: SuggestionSummary['actions']): SuggestionSummary {
  return { uuid, label: `Suggestion ${uuid}`, actions };
}

describe.each(DIALECTS)('shadow later orders on %s', (dialect) => {
  const fx = storeFixture(dialect);

  it('reads each accepted suggestion as its order, and says whether it is the order the item suggested', async () => {
    const inrOrder = summary('s-inr', [
      { type: 'create', resourceType: 'ServiceRequest', code: `${LOINC}|6301-6`, display: 'INR' },
    ]);
    const cancel = summary('s-cancel', [
      { type: 'delete', resourceType: 'MedicationRequest', target: DRAFT },
    ]);
    const replace = summary('s-replace', [
      { type: 'delete', resourceType: 'MedicationRequest', target: DRAFT },
      { type: 'create', resourceType: 'MedicationRequest', code: `${RXNORM}|161`, display: 'acetaminophen' },
    ]);
    const referral = summary('s-ref', [
      { type: 'create', resourceType: 'ServiceRequest', code: `${SNOMED}|183519002`, display: 'Cardiology' },
    ]);
    const base = invocation({ hook: 'order-sign' }, 0);
    const cardOf = (findingKey: string, suggestions: SuggestionSummary[]): CardRecord =>
      card(base.serviceId, base.hookInstance, {
        findingKey,
        draftOrders: [DRAFT],
        suggestionUuids: suggestions.map((s) => s.uuid),
        suggestions,
      });
    const cards = [
      cardOf('monitoring:inr', [inrOrder]),
      cardOf('interaction:a|b', [replace, cancel]),
      cardOf('lab:x', [inrOrder]),
      cardOf('referral:y', [referral]),
    ];
    const record = {
      ...base,
      cards,
      aiAdvice: {
        mode: 'shadow' as const,
        ...TRACE_ORIGIN,
        answeredAt: new Date().toISOString(),
        input: EMPTY_MODEL_INPUT,
        items: [
          shadowItem('monitoring:inr', { kind: 'order-lab', loinc: '6301-6' }),
          shadowItem('interaction:a|b', { kind: 'cancel-draft', draft: 'D1' }),
          shadowItem('lab:x', { kind: 'order-lab', loinc: '6301-6' }, 'suggestion-lab-not-allowed'),
          shadowItem('referral:y', { kind: 'service-request', code: '103696004' }),
        ],
        invalidItems: 0,
      },
    };
    fx.store.audit.record(record);
    await fx.store.audit.flush();
    const accept = (c: CardRecord, uuid: string, at: string) => ({
      card: c.uuid,
      outcome: 'accepted' as const,
      acceptedSuggestions: [{ id: uuid }],
      outcomeTimestamp: at,
    });
    await fx.store.recordFeedback(base.serviceId, [
      accept(cards[0]!, 's-inr', '2026-11-24T10:00:00Z'),
      accept(cards[1]!, 's-replace', '2026-11-24T10:01:00Z'),
      accept(cards[1]!, 'not-offered', '2026-11-24T10:02:00Z'),
      accept(cards[2]!, 's-inr', '2026-11-24T10:03:00Z'),
      accept(cards[3]!, 's-ref', '2026-11-24T10:04:00Z'),
    ]);

    const report = await fx.store.read.shadowReport({ serviceId: base.serviceId });
    const byKey = new Map(report.items.map((i) => [i.item.findingKey, i]));
    expect(byKey.get('monitoring:inr')).toMatchObject({ verdict: 'agreed', agreedBy: 'same-order' });
    expect(byKey.get('interaction:a|b')).toMatchObject({ verdict: 'agreed', agreedBy: 'same-order' });
    // The item's own lab order was dropped by the guards: the accepted INR order agrees only as an accepted card.
    expect(byKey.get('lab:x')).toMatchObject({ verdict: 'agreed', agreedBy: 'accepted-card' });
    // A referral to cardiology is not the referral to a specialist the item suggested.
    expect(byKey.get('referral:y')).toMatchObject({ verdict: 'agreed', agreedBy: 'accepted-card' });

    const shown = byKey.get('interaction:a|b')!.cardsShown.find((c) => c.uuid === cards[1]!.uuid)!;
    expect(shown.laterOrders).toEqual([
      { suggestion: 's-replace', acceptedAt: '2026-11-24T10:01:00.000Z', summary: replace },
      { suggestion: 'not-offered', acceptedAt: '2026-11-24T10:02:00.000Z', summary: null },
    ]);
    expect(report.agreement).toMatchObject({ agreed: 4, disagreed: 0, share: 1 });
  });
});
