import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../../src/findings/types.js';
import { buildCards } from '../../../src/cards/build.js';
import { escapeEverything, escapeMarkdown, md } from '../../../src/findings/markdown.js';
import { mergeFindings } from '../../../src/findings/merge.js';
import { PROVENANCE_EXTENSION } from '../../../src/cds/types.js';
import { validate as validateUuid, version as uuidVersion } from 'uuid';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    advisor: 'rules',
    ruleId: 'interaction.warfarin-nsaid',
    key: 'interaction:ibuprofen|warfarin',
    severity: 'warning',
    summary: 'Warfarin with ibuprofen raises bleeding risk',
    detail: 'Detail',
    evidence: ['MedicationRequest/warfarin-1', 'MedicationRequest/draft-ibuprofen'],
    source: { label: 'CDS Advisor rules', url: 'https://example.org/source' },
    suggestions: [
      {
        label: 'Remove the ibuprofen order',
        actions: [
          { type: 'delete', description: 'Remove draft', resourceId: 'MedicationRequest/draft-ibuprofen' },
        ],
      },
    ],
    overrideReasons: [
      {
        system: 'https://cds-advisor.dev/CodeSystem/override-reason',
        code: 'will-monitor',
        display: 'Will monitor',
      },
    ],
    links: [{ label: 'Source', url: 'https://example.org/source' }],
    ...overrides,
  };
}

describe('cards from findings', () => {
  it('gives every card and suggestion a uuid and the provenance extension', () => {
    const { cards, records, dropped } = buildCards([finding()], 'order-sign-advice', 'hi-1');
    expect(dropped).toEqual([]);
    const [card] = cards;
    expect(card?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card?.suggestions?.[0]?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card?.selectionBehavior).toBe('at-most-one');
    expect(card?.extension[PROVENANCE_EXTENSION]).toEqual({
      advisor: 'rules',
      ruleId: 'interaction.warfarin-nsaid',
      evidence: ['MedicationRequest/warfarin-1', 'MedicationRequest/draft-ibuprofen'],
    });
    expect(records[0]).toMatchObject({ uuid: card?.uuid, suggestionUuids: [card?.suggestions?.[0]?.uuid] });
  });

  it('issues card uuids as UUIDv7 in issue-time order, so the audit index appends instead of scattering', () => {
    const uuids = Array.from(
      { length: 2000 },
      () => buildCards([finding()], 'order-sign-advice', 'hi-2').cards[0]!.uuid,
    );
    expect(uuids.every((u) => validateUuid(u) && uuidVersion(u) === 7)).toBe(true);
    expect(new Set(uuids).size).toBe(uuids.length);
    // The first 48 bits are the issue time in milliseconds: never decreasing from one card to the next.
    const millis = uuids.map((u) => parseInt(u.replace(/-/g, '').slice(0, 12), 16));
    expect(millis.every((ms, i) => i === 0 || ms >= millis[i - 1]!)).toBe(true);
    expect(Math.abs(millis.at(-1)! - Date.now())).toBeLessThan(60_000);
  });

  it.each([
    ['a summary of 140 characters', { summary: 'x'.repeat(140) }],
    ['an empty summary', { summary: '' }],
    ['a blank summary', { summary: ' \n\t ' }],
    ['a blank detail', { detail: '   ' }],
    ['a blank source label', { source: { label: ' ' } }],
    ['an empty suggestion label', { suggestions: [{ label: '', actions: [] }] }],
    ['an unknown indicator', { severity: 'hard-stop' as never }],
    ['a javascript: link', { links: [{ label: 'x', url: 'javascript:alert(1)' }] }],
    ['an override reason without display', { overrideReasons: [{ system: 's', code: 'c' }] }],
    ['a model card without a prompt version', { advisor: 'model' as const, ruleId: undefined, model: 'gpt' }],
  ])('drops a card with %s instead of sending it', (_name, change) => {
    const { cards, dropped } = buildCards([finding(change)], 'order-sign-advice', 'hi-1');
    expect(cards).toEqual([]);
    expect(dropped).toHaveLength(1);
  });
});

describe('merging findings', () => {
  const modelFinding = (overrides: Partial<Finding> = {}): Finding =>
    finding({
      advisor: 'model',
      ruleId: undefined,
      model: 'm',
      promptVersion: 'p',
      summary: 'NSAIDs add to *warfarin* bleeding risk',
      ...overrides,
    });

  it("folds a model finding resting only on the rule finding's evidence, quoting it as AI-generated", () => {
    const merged = mergeFindings(
      [modelFinding({ evidence: ['MedicationRequest/draft-ibuprofen'] }), finding()],
      'info',
    );

    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ advisor: 'rules', key: 'interaction:ibuprofen|warfarin' });
    expect(merged[0]?.evidence).toEqual(finding().evidence);
    expect(merged[0]?.detail).toContain('**AI advisor (AI-generated), citing the same items:**');
    expect(merged[0]?.detail).toContain('NSAIDs add to \\*warfarin\\* bleeding risk');
    expect(merged[0]?.detail).not.toMatch(/same concern/);
  });

  it('keeps a model finding that cites more than the rule finding as its own card, keyed apart', () => {
    const model = modelFinding({ evidence: ['MedicationRequest/draft-ibuprofen', 'Observation/inr-1'] });

    const merged = mergeFindings([model, finding()], 'info');

    expect(merged.map((f) => [f.advisor, f.key])).toEqual([
      ['rules', 'interaction:ibuprofen|warfarin'],
      ['model', 'model:interaction:ibuprofen|warfarin'],
    ]);
    expect(merged[0]?.detail).toBe('Detail');
  });

  it("folds a model finding into a rule card that covers its key (one card for a drug's several interactions)", () => {
    const rule = finding({
      key: 'interaction:amiodarone|digoxin|warfarin',
      covers: ['interaction:amiodarone|warfarin'],
    });
    const model = finding({
      advisor: 'model',
      ruleId: undefined,
      key: 'interaction:amiodarone|warfarin',
      model: 'm',
      promptVersion: 'p',
      // Within the rule card's evidence: the fold claims no agreement on items the card does not cite.
      evidence: ['MedicationRequest/warfarin-1'],
    });
    const merged = mergeFindings([model, rule], 'info');
    expect(merged).toHaveLength(1);
    expect(merged[0]?.key).toBe('interaction:amiodarone|digoxin|warfarin');
    expect(merged[0]?.detail).toMatch(/AI advisor/);
    expect(merged[0]?.detail).toContain('**AI advisor (AI-generated), citing the same items:**');
  });

  it('keeps a model finding about a covered pair that cites more than the card as its own card, keyed apart', () => {
    const rule = finding({
      key: 'interaction:amiodarone|digoxin|warfarin',
      covers: ['interaction:amiodarone|warfarin'],
    });
    const model = modelFinding({
      key: 'interaction:amiodarone|warfarin',
      evidence: ['MedicationRequest/warfarin-1', 'Observation/inr-1'],
    });

    const merged = mergeFindings([model, rule], 'info');

    expect(merged.map((f) => [f.advisor, f.key])).toEqual([
      ['rules', 'interaction:amiodarone|digoxin|warfarin'],
      ['model', 'model:interaction:amiodarone|warfarin'],
    ]);
    expect(merged[0]?.detail).toBe('Detail');
  });

  it('never folds one rule finding into another rule card that covers its key', () => {
    const group = finding({
      key: 'interaction:amiodarone|digoxin|warfarin',
      covers: ['interaction:amiodarone|warfarin'],
    });
    const pair = finding({ key: 'interaction:amiodarone|warfarin', summary: 'A rule pair card' });

    const merged = mergeFindings([group, pair], 'info');

    expect(merged.map((f) => f.key)).toEqual([
      'interaction:amiodarone|digoxin|warfarin',
      'interaction:amiodarone|warfarin',
    ]);
  });

  it('applies the service minimum severity and drops findings without evidence', () => {
    const merged = mergeFindings(
      [
        finding({ severity: 'info', key: 'a' }),
        finding({ key: 'b', evidence: [] }),
        finding({ key: 'c', severity: 'critical' }),
      ],
      'warning',
    );
    expect(merged.map((f) => f.key)).toEqual(['c']);
  });
});

describe('safe markdown', () => {
  it('escapes chart text so it is shown literally, never as markup or links', () => {
    const text = md`Ordered **${'<script>alert(1)</script> [click](http://evil.example) ![x](y) | ~~z~~'}**`;
    expect(text.startsWith('Ordered **')).toBe(true);
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('](http');
    expect(text).not.toMatch(/(^|[^\\])!\[/);
    expect(text).toContain('&lt;script&gt;');
  });

  it('flattens line breaks that could start block syntax', () => {
    expect(md`${'line\n# heading\n- item'}`).not.toContain('\n');
  });

  it('skips escaping only text the full escaping would leave as it is (every UTF-16 code unit checked)', () => {
    const differing: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      if (escapeMarkdown(text) !== escapeEverything(text)) differing.push(code);
    }
    expect(differing).toEqual([]);
    const long = 'x'.repeat(600);
    expect(escapeMarkdown(long)).toBe(escapeEverything(long));
    expect(escapeMarkdown(long)).toHaveLength(500);
    expect(escapeMarkdown('Lisinopril 10 MG Oral Tablet')).toBe('Lisinopril 10 MG Oral Tablet');
  });
});
