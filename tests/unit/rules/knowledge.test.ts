import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createRulesAdvisor,
  KnowledgeError,
  loadKnowledge,
  type KnowledgeBase,
} from '../../../src/advisors/rules/index.js';
import { DEFAULT_KNOWLEDGE_DIR } from '../../../src/advisors/rules/knowledge.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the knowledge folder with one file edited. */
function brokenCopy(file: string, edit: (data: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-'));
  dirs.push(dir);
  cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const data = JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>;
  edit(data);
  writeFileSync(target, JSON.stringify(data));
  return dir;
}

function loaded(): KnowledgeBase {
  const kb = loadKnowledge();
  if (kb instanceof KnowledgeError) throw kb;
  return kb;
}

describe('the curated knowledge base', () => {
  it('loads, validates and cross-checks cleanly', () => {
    expect(loadKnowledge()).not.toBeInstanceOf(KnowledgeError);
  });

  it('uses the correct RxNorm ingredient codes for well-known drugs', () => {
    const kb = loaded();
    expect(kb.byRxcui.get('11289')).toBe('warfarin');
    expect(kb.byRxcui.get('5640')).toBe('ibuprofen');
    expect(kb.byRxcui.get('1191')).toBe('aspirin');
    expect(kb.byRxcui.get('6809')).toBe('metformin');
    expect(kb.byRxcui.get('36567')).toBe('simvastatin');
  });

  it('cites a public https source for every source entry', () => {
    for (const source of loaded().sources.values()) expect(source.url).toMatch(/^https:\/\//);
  });

  it('covers every interaction family the issue asks for', () => {
    const ids = new Set([...loaded().interactionsByPair.values()].flat().map((i) => i.id));
    for (const id of [
      'anticoagulant-nsaid',
      'anticoagulant-antiplatelet',
      'pde5-nitrate',
      'statin-strong-cyp3a4',
      'raas-potassium',
      'serotonergic-maoi',
      'qt-prolongation',
      'methotrexate-trimethoprim',
      'clopidogrel-cyp2c19-ppi',
    ]) {
      expect(ids).toContain(id);
    }
  });
});

describe('knowledge/README.md', () => {
  it('lists every rule with its source', () => {
    const readme = readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, 'README.md'), 'utf8');
    const kb = loaded();
    const ids = [
      ...new Set([...kb.interactionsByPair.values()].flat().map((i) => `interactions/${i.id}`)),
      ...kb.combinations.map((c) => `interactions/${c.spec.id}`),
      ...new Set([...kb.duplicatesByPair.values()].flat().map((d) => `duplicates/${d.classId}`)),
      'duplicates/same-ingredient',
      'allergy/direct',
      'allergy/intolerance',
      'allergy/penicillin-low-risk',
      ...[...kb.allergyClassRules.keys()].map((c) => `allergy/class-${c}`),
      ...kb.crossSensitivities.map((c) => `allergy/${c.spec.id}`),
      ...new Set([...kb.renal.values()].map((r) => `renal/${r.id}`)),
      ...kb.highValue.map((r) => `labs/${r.spec.id}`),
      ...kb.monitoring.map((r) => `monitoring/${r.spec.id}`),
      ...kb.conditions.map((r) => `conditions/${r.spec.id}`),
      ...kb.pregnancy.map((r) => `${r.spec.population}/${r.spec.id}`),
      ...kb.pediatric.map((r) => `pediatric/${r.spec.id}`),
      ...kb.geriatric.map((r) => `geriatric/${r.spec.id}`),
      ...[...kb.maxDailyDose.values(), ...kb.weeklyDose.values(), ...kb.pediatricDose.values()].map(
        (r) => `dose/${r.id}`,
      ),
      ...[...kb.reductionCriteria.values()].map((r) => `dose/${r.id}`),
      ...[
        kb.trends.egfrDecline.spec,
        kb.trends.aki.spec,
        kb.trends.potassiumRise.spec,
        kb.trends.hemoglobinDrop.spec,
        kb.trends.undiagnosedDiabetes,
        ...kb.trends.monitoringOverdue.map((r) => r.spec),
      ].map((r) => `trends/${r.id}`),
    ];
    expect(ids.length).toBeGreaterThan(150);
    for (const id of ids) expect(readme).toContain(`\`${id}\``);
  });
});

describe('failing fast on a bad knowledge base', () => {
  it('names the file and the unknown class', () => {
    const dir = brokenCopy('interactions.json', (data) => {
      const list = data.interactions as { b: { classes: string[] } }[];
      (list[0] as { b: { classes: string[] } }).b.classes = ['nsiad'];
    });
    const result = loadKnowledge(dir);
    expect(result).toBeInstanceOf(KnowledgeError);
    expect((result as KnowledgeError).message).toMatch(
      /interactions\.json .*anticoagulant-nsaid.*unknown class "nsiad"/,
    );
  });

  it('rejects a critical entry that is not a contraindication, with the JSON path', () => {
    const dir = brokenCopy('interactions.json', (data) => {
      const list = data.interactions as { severity: string; contraindication: boolean }[];
      Object.assign(list[0] as object, { severity: 'critical', contraindication: false });
    });
    const result = loadKnowledge(dir) as KnowledgeError;
    expect(result.problems.join('\n')).toContain(
      'knowledge/interactions.json /interactions/0/contraindication',
    );
  });

  it('rejects an RxNorm code listed for two ingredients', () => {
    const dir = brokenCopy('drugs.json', (data) => {
      const list = data.ingredients as { id: string; rxcui: string[] }[];
      const naproxen = list.find((i) => i.id === 'naproxen');
      if (naproxen) naproxen.rxcui = ['5640'];
    });
    expect((loadKnowledge(dir) as KnowledgeError).message).toContain('RXCUI 5640 is listed for both');
  });

  it('refuses to create the advisor on an unknown source', () => {
    const dir = brokenCopy('renal.json', (data) => {
      const list = data.rules as { source: string }[];
      (list[0] as { source: string }).source = 'made-up-source';
    });
    expect(() => createRulesAdvisor({ knowledgeDir: dir })).toThrow(/unknown source "made-up-source"/);
  });
});
