/**
 * The polypharmacy patients (`tests/fixtures/polypharmacy`, written from `tests/fixtures/synth/polypharmacy.ts`)
 * raise exactly the cards a clinician reviewed in `docs/clinical-review.md`: a new card, or one that changed
 * severity, fails here until it has been reviewed and judged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { HookRequest } from '../../../src/cds/types.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { POLYPHARMACY } from '../../fixtures/synth/polypharmacy.js';
import { runService } from './scenarioHarness.js';

const DIR = path.join(PROJECT_ROOT, 'tests/fixtures/polypharmacy');
const NOW = new Date('2026-11-24T12:00:00Z');

interface Reviewed {
  readonly request: string;
  readonly key: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly judgment: string;
}

const reviewed = (JSON.parse(readFileSync(path.join(DIR, 'reviewed.json'), 'utf8')) as { cards: Reviewed[] })
  .cards;
const requests = readdirSync(DIR)
  .filter((f) => /\.(patient-view|order-sign)\.json$/.test(f))
  .sort();

describe('polypharmacy patients', () => {
  it('are at least 20 patients, each reviewed on chart open', () => {
    expect(POLYPHARMACY.length).toBeGreaterThanOrEqual(20);
    expect(requests.filter((f) => f.endsWith('.patient-view.json'))).toHaveLength(POLYPHARMACY.length);
  });

  it('raise exactly the reviewed cards', async () => {
    const raised: string[] = [];
    for (const file of requests) {
      const request = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as HookRequest;
      const service = request.hook === 'patient-view' ? 'patient-view-advice' : 'order-sign-advice';
      for (const f of await runService(service, request, NOW))
        raised.push(`${file} ${f.key} ${f.ruleId} ${f.severity}`);
    }
    expect(raised.sort()).toEqual(
      reviewed.map((c) => `${c.request} ${c.key} ${c.ruleId} ${c.severity}`).sort(),
    );
  });

  it('have no warning or critical card judged unjustified, and every card is in the review document', () => {
    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs/clinical-review.md'), 'utf8');
    for (const card of reviewed) {
      expect(card.judgment).toMatch(/^Justified/);
      // Keys sit in table cells, where a pipe is written `\|`.
      expect(doc).toContain(`\`${card.key.replace(/\|/g, '\\|')}\``);
    }
  });
});
