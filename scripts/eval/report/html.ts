/**
 * The evaluation report as one self-contained HTML page (`eval.html`): the Markdown report's tables and inline
 * SVG plots (per-advisor and per-subgroup intervals, the reliability diagram). No script, no external asset, one
 * inline style; every text from cases, findings and configuration escaped.
 */
import escapeHtml from 'escape-html';
import type { Rate, SubgroupSummary } from '../metrics.js';
import { dimensionTitle, type GroundTruthReport, pct, rateText, signOffText } from './model.js';
import { intervalPlot, type IntervalRow, reliabilityDiagram } from './svg.js';

const e = (s: string | number): string => escapeHtml(String(s));

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.note{border-left:4px solid #c77;padding:.5em 1em;background:#fdf3f3}.plots{display:flex;flex-wrap:wrap;gap:1.5em}
.signoff{border-left:4px solid #7a7;padding:.5em 1em;background:#f3fdf3}`;

function subgroupRows(
  groups: Readonly<Record<string, SubgroupSummary>>,
  pick: (g: SubgroupSummary) => Rate | undefined,
): IntervalRow[] {
  return Object.entries(groups).map(([value, g]) => ({
    label: `${value} (${g.cases})`,
    rate: pick(g),
    faint: g.tooSmall,
  }));
}

/** The report's plots by name (`advisors`, `reliability`, `subgroups-<dimension>`), for files beside the Markdown. */
export function reportPlots(r: GroundTruthReport): { name: string; svg: string }[] {
  const s = r.summary;
  const advisors = Object.keys(s.byAdvisor) as (keyof typeof s.byAdvisor)[];
  return [
    {
      name: 'advisors',
      svg: intervalPlot(
        'Sensitivity and PPV per advisor (95 % CI)',
        advisors.flatMap((a) => [
          { label: `${a} sensitivity`, rate: s.byAdvisor[a]?.sensitivity },
          { label: `${a} PPV`, rate: s.byAdvisor[a]?.ppv },
        ]),
      ),
    },
    { name: 'reliability', svg: reliabilityDiagram(s.calibration) },
    ...Object.entries(r.subgroups).map(([dimension, groups]) => ({
      name: `subgroups-${dimension.replace(/[^a-zA-Z0-9-]/g, '-')}`,
      svg: intervalPlot(
        `Shown advice, sensitivity by ${dimensionTitle(dimension).toLowerCase()} (95 % CI; ⚠ = under ${r.smallSubgroup} cases)`,
        subgroupRows(groups, (g) => g.byAdvisor.shown?.sensitivity),
      ),
    })),
  ];
}

export function groundTruthHtml(r: GroundTruthReport): string {
  const s = r.summary;
  const advisors = Object.keys(s.byAdvisor) as (keyof typeof s.byAdvisor)[];
  const headline = intervalPlot(
    'Sensitivity and PPV per advisor (95 % CI)',
    advisors.flatMap((a) => [
      { label: `${a} sensitivity`, rate: s.byAdvisor[a]?.sensitivity },
      { label: `${a} PPV`, rate: s.byAdvisor[a]?.ppv },
    ]),
  );
  const subgroupSections = Object.entries(r.subgroups)
    .map(([dimension, groups]) => {
      const plots = advisors
        .map((a) =>
          [
            intervalPlot(
              `${a}: sensitivity by ${dimensionTitle(dimension).toLowerCase()}`,
              subgroupRows(groups, (g) => g.byAdvisor[a]?.sensitivity),
            ),
            intervalPlot(
              `${a}: PPV by ${dimensionTitle(dimension).toLowerCase()}`,
              subgroupRows(groups, (g) => g.byAdvisor[a]?.ppv),
            ),
          ].join(''),
        )
        .join('');
      const rows = Object.entries(groups).map(([value, g]) => [
        value,
        String(g.cases),
        ...advisors.flatMap((a) => [rateText(g.byAdvisor[a]?.sensitivity), rateText(g.byAdvisor[a]?.ppv)]),
        g.tooSmall ? `⚠ too small (n < ${r.smallSubgroup})` : 'yes',
      ]);
      return `<h3>${e(dimensionTitle(dimension))}</h3>${table(
        ['group', 'cases', ...advisors.flatMap((a) => [`${a} sensitivity`, `${a} PPV`]), 'readable?'],
        rows,
      )}<div class="plots">${plots}</div>`;
    })
    .join('');
  const kindRows = advisors.flatMap((a) =>
    Object.entries(s.byAdvisor[a]?.byKindSeverity ?? {}).map(([cell, c]) => [
      a,
      cell,
      rateText(c.sensitivity),
      rateText(c.ppv),
    ]),
  );
  const t = s.tokens;
  const cases = [...new Set(r.runs.map((x) => x.caseName))].map((name) => {
    const first = r.runs.find((x) => x.caseName === name)!;
    const shownExp = first.expectations.filter((x) => x.advisor === 'shown');
    const shownItems = first.items.filter((i) => i.advisor === 'shown');
    return [
      name,
      r.descriptions[name] ?? '',
      first.hook,
      `${first.subgroups.sex}, ${first.subgroups.ageBand}, ${first.subgroups.renalBand}`,
      `${shownExp.filter((x) => x.found).length}/${shownExp.length}`,
      shownItems.map((i) => `${i.key} [${i.severity}] ${i.verdict} (${i.basis})`).join('; ') || '—',
      r.signOff?.byCase[name] ?? 'not recorded',
    ];
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CDS Advisor evaluation</title><style>${STYLE}</style></head><body>
<h1>CDS Advisor evaluation (clinical ground truth)</h1>
<p class="${r.signOff && r.signOff.signedOff >= r.signOff.scenarios ? 'signoff' : 'note'}"><strong>${e(signOffText(r))}</strong></p>
<p>Generated ${e(r.generatedAt)}. Scenario set <code>${e(r.set)}</code>: ${s.cases} cases × ${r.repeat} run(s) = ${s.hooks} hooks, each on a fresh model cache.
Advisors: ${e(r.advisors.join(', '))}${r.model ? ` (model: ${e(r.model)})` : ''}. Budget ${r.budgetMs} ms.</p>
<p>Expectations: ${e(r.reviewedBy)}. Verdicts: ${e(r.verdicts)}.</p>
${r.note ? `<p class="note">${e(r.note)}</p>` : ''}
<h2>Sensitivity and PPV</h2>
<p>Sensitivity: expected findings said, of those expected. PPV: items judged correct, of all items said. <code>shown</code> is what the service would show (both advisors merged). Intervals are Wilson 95 %. Each case counts once (its first run): repeats measure stability, not accuracy.</p>
${table(
  ['advisor', 'sensitivity', 'PPV', 'unsafe', 'severity agreed'],
  advisors.map((a) => [
    a,
    rateText(s.byAdvisor[a]?.sensitivity),
    rateText(s.byAdvisor[a]?.ppv),
    rateText(s.byAdvisor[a]?.unsafe),
    rateText(s.byAdvisor[a]?.severityAgreement),
  ]),
)}
<div class="plots">${headline}</div>
<h3>By kind and severity</h3>
${table(['advisor', 'kind / severity', 'sensitivity', 'PPV'], kindRows)}
<h2>Calibration of the model's stated certainty</h2>
<div class="plots">${reliabilityDiagram(s.calibration)}</div>
${table(
  ['stated certainty', 'judged correct'],
  s.calibration.map((b) => [b.certainty, rateText(b.correct)]),
)}
<h2>Stability over repeated runs</h2>
${
  r.stability.runs < 2
    ? '<p>One run per case: stability not measured (<code>--repeat N</code>).</p>'
    : table(
        ['advisor', 'cases identical over runs', 'mean share of runs saying an item'],
        Object.entries(r.stability.identicalCases).map(([a, rate]) => [
          a,
          rateText(rate),
          pct(r.stability.itemAgreement[a as 'model'] ?? null),
        ]),
      )
}
<h2>Budget, latency, tokens and cost</h2>
${table(
  ['advisor', 'within the budget', 'p50', 'p90', 'p99', 'outcomes'],
  Object.entries(s.latency.byAdvisor).map(([a, l]) => [
    a,
    rateText(s.withinBudget[a as 'model']),
    `${Math.round(l.p50 ?? 0)} ms`,
    `${Math.round(l.p90 ?? 0)} ms`,
    `${Math.round(l.p99 ?? 0)} ms`,
    Object.entries(s.outcomes[a as 'model'] ?? {})
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
  ]),
)}
<p>${
    t.promptPer1kHooks === null
      ? e(`Tokens: ${t.costNote ?? 'none reported'}.`)
      : e(
          `Tokens per 1,000 hooks: ${Math.round(t.promptPer1kHooks)} prompt, ${Math.round(t.completionPer1kHooks ?? 0)} completion. ${
            t.costPer1kHooks === null
              ? (t.costNote ?? '')
              : `Estimated cost per 1,000 hooks: ${t.costPer1kHooks.toFixed(2)}.`
          }`,
        )
  }</p>
<h2>Subgroups</h2>
<p>Subgroups with fewer than ${r.smallSubgroup} cases are flagged ⚠ and drawn hollow: at that size a 95 % interval is wider than 0.4, so differences between them say nothing.</p>
${subgroupSections}
<h2>Cases</h2>
${table(['case', 'description', 'hook', 'patient', 'expected found (shown)', 'items shown: key [severity] verdict (basis)', 'reference'], cases)}
</body></html>
`;
}
