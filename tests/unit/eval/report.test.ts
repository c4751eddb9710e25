import { describe, expect, it } from '@jest/globals';
import { pricesOf, parseGroundTruthArgs } from '../../../scripts/eval/cli.js';
import { groundTruthHtml } from '../../../scripts/eval/report/html.js';
import { groundTruthMarkdown } from '../../../scripts/eval/report/markdown.js';
import { buildGroundTruthReport } from '../../../scripts/eval/report/model.js';
import { caseRun, item, seededRuns } from './seed.js';

const HOSTILE =
  '<script>alert(1)</script><img src=x onerror=alert(2)> | **bold** [link](http://evil.example)';

function report() {
  const runs = [
    ...seededRuns(),
    caseRun({
      caseName: 'D',
      subgroups: {
        ageBand: '0-17',
        sex: 'male',
        renalBand: 'no eGFR',
        extensions: { 'us-core-race': HOSTILE },
      },
      items: [
        item('h', {
          advisor: 'model',
          verdict: 'incorrect',
          certainty: HOSTILE,
          summary: HOSTILE,
          key: HOSTILE,
        }),
      ],
    }),
  ];
  return buildGroundTruthReport(
    runs,
    {
      set: 'eval/scenarios',
      reviewedBy: HOSTILE,
      signOff: null,
      advisors: ['rules', 'model'],
      model: HOSTILE,
      budgetMs: 2000,
      repeat: 1,
      prices: null,
      note: 'Stand-in: measures the harness only.',
      verdicts: "the scenario set's expectations",
      descriptions: { D: HOSTILE },
    },
    new Date('2026-12-05T12:00:00Z'),
  );
}

describe('HTML report', () => {
  const html = groundTruthHtml(report());

  it('escapes every text from cases, findings and configuration', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is self-contained: no script, no external asset, plots inline', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|src=["']?https?:|href=["']?https?:|@import|url\(/i);
    expect(html).toContain('<svg');
    expect(html).toContain('Share judged correct by stated certainty');
    expect(html).toContain('Stand-in: measures the harness only.');
  });
});

describe('Markdown report', () => {
  const md = groundTruthMarkdown(report());

  it('leads with sensitivity and PPV with intervals, and flags small subgroups', () => {
    expect(md).toContain('| model | 67 % (2/3; 95 % CI 21 %–94 %) | 50 % (3/6; 95 % CI 19 %–81 %) |');
    expect(md).toMatch(/⚠ too small \(n < 10\)/);
    expect(md).toContain('cost not estimated');
  });

  it('does not let chart text make links, emphasis, HTML or table cells', () => {
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('[link](http://evil.example)');
    expect(md).not.toContain('**bold**');
    expect(md).not.toMatch(/[^\\]\| \*\*bold/);
  });
});

describe('figures for the model fact sheet', () => {
  it('lists label/value pairs with the set, the verdict source and each advisor’s PPV', () => {
    const figures = report().figures;
    expect(figures[0]).toEqual({ label: 'Scenario set', value: 'eval/scenarios (4 cases, 4 hooks)' });
    expect(figures.find((f) => f.label === 'model: PPV')?.value).toBe('50 % (3/6; 95 % CI 19 %–81 %)');
  });
});

describe('command line', () => {
  it('reads repeat, the adjudication sheet and prices (flags before the environment; both or none)', () => {
    const args = parseGroundTruthArgs(['--repeat', '3', '--adjudication-csv', 'x.csv', '--stand-in']);
    expect(args).toMatchObject({ repeat: 3, standIn: true, prices: null });
    expect(args.adjudicationCsv).toMatch(/x\.csv$/);
    expect(pricesOf('0.0025', '0.01', {})).toEqual({ promptPer1k: 0.0025, completionPer1k: 0.01 });
    expect(
      pricesOf(undefined, undefined, { EVAL_PRICE_PROMPT_PER_1K: '1', EVAL_PRICE_COMPLETION_PER_1K: '2' }),
    ).toEqual({
      promptPer1k: 1,
      completionPer1k: 2,
    });
    expect(() => pricesOf('1', undefined, {})).toThrow(/both prices/);
    expect(() => pricesOf('-1', '1', {})).toThrow(/non-negative/);
    expect(() => parseGroundTruthArgs(['--repeat', '0'])).toThrow(/--repeat/);
  });
});
