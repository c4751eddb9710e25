import { describe, expect, it } from '@jest/globals';
import { deidentify } from '../../../src/advisors/model/deidentify.js';
import { AIAST_LABEL, findingOf } from '../../../src/advisors/model/findings.js';
import { clamp, guardAnswer, steering, stripLinks } from '../../../src/advisors/model/guards.js';
import type { ModelAdviceItem, ModelAnswer } from '../../../src/advisors/model/output.js';
import { PROMPT_VERSION } from '../../../src/advisors/model/prompt.js';
import { defaultVocabulary } from '../../../src/advisors/model/vocabulary.js';
import { createRulesAdvisor } from '../../../src/advisors/rules/index.js';
import { buildCards } from '../../../src/cards/build.js';
import { mergeFindings } from '../../../src/findings/merge.js';
import { adviceItem, fixtureContext, fixtureReview } from './fixtures.js';

const { aliases } = deidentify(fixtureContext());
const context = {
  deployment: 'advice-deploy',
  modelVersion: 'stand-in-2024-08-06',
  patientRef: 'Patient/pt-7781',
  vocabulary: defaultVocabulary().vocabulary,
};

const item = adviceItem;

/** The key of the one finding a single advice item becomes. */
function keyOf(overrides: Partial<ModelAdviceItem>): string {
  return findingOf(guardAnswer(answer(item({ suggestion: null, ...overrides })), aliases).items[0]!, context)
    .key;
}

function answer(...items: ModelAdviceItem[]): ModelAnswer {
  return { items, invalidItems: 0, modelVersion: context.modelVersion };
}

describe('guards', () => {
  it('drops an item citing an alias that is not in the request', () => {
    const result = guardAnswer(answer(item({ cites: ['D1', 'M9'] })), aliases);

    expect(result.items).toHaveLength(0);
    expect(result.dropped['unknown-alias']).toBe(1);
  });

  it('drops an item that cites nothing', () => {
    const result = guardAnswer(answer(item({ cites: [] })), aliases);

    expect(result.items).toHaveLength(0);
    expect(result.dropped['no-citation']).toBe(1);
  });

  it('keeps only items about the medications the hook asks about', () => {
    const focus = new Set(['MedicationRequest/draft-ibu-1']);

    const result = guardAnswer(
      answer(item(), item({ kind: 'monitoring', cites: ['M1', 'L1'], suggestion: null })),
      aliases,
      { hook: 'order-sign', focus },
    );

    expect(result.items.map((i) => i.kind)).toEqual(['interaction']);
    expect(result.dropped['outside-focus']).toBe(1);
  });

  it('clamps a long summary to one line under 140 characters', () => {
    const long = `${'Warfarin and ibuprofen together '.repeat(10)}end.`;

    const [guarded] = guardAnswer(answer(item({ summary: long })), aliases).items;

    expect(guarded?.summary.length).toBeLessThan(140);
    expect(guarded?.summary.endsWith('…')).toBe(true);
  });

  it('removes links of every shape from model text', () => {
    const text =
      'See https://evil.example/x and www.evil.com, [click](http://a.b/c) or evil.ru/path, javascript:alert(1) and bad.io';

    const cleaned = stripLinks(text);

    expect(cleaned).not.toMatch(/https?:|www\.|evil\.|javascript:|\]\(|bad\.io/);
    expect(cleaned).toContain('click');
  });

  it('drops an item whose summary is nothing but a link', () => {
    const result = guardAnswer(answer(item({ summary: 'https://evil.example/phish' })), aliases);

    expect(result.items).toHaveLength(0);
    expect(result.dropped['empty-text']).toBe(1);
  });

  it('never lets the model raise a critical card, and low certainty becomes info', () => {
    const result = guardAnswer(
      answer(item({ severity: 'critical' }), item({ kind: 'dose', severity: 'critical', certainty: 'low' })),
      aliases,
    );

    expect(result.items.map((i) => i.severity)).toEqual(['warning', 'info']);
  });

  it('removes a suggestion that would cancel an active medication rather than a draft', () => {
    const result = guardAnswer(answer(item({ suggestion: { kind: 'cancel-draft', draft: 'M1' } })), aliases);

    expect(result.items[0]?.suggestion).toBeNull();
    expect(result.dropped['suggestion-target-not-draft']).toBe(1);
  });

  it('removes a suggestion to cancel a draft the item does not cite', () => {
    const result = guardAnswer(
      answer(
        item({ cites: ['M1', 'L1'], kind: 'monitoring', suggestion: { kind: 'cancel-draft', draft: 'D1' } }),
      ),
      aliases,
    );

    expect(result.items[0]?.suggestion).toBeNull();
    expect(result.dropped['suggestion-target-not-cited']).toBe(1);
  });

  it('removes a lab order outside the monitoring allow-list', () => {
    const result = guardAnswer(
      answer(item({ suggestion: { kind: 'order-lab', loinc: '12345-6' } })),
      aliases,
    );

    expect(result.items[0]?.suggestion).toBeNull();
    expect(result.dropped['suggestion-lab-not-allowed']).toBe(1);
  });

  it('keeps at most five items and no two with the same kind and citations', () => {
    const many = [
      item(),
      item(),
      ...['P1', 'P2', 'A1', 'L1', 'L2'].map((c) => item({ kind: 'other', cites: [c] })),
    ];

    const result = guardAnswer(answer(...many), aliases);

    expect(result.items).toHaveLength(5);
    expect(result.dropped.duplicate).toBe(1);
    expect(result.dropped['too-many']).toBe(1);
  });

  it('cuts at a word boundary', () => {
    expect(clamp('one two three four', 12)).toBe('one two…');
  });

  it('drops and counts an item whose text claims more urgency than a model item may have', () => {
    const result = guardAnswer(
      answer(
        item({ summary: 'CRITICAL bleeding risk with ibuprofen and warfarin.' }),
        item({ kind: 'dose', summary: 'Reduce the dose.', detail: 'Call the prescriber immediately.' }),
        item({
          kind: 'monitoring',
          cites: ['M1', 'L1'],
          summary: 'Emergency INR check needed.',
          suggestion: null,
        }),
        item({
          kind: 'allergy',
          cites: ['D1', 'A1'],
          summary: 'Ur\u200Bgent: allergy risk.',
          suggestion: null,
        }),
      ),
      aliases,
    );

    expect(result.items).toEqual([]);
    expect(result.dropped['escalating-text']).toBe(4);
  });

  it('drops and counts an item that advises stopping every medication', () => {
    const texts = [
      'Stop warfarin and all other medications immediately',
      'CRITICAL: stop ALL medications now',
      "Discontinue all of the patient's current medications.",
      'As instructed, cancel every order now.',
      'All medications should be stopped today.',
      'Hold everything until reviewed.',
    ];

    const result = guardAnswer(
      answer(...texts.map((summary, i) => item({ summary, cites: i % 2 ? ['D1', 'M1'] : ['M1', 'D1'] }))),
      aliases,
    );

    expect(result.items).toEqual([]);
    expect(result.dropped['blanket-discontinuation']).toBe(texts.length);
  });

  it('keeps advice that names urgency-free, specific action', () => {
    const texts = [
      'Avoid ibuprofen with warfarin; prefer acetaminophen.',
      'Use the immediate-release form and monitor the INR.',
      'Stop ibuprofen if any bleeding occurs.',
      'Discontinue any other serotonergic drugs before starting.',
      'Monitor INR closely for the next week.',
    ];

    for (const summary of texts) {
      expect([summary, steering(summary, 'warning')]).toEqual([summary, undefined]);
    }
    expect(steering('Critical potassium: stop the supplement.', 'critical')).toBeUndefined();
  });
});

describe('model findings', () => {
  it('are labelled AI-generated with provenance, evidence mapped back, certainty and override reasons', () => {
    const [guarded] = guardAnswer(answer(item()), aliases).items;

    const finding = findingOf(guarded!, context);

    expect(finding).toMatchObject({
      advisor: 'model',
      model: 'advice-deploy/stand-in-2024-08-06',
      promptVersion: PROMPT_VERSION,
      evidence: ['MedicationRequest/draft-ibu-1', 'MedicationRequest/mr-warf-1'],
      source: { label: 'CDS Advisor AI (stand-in-2024-08-06, AI-generated)' },
    });
    expect(`${finding.source.label} ${finding.detail}`).not.toMatch(/Azure OpenAI/);
    expect(finding.source.label).toMatch(/AI-generated/);
    expect(finding.detail).toMatch(/AI-generated advice/);
    expect(finding.detail).toMatch(/rests on/);
    expect(finding.detail).toMatch(/Warfarin Sodium 5 MG Oral Tablet/);
    expect(finding.detail).toMatch(/model's own stated certainty: moderate/);
    expect(finding.detail).toMatch(/not a validated probability/);
    expect(finding.overrideReasons?.map((c) => c.display)).toEqual(
      expect.arrayContaining(['AI advice incorrect', 'Not relevant to this patient', 'Unsafe suggestion']),
    );
  });

  it('key a drug-drug interaction like the rules do, so the pipeline folds duplicates into the rule card', () => {
    const [guarded] = guardAnswer(answer(item()), aliases).items;

    expect(findingOf(guarded!, context).key).toBe('interaction:ibuprofen|warfarin');
  });

  it('get the same key as the rule finding for the same concern, so the pipeline shows one card', async () => {
    const rules = await createRulesAdvisor().advise(fixtureReview(), AbortSignal.timeout(5000));
    const model = findingOf(guardAnswer(answer(item()), aliases).items[0]!, context);

    const merged = mergeFindings([...rules.findings, model], 'info');

    // The rules may show the pair inside one card for the drug (its key covers the pair's key).
    const speaksFor = (f: { key: string; covers?: readonly string[] }): boolean =>
      f.key === model.key || (f.covers ?? []).includes(model.key);
    expect(rules.findings.some(speaksFor)).toBe(true);
    expect(merged.filter(speaksFor)).toHaveLength(1);
    expect(merged.find(speaksFor)?.advisor).toBe('rules');
  });

  it("key advice about a pair of drugs as the rules do only when it is of the rules' kind for that pair", () => {
    expect(keyOf({ kind: 'interaction', cites: ['M1', 'D1'] })).toBe('interaction:ibuprofen|warfarin');
    expect(keyOf({ kind: 'other', cites: ['D1', 'M1'] })).toMatch(/^model:/);
    expect(keyOf({ kind: 'duplication', cites: ['M1', 'D1'] })).toBe('duplicate:ibuprofen|warfarin');
  });

  it('key allergy, renal-dose and monitoring advice in the rules scheme when the citations say which', () => {
    expect(keyOf({ kind: 'allergy', cites: ['D1', 'A1'] })).toBe('allergy:ibuprofen');
    expect(keyOf({ kind: 'dose', cites: ['D1', 'L2'] })).toBe('renal:ibuprofen');
    expect(keyOf({ kind: 'monitoring', cites: ['M1', 'L1'] })).toBe('monitoring:inr|warfarin');
  });

  it('key other advice by kind and evidence, stable across calls', () => {
    const other = item({ kind: 'contraindication', cites: ['D1', 'P1'], suggestion: null });
    const first = findingOf(guardAnswer(answer(other), aliases).items[0]!, context);
    const second = findingOf(guardAnswer(answer(other), aliases).items[0]!, context);

    expect(first.key).toMatch(/^model:[0-9a-f]{16}$/);
    expect(second.key).toBe(first.key);
  });

  it('turn a cancel suggestion into a delete of that draft order', () => {
    const [guarded] = guardAnswer(answer(item()), aliases).items;

    const suggestion = findingOf(guarded!, context).suggestions?.[0];

    expect(suggestion?.actions).toEqual([
      expect.objectContaining({ type: 'delete', resourceId: 'MedicationRequest/draft-ibu-1' }),
    ]);
  });

  it('label any resource a suggestion creates with AIAST', () => {
    const [guarded] = guardAnswer(
      answer(
        item({ kind: 'monitoring', cites: ['M1', 'L1'], suggestion: { kind: 'order-lab', loinc: '6301-6' } }),
      ),
      aliases,
    ).items;

    const action = findingOf(guarded!, context).suggestions?.[0]?.actions[0];

    expect(action?.type).toBe('create');
    const resource = action?.type === 'create' ? action.resource : undefined;
    expect(resource).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'draft',
      subject: { reference: 'Patient/pt-7781' },
      code: { coding: [{ system: 'http://loinc.org', code: '6301-6' }] },
    });
    expect(resource?.meta?.security).toEqual([
      expect.objectContaining({ system: AIAST_LABEL.system, code: 'AIAST' }),
    ]);
  });

  it('become cards that pass the outgoing CDS Hooks validation', () => {
    const items = guardAnswer(
      answer(
        item(),
        item({ kind: 'monitoring', cites: ['M1', 'L1'], suggestion: { kind: 'order-lab', loinc: '6301-6' } }),
      ),
      aliases,
    ).items;

    const built = buildCards(
      items.map((i) => findingOf(i, context)),
      'order-sign-advice',
      'hook-1',
    );

    expect(built.dropped).toEqual([]);
    expect(built.cards).toHaveLength(2);
  });

  it('escape model text in the detail so it renders literally', () => {
    const [guarded] = guardAnswer(
      answer(item({ detail: '<img src=x onerror=alert(1)> **bold** _x_' })),
      aliases,
    ).items;

    const detail = findingOf(guarded!, context).detail;

    expect(detail).not.toContain('<img');
    expect(detail).not.toContain('**bold**');
  });
});
