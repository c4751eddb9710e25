import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AdviceCache } from '../../../src/advisors/model/cache.js';
import { MONITORING_LABS } from '../../../src/advisors/model/monitoringLabs.js';
import { SERVICE_REQUESTS } from '../../../src/advisors/model/serviceRequests.js';
import {
  ADVICE_KINDS,
  CERTAINTIES,
  MODEL_SEVERITIES,
  OutputRejectedError,
  parseAnswer,
  responseFormatSchema,
  type ModelAnswer,
} from '../../../src/advisors/model/output.js';
import { SCHEMAS_DIR } from '../../../src/paths.js';

const good = {
  kind: 'dose',
  summary: 'Dose is high for renal function.',
  detail: 'Reduce the dose.',
  severity: 'warning',
  cites: ['D1'],
  about: null,
  claim: null,
  certainty: 'high',
  suggestion: null,
};

describe('model output on arrival', () => {
  it('reads an item without about and claim (JSON or text mode, an older prompt) as saying null for both', () => {
    const older: Record<string, unknown> = { ...good };
    delete older.about;
    delete older.claim;

    expect(parseAnswer(JSON.stringify({ advice: [older] }), 'v1').items).toEqual([good]);
  });

  it('accepts insight kinds, a claim on a series and a follow-up or referral from the allow-list', () => {
    const insight = {
      ...good,
      kind: 'trend',
      cites: ['L1', 'P1'],
      claim: { change: 'fall', series: 'L1' },
      suggestion: { kind: 'service-request', code: '103696004' },
    };
    const unlisted = { ...insight, suggestion: { kind: 'service-request', code: '73761001' } };
    const medication = { ...insight, suggestion: { kind: 'medication-request', rxcui: '5640' } };

    const answer = parseAnswer(JSON.stringify({ advice: [insight, unlisted, medication] }), 'v1');

    expect(answer.items).toEqual([insight]);
    expect(answer.invalidItems).toBe(2);
  });

  it('accepts a valid answer', () => {
    const answer = parseAnswer(JSON.stringify({ advice: [good] }), 'v1');

    expect(answer).toEqual({ items: [good], invalidItems: 0, modelVersion: 'v1' });
  });

  it('rejects content that is not JSON', () => {
    expect(() => parseAnswer('Sure! Here is my advice: {', 'v1')).toThrow(OutputRejectedError);
  });

  it('rejects JSON that is not the advice envelope', () => {
    expect(() => parseAnswer('[1,2,3]', 'v1')).toThrow(/not-advice/);
    expect(() => parseAnswer('{"answer":"none"}', 'v1')).toThrow(/not-advice/);
  });

  it('drops only the items that break the schema (unknown indicator, missing field)', () => {
    const withoutCertainty: Record<string, unknown> = { ...good };
    delete withoutCertainty.certainty;
    const bad = [{ ...good, severity: 'hard-stop' }, withoutCertainty];

    const answer = parseAnswer(JSON.stringify({ advice: [good, ...bad] }), 'v1');

    expect(answer.items).toEqual([good]);
    expect(answer.invalidItems).toBe(2);
  });

  it('ignores keys the schema does not name, at the top, in an item and in a suggestion, and keeps the item', () => {
    const suggested = { ...good, suggestion: { kind: 'cancel-draft', draft: 'D1', confidence: 0.9 } };
    const content = JSON.stringify({
      version: 2,
      advice: [{ ...good, url: 'https://evil.example' }, suggested],
    });

    const answer = parseAnswer(content, 'v1');

    expect(answer.items).toEqual([good, { ...good, suggestion: { kind: 'cancel-draft', draft: 'D1' } }]);
    expect(answer.invalidItems).toBe(0);
  });

  it('takes the JSON out of a markdown fence or surrounding prose', () => {
    const json = JSON.stringify({ advice: [good] });

    expect(parseAnswer('```json\n' + json + '\n```', 'v1').items).toEqual([good]);
    expect(parseAnswer(`Here is my review {of sorts}:\n${json}\nThanks.`, 'v1').items).toEqual([good]);
    const braceInString = JSON.stringify({ advice: [{ ...good, detail: 'A } and a { in the text.' }] });
    expect(parseAnswer(`Answer: ${braceInString} done`, 'v1').items[0]?.detail).toBe(
      'A } and a { in the text.',
    );
  });

  it('rejects an answer whose every item is invalid, instead of passing it off as no advice', () => {
    const content = JSON.stringify({ advice: [{ ...good, severity: 'hard-stop' }, { summary: 'x' }] });

    expect(() => parseAnswer(content, 'v1')).toThrow(/invalid-items/);
    expect(parseAnswer('{"advice": []}', 'v1')).toMatchObject({ items: [], invalidItems: 0 });
  });

  it('sends the schema file in strict form: no $id, $schema or title; every property required', () => {
    const schema = responseFormatSchema() as {
      properties: Record<string, unknown>;
      required: string[];
      $defs: Record<
        string,
        { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean }
      >;
    };

    expect(schema).not.toHaveProperty('$id');
    expect(schema).not.toHaveProperty('$schema');
    expect(schema.required).toEqual(Object.keys(schema.properties));
    for (const def of Object.values(schema.$defs)) {
      expect(def.additionalProperties).toBe(false);
      expect([...def.required].sort()).toEqual(Object.keys(def.properties).sort());
    }
  });

  it('keeps the TypeScript types and the schema file in step (kinds, severities, certainties)', () => {
    const item = (
      JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'model-advice.schema.json'), 'utf8')) as {
        $defs: { item: { properties: Record<'kind' | 'severity' | 'certainty', { enum: string[] }> } };
      }
    ).$defs.item.properties;

    expect(item.kind.enum).toEqual([...ADVICE_KINDS]);
    expect(item.severity.enum).toEqual([...MODEL_SEVERITIES]);
    expect(item.certainty.enum).toEqual([...CERTAINTIES]);
  });

  it('allows exactly the monitoring labs the service can order', () => {
    const file = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'model-advice.schema.json'), 'utf8')) as {
      $defs: { orderLab: { properties: { loinc: { enum: string[] } } } };
    };

    expect([...file.$defs.orderLab.properties.loinc.enum].sort()).toEqual(
      Object.keys(MONITORING_LABS).sort(),
    );
  });

  it('allows exactly the follow-ups and referrals the service can propose', () => {
    const file = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'model-advice.schema.json'), 'utf8')) as {
      $defs: { serviceRequest: { properties: { code: { enum: string[] } } } };
    };

    expect([...file.$defs.serviceRequest.properties.code.enum].sort()).toEqual(
      Object.keys(SERVICE_REQUESTS).sort(),
    );
  });
});

describe('late-advice cache', () => {
  const answer: ModelAnswer = { items: [], invalidItems: 0, modelVersion: 'v1' };

  it('forgets entries after their time to live', () => {
    let now = 0;
    const cache = new AdviceCache({ maxEntries: 10, ttlMs: 1000, clock: () => now });
    cache.set('k', answer);

    now = 999;
    expect(cache.get('k')).toBe(answer);
    now = 2000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new AdviceCache({ maxEntries: 2, ttlMs: 60_000 });
    cache.set('a', answer);
    cache.set('b', answer);
    cache.get('a');

    cache.set('c', answer);

    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(answer);
  });
});
