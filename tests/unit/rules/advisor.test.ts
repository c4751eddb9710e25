import { describe, expect, it } from '@jest/globals';
import { createRulesAdvisor } from '../../../src/advisors/rules/index.js';
import { draft, med, reviewOf } from './builders.js';

describe('the rules advisor', () => {
  it('reports status ok, its name and a measured latency', async () => {
    const advisor = createRulesAdvisor();
    const outcome = await advisor.advise(
      reviewOf('order-sign', { active: [med('warfarin 5mg')], drafts: [draft('ibuprofen')] }),
      new AbortController().signal,
    );
    expect(outcome).toMatchObject({ advisor: 'rules', status: 'ok' });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.findings).toHaveLength(1);
  });

  it('does not start when the budget is already spent', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await createRulesAdvisor().advise(
      reviewOf('order-sign', { drafts: [draft('ibuprofen')] }),
      controller.signal,
    );
    expect(outcome).toMatchObject({ status: 'timeout', findings: [] });
  });

  it('builds cards a clinician can act on: short summaries, override reasons with display, links', async () => {
    const outcome = await createRulesAdvisor().advise(
      reviewOf('order-sign', {
        active: [med('simvastatin 40 mg')],
        drafts: [draft('clarithromycin 500 mg')],
      }),
      new AbortController().signal,
    );
    for (const f of outcome.findings) {
      expect(f.summary.length).toBeLessThan(140);
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(
        f.overrideReasons?.every(
          (r) => r.display && r.system === 'https://cds-advisor.dev/CodeSystem/override-reason',
        ),
      ).toBe(true);
      expect(f.links?.[0]?.url).toMatch(/^https:\/\//);
      expect(f.source.url).toMatch(/^https:\/\//);
    }
  });
});
