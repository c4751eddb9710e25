/** The evaluation report as Markdown (`eval.md`). Text from cases and findings is escaped. */
import markdownEscape from 'markdown-escape';
import type { LatencySummary, SubgroupSummary, Summary } from '../metrics.js';
import { dimensionTitle, type GroundTruthReport, pct, rateText, signOffText } from './model.js';

const text = (s: string): string => markdownEscape(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (x: number | null): string => (x === null ? '—' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
];

const latencyText = (l: LatencySummary | undefined): string =>
  l ? `p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)} (n = ${l.n})` : '—';

function advisorTable(s: Summary): string[] {
  return table(
    ['advisor', 'sensitivity', 'PPV', 'unsafe', 'severity agreed'],
    Object.entries(s.byAdvisor).map(([a, f]) => [
      a,
      rateText(f.sensitivity),
      rateText(f.ppv),
      rateText(f.unsafe),
      rateText(f.severityAgreement),
    ]),
  );
}

function kindTables(s: Summary): string[] {
  return Object.entries(s.byAdvisor).flatMap(([a, f]) => [
    '',
    `#### ${a}`,
    '',
    ...table(
      ['kind / severity', 'sensitivity', 'PPV'],
      Object.entries(f.byKindSeverity).map(([cell, c]) => [
        text(cell),
        rateText(c.sensitivity),
        rateText(c.ppv),
      ]),
    ),
  ]);
}

function subgroupTable(groups: Readonly<Record<string, SubgroupSummary>>, small: number): string[] {
  const advisors = [...new Set(Object.values(groups).flatMap((g) => Object.keys(g.byAdvisor)))];
  return table(
    ['group', 'cases', ...advisors.flatMap((a) => [`${a} sensitivity`, `${a} PPV`]), 'hook p90', 'readable?'],
    Object.entries(groups).map(([value, g]) => [
      text(value),
      String(g.cases),
      ...advisors.flatMap((a) => [
        rateText(g.byAdvisor[a as 'rules']?.sensitivity),
        rateText(g.byAdvisor[a as 'rules']?.ppv),
      ]),
      ms(g.latency.hook.p90),
      g.tooSmall ? `⚠ too small (n < ${small})` : 'yes',
    ]),
  );
}

/** `plots`: the SVG file written beside the report for each plot name, when there is one. */
export function groundTruthMarkdown(
  r: GroundTruthReport,
  plots: Readonly<Record<string, string>> = {},
): string {
  const image = (name: string, alt: string): string[] =>
    plots[name] ? ['', `![${text(alt)}](${encodeURI(plots[name])})`] : [];
  const s = r.summary;
  const t = s.tokens;
  const out: string[] = [
    '# CDS Advisor evaluation (clinical ground truth)',
    '',
    `**${text(signOffText(r))}**`,
    '',
    `Generated ${r.generatedAt}. Scenario set ${text(r.set)}: ${s.cases} cases × ${r.repeat} run(s) = ${s.hooks} hooks, each on a fresh model cache. Advisors: ${r.advisors.map(text).join(', ')}${r.model ? ` (model: ${text(r.model)})` : ''}. Budget ${r.budgetMs} ms.`,
    '',
    `Expectations: ${text(r.reviewedBy)}. Verdicts: ${text(r.verdicts)}.`,
    ...(r.note ? ['', `> ${text(r.note)}`] : []),
    '',
    '## Sensitivity and PPV (Wilson 95 % intervals)',
    '',
    'Sensitivity: expected findings said, of those expected. PPV: items judged correct, of all items said (an item matching',
    'an expected or acceptable concern is correct; one matching an expected silence, or nothing expected, is not).',
    '`shown` is what the service would show: both advisors merged. Each case counts once (its first run): repeats',
    'measure stability below, not accuracy.',
    '',
    ...advisorTable(s),
    ...image('advisors', 'Sensitivity and PPV per advisor'),
    '',
    '### By kind and severity',
    ...kindTables(s),
    '',
    "## Calibration of the model's stated certainty",
    '',
    ...(s.calibration.length === 0
      ? ['No model items: nothing to calibrate.']
      : table(
          ['stated certainty', 'judged correct'],
          s.calibration.map((b) => [text(b.certainty), rateText(b.correct)]),
        )),
    ...image('reliability', 'Reliability diagram'),
    '',
    '## Stability over repeated runs',
    '',
    ...(r.stability.runs < 2
      ? ['One run per case: stability not measured (`--repeat N`).']
      : table(
          ['advisor', 'cases identical over runs', 'mean share of runs saying an item'],
          Object.entries(r.stability.identicalCases).map(([a, rate]) => [
            a,
            rateText(rate),
            pct(r.stability.itemAgreement[a as 'model'] ?? null),
          ]),
        )),
    '',
    '## Budget, latency, tokens and cost',
    '',
    `Whole hook: ${latencyText(s.latency.hook)}.`,
    '',
    ...table(
      ['advisor', 'within the budget', 'latency', 'outcomes'],
      Object.entries(s.latency.byAdvisor).map(([a, l]) => [
        a,
        rateText(s.withinBudget[a as 'model']),
        latencyText(l),
        Object.entries(s.outcomes[a as 'model'] ?? {})
          .map(([k, n]) => `${text(k)} ${n}`)
          .join(', '),
      ]),
    ),
    '',
    t.promptPer1kHooks === null
      ? `Tokens: ${text(t.costNote ?? 'none reported')}.`
      : `Tokens per 1,000 hooks: ${Math.round(t.promptPer1kHooks)} prompt, ${Math.round(t.completionPer1kHooks ?? 0)} completion (${t.hooksWithUsage} of ${s.hooks} hooks reported usage). ${
          t.costPer1kHooks === null
            ? text(t.costNote ?? '')
            : `Estimated cost per 1,000 hooks: ${t.costPer1kHooks.toFixed(2)}.`
        }`,
    '',
    `Model output removed by validation and guards: ${
      Object.entries(s.guardDrops)
        .map(([k, n]) => `${text(k)} ${n}`)
        .join(', ') || 'none'
    }.`,
    '',
    '## Subgroups',
    '',
    `A subgroup with fewer than ${r.smallSubgroup} cases is flagged: at that size a 95 % interval is wider than 0.4, so`,
    'a difference between subgroups says nothing. Read flagged rows as questions for a larger set.',
  ];
  for (const [dimension, groups] of Object.entries(r.subgroups)) {
    out.push(
      '',
      `### ${text(dimensionTitle(dimension))}`,
      '',
      ...subgroupTable(groups, r.smallSubgroup),
      ...image(
        `subgroups-${dimension.replace(/[^a-zA-Z0-9-]/g, '-')}`,
        `Sensitivity by ${dimensionTitle(dimension)}`,
      ),
    );
  }
  out.push(
    '',
    '## Cases',
    '',
    ...table(
      [
        'case',
        'hook',
        'age',
        'sex',
        'renal',
        'expected found (shown)',
        'items said (shown)',
        'incorrect (shown)',
        'reference',
      ],
      [...new Set(r.runs.map((x) => x.caseName))].map((name) => {
        const first = r.runs.find((x) => x.caseName === name)!;
        const shownExp = first.expectations.filter((e) => e.advisor === 'shown');
        const shownItems = first.items.filter((i) => i.advisor === 'shown');
        return [
          `${text(name)}: ${text(r.descriptions[name] ?? '')}`,
          first.hook,
          first.subgroups.ageBand,
          first.subgroups.sex,
          text(first.subgroups.renalBand),
          `${shownExp.filter((e) => e.found).length}/${shownExp.length}`,
          String(shownItems.length),
          shownItems
            .filter((i) => i.verdict !== 'correct')
            .map((i) => `${text(i.key)} (${i.basis})`)
            .join('; ') || '—',
          r.signOff?.byCase[name] ?? 'not recorded',
        ];
      }),
    ),
    '',
  );
  return out.join('\n');
}
