/**
 * Invariants over random charts built from the knowledge base's own drugs: whatever the combination, the rules
 * never fail, every finding cites a medication under review and only resources from the chart, summaries stay
 * short, suggestions only ever remove reviewed drafts, and every finding makes a valid card.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildCards } from '../../../src/cards/build.js';
import { KnowledgeError, loadKnowledge } from '../../../src/advisors/rules/index.js';
import type { HookName } from '../../../src/cds/types.js';
import { allergy, condition, draft, egfr, findings, inr, med, potassium, reviewOf } from './builders.js';

const kb = loadKnowledge();
if (kb instanceof KnowledgeError) throw kb;
const names = [...kb.ingredients.values()].map((i) => i.name);
const drug = fc.constantFrom(...names);
const strength = fc.constantFrom('', ' 5 MG Oral Tablet', ' 100 mg', ' 20 MG Delayed Release Oral Capsule');

const chart = fc.record({
  hook: fc.constantFrom<HookName>('patient-view', 'order-select', 'order-sign'),
  active: fc.array(fc.tuple(drug, strength, fc.constantFrom('active', 'active', 'stopped', 'on-hold')), {
    maxLength: 8,
  }),
  drafts: fc.array(fc.tuple(drug, strength, fc.boolean()), { maxLength: 4 }),
  allergies: fc.array(
    fc.tuple(
      fc.constantFrom(...names, 'sulfa', 'penicillins', 'NSAIDs'),
      fc.constantFrom('active', 'resolved'),
    ),
    { maxLength: 2 },
  ),
  problems: fc.array(fc.constantFrom('Heart failure', 'Asthma', 'Hypertension'), { maxLength: 2 }),
  labs: fc.record({
    k: fc.double({ min: 2.5, max: 7, noNaN: true }),
    gfr: fc.integer({ min: 5, max: 120 }),
    inr: fc.double({ min: 0.8, max: 6, noNaN: true }),
  }),
});

describe('rules invariants over random charts', () => {
  it('hold for any combination of known drugs, allergies, problems and labs', async () => {
    await fc.assert(
      fc.asyncProperty(chart, async (c) => {
        const active = c.active.map(([name, s, status], i) =>
          med(`${name}${s}`, { id: `a${i}`, status: status as 'active' }),
        );
        const drafts = c.drafts.map(([name, s, selected], i) =>
          draft(`${name}${s}`, { id: `d${i}`, selected }),
        );
        const allergies = c.allergies.map(([name, status]) => allergy(name, { clinicalStatus: status }));
        const conditions = c.problems.map((text) => condition(text));
        const labs = [
          potassium(Math.round(c.labs.k * 10) / 10),
          egfr(c.labs.gfr),
          inr(Math.round(c.labs.inr * 10) / 10),
        ];
        const input = { active, drafts, allergies, conditions, labs };
        const review = reviewOf(c.hook, input);
        const focus = new Set(review.focus.map((m) => m.ref));
        const known = new Set([
          review.patient.patient.ref,
          ...active.map((r) => `MedicationRequest/${r.id ?? ''}`),
          ...drafts.map((r) => `MedicationRequest/${r.id ?? ''}`),
          ...allergies.map((r) => `AllergyIntolerance/${r.id ?? ''}`),
          ...conditions.map((r) => `Condition/${r.id ?? ''}`),
          ...labs.map((r) => `Observation/${r.id ?? ''}`),
        ]);
        const result = await findings(c.hook, input);
        expect(new Set(result.map((f) => f.key)).size).toBe(result.length);
        for (const f of result) {
          expect(f.summary.length).toBeLessThan(140);
          expect(f.evidence.some((ref) => focus.has(ref))).toBe(true);
          for (const ref of f.evidence) expect(known.has(ref)).toBe(true);
          for (const s of f.suggestions ?? []) {
            for (const a of s.actions)
              if (a.type === 'delete')
                expect(focus.has(a.resourceId) && a.resourceId.startsWith('MedicationRequest/d')).toBe(true);
          }
          if (f.suggestions?.length) expect(f.selectionBehavior).toBe('at-most-one');
        }
        expect(buildCards([...result], 'property', 'hook').dropped).toEqual([]);
      }),
      { numRuns: 150, seed: 20261124 },
    );
  });
});
