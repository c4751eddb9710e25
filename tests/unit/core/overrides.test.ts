/** The pure part of the override rule at signing: which findings match an override, and what is shown instead. */
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../../src/findings/types.js';
import { applySelectionOverrides, REPEAT_NOTICE_RULE } from '../../../src/pipeline/overrides.js';
import type { SelectionOverride } from '../../../src/store/types.js';

const REASON = { system: 'https://example.org/reason', code: 'benefit-outweighs-risk' };

function finding(key: string, evidence: string[], overrides: Partial<Finding> = {}): Finding {
  return {
    advisor: 'rules',
    ruleId: `rule/${key}`,
    key,
    severity: 'warning',
    summary: `Summary of ${key}`,
    detail: `Detail of ${key}`,
    evidence,
    source: { label: 'test' },
    overrideReasons: [{ ...REASON, display: 'Benefit outweighs risk' }],
    ...overrides,
  };
}

/** An override of a card as severe as any finding here (the severity rule has its own test). */
function override(
  key: string,
  draftOrders: string[],
  overriddenAt = '2026-11-24T10:00:00.000Z',
  card: Partial<Pick<SelectionOverride, 'covers' | 'indicator'>> = {},
): SelectionOverride {
  return {
    cardUuid: `card-${key}-${overriddenAt}`,
    findingKey: key,
    draftOrders,
    reason: REASON,
    overriddenAt,
    indicator: 'critical',
    ...card,
  };
}

const DRAFTS = new Set(['MedicationRequest/d1', 'MedicationRequest/d2', 'MedicationRequest/unknown']);

describe('applying overrides made at selection', () => {
  it('matches the same key on exactly the same drafts, and names everything left out in one notice', () => {
    const applied = applySelectionOverrides(
      [
        finding('a', ['MedicationRequest/d1', 'MedicationRequest/w1']),
        finding('b', ['MedicationRequest/d2']),
        finding('c', ['MedicationRequest/d1', 'MedicationRequest/d2']),
      ],
      [
        override('a', ['MedicationRequest/d1']),
        override('b', ['MedicationRequest/d2']),
        override('c', ['MedicationRequest/d1']),
      ],
      DRAFTS,
    );
    expect(applied.suppressed).toBe(2);
    expect(applied.findings.map((f) => f.ruleId)).toEqual(['rule/c', REPEAT_NOTICE_RULE]);
    expect(applied.findings[1]!.summary).toBe('Not repeated: 2 findings you overrode at order selection');
    expect(applied.repeats.map((r) => [r.findingKey, r.decision])).toEqual([
      ['a', 'suppressed'],
      ['b', 'suppressed'],
    ]);
  });

  it('rests a repeat on the newest override, with our own wording of its reason', () => {
    const applied = applySelectionOverrides(
      [finding('a', ['MedicationRequest/d1'], { severity: 'critical' })],
      [
        override('a', ['MedicationRequest/d1'], '2026-11-24T11:30:00.000Z'),
        override('a', ['MedicationRequest/d1']),
      ],
      DRAFTS,
    );
    expect(applied.suppressed).toBe(0);
    expect(applied.repeats[0]).toMatchObject({
      decision: 'shown',
      override: {
        overriddenAt: '2026-11-24T11:30:00.000Z',
        reason: { ...REASON, display: 'Benefit outweighs risk' },
      },
    });
    expect(applied.findings[0]!.detail).toContain('on 2026-11-24 11:30 UTC, reason: Benefit outweighs risk');
  });

  it('never leaves out a finding about a draft sent without an id, a data gap, or one about no draft', () => {
    const applied = applySelectionOverrides(
      [
        finding('a', ['MedicationRequest/unknown']),
        finding('gap', ['MedicationRequest/d1'], { ruleId: 'data-gap' }),
        finding('active', ['MedicationRequest/w1']),
      ],
      [
        override('a', ['MedicationRequest/unknown']),
        override('gap', ['MedicationRequest/d1']),
        override('active', []),
      ],
      DRAFTS,
    );
    expect(applied.suppressed).toBe(0);
    expect(applied.repeats).toEqual([]);
    expect(applied.findings).toHaveLength(3);
  });

  it('words a reason code it did not offer as the code, escaped', () => {
    const applied = applySelectionOverrides(
      [finding('a', ['MedicationRequest/d1'], { severity: 'critical' })],
      [
        {
          ...override('a', ['MedicationRequest/d1']),
          reason: { system: 'urn:ehr', code: 'see-note_1', display: 'Jane Doe said so' },
        },
      ],
      DRAFTS,
    );
    expect(applied.findings[0]!.detail).toContain('reason: see\\-note\\_1');
    expect(applied.findings[0]!.detail).not.toContain('Jane Doe');
    expect(applied.repeats[0]!.override.reason).toEqual({ system: 'urn:ehr', code: 'see-note_1' });
  });

  it('leaves out a card that speaks for several concerns only when the overridden card spoke for each of them', () => {
    const drafts = ['MedicationRequest/d1', 'MedicationRequest/d2'];
    // Overridden at selection: ibuprofen's card (with aspirin, with apixaban). At signing the same three drugs
    // can make aspirin's card instead (with ibuprofen, with apixaban): same key, same drafts, a concern never seen.
    const overridden = override('interaction:apixaban|aspirin|ibuprofen', drafts, undefined, {
      covers: ['interaction:aspirin|ibuprofen', 'interaction:apixaban|ibuprofen'],
    });
    const asSeen = finding('interaction:apixaban|aspirin|ibuprofen', [...drafts, 'MedicationRequest/w1'], {
      covers: ['interaction:aspirin|ibuprofen', 'interaction:apixaban|ibuprofen'],
    });
    const regrouped = {
      ...asSeen,
      covers: ['interaction:apixaban|aspirin', 'interaction:aspirin|ibuprofen'],
    };
    const narrower = { ...asSeen, covers: ['interaction:aspirin|ibuprofen'] };

    expect(applySelectionOverrides([regrouped], [overridden], DRAFTS).suppressed).toBe(0);
    expect(applySelectionOverrides([regrouped], [overridden], DRAFTS).repeats).toEqual([]);
    expect(applySelectionOverrides([asSeen], [overridden], DRAFTS).suppressed).toBe(1);
    expect(applySelectionOverrides([narrower], [overridden], DRAFTS).suppressed).toBe(1);
    // A card recorded without covers spoke only for its key: a card at signing that covers more is not it.
    const bare = override('interaction:apixaban|aspirin|ibuprofen', drafts);
    expect(applySelectionOverrides([asSeen], [bare], DRAFTS).suppressed).toBe(0);
  });

  it('leaves out nothing more severe than the card the clinician overrode', () => {
    const info = override('a', ['MedicationRequest/d1'], undefined, { indicator: 'info' });
    const applied = applySelectionOverrides([finding('a', ['MedicationRequest/d1'])], [info], DRAFTS);
    expect(applied.suppressed).toBe(0);
    expect(applied.findings.map((f) => f.key)).toEqual(['a']);
    const same = applySelectionOverrides(
      [finding('a', ['MedicationRequest/d1'], { severity: 'info' })],
      [info],
      DRAFTS,
    );
    expect(same.suppressed).toBe(1);
  });
});
