/**
 * DailyMed links in the knowledge base point at the label itself (its set id), not at a search page. The labels
 * whose set id could not be verified against public material stay search pages, listed here with the reason; the
 * list can only shrink (a listed source that gains a set id fails the test until it is removed from the list).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_KNOWLEDGE_DIR } from '../../../src/advisors/rules/knowledge.js';

interface Source {
  readonly id: string;
  readonly label: string;
  readonly url: string;
}

const UNVERIFIED: Readonly<Record<string, string>> = {
  'label-codeine':
    'no DailyMed or FDA record of a codeine sulfate tablets label was found, only third-party pages',
  'label-aspirin-otc': 'no OTC aspirin Drug Facts label was found with its set id',
  'label-ibuprofen-pediatric':
    'the 40 mg/kg per day limit is in the prescription suspension label; only OTC Drug Facts labels, which do not state it, were found',
  'label-ketorolac': 'only ketorolac injection labels were found on DailyMed and FDA; not the tablets',
};

const SET_ID_LINK =
  /^https:\/\/dailymed\.nlm\.nih\.gov\/dailymed\/drugInfo\.cfm\?setid=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function sources(): Source[] {
  const file = path.join(DEFAULT_KNOWLEDGE_DIR, 'sources.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { sources: Source[] }).sources;
}

const dailyMed = (s: Source): boolean => new URL(s.url).hostname === 'dailymed.nlm.nih.gov';
const setIdOf = (url: string): string | undefined => new URL(url).searchParams.get('setid') ?? undefined;

describe('DailyMed links in sources.json', () => {
  it('link the label by set id, except the listed unverified ones', () => {
    const notByLabel = sources()
      .filter((s) => dailyMed(s) && !SET_ID_LINK.test(s.url))
      .map((s) => s.id)
      .sort();
    expect(notByLabel).toEqual(Object.keys(UNVERIFIED).sort());
  });

  it('keep the listed unverified ones as DailyMed searches, so the list only shrinks', () => {
    const byId = new Map(sources().map((s) => [s.id, s]));
    for (const id of Object.keys(UNVERIFIED)) {
      const source = byId.get(id);
      expect(source?.url).toMatch(/^https:\/\/dailymed\.nlm\.nih\.gov\/dailymed\/search\.cfm\?/);
    }
  });

  it('give each label once', () => {
    const ids = sources()
      .map((s) => setIdOf(s.url))
      .filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('knowledge/label-sources.md', () => {
  const rows = readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, 'label-sources.md'), 'utf8')
    .split('\n')
    .map((line) => /^\|\s*`([a-z0-9-]+)`\s*\|\s*`([0-9a-f-]{36})`\s*\|\s*(https:\/\/\S+)\s*\|/.exec(line))
    .filter((m) => m !== null)
    .map(([, id, setId, evidence]) => ({ id, setId, evidence }));

  it('records the set id each source links, with where it was verified', () => {
    const linked = new Map(sources().map((s) => [s.id, setIdOf(s.url)]));
    expect(rows.length).toBeGreaterThanOrEqual(48);
    for (const row of rows) {
      expect({ id: row.id, setId: linked.get(row.id ?? '') }).toEqual({ id: row.id, setId: row.setId });
    }
  });
});
