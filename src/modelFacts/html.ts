/**
 * The fact sheet as a page a clinician reaches from an AI card's link: server-rendered, every value escaped
 * (escape-html), no script, one small inline style (helmet's default policy allows it; nothing else is inline).
 */
import escapeHtml from 'escape-html';
import type { ModelFacts } from './facts.js';

const e = (value: string | number | null | undefined): string => escapeHtml(String(value ?? '–'));

const list = (items: readonly string[]): string =>
  `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;

const STYLE = `body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}
dt{font-weight:600}dd{margin:0 0 .4rem 0}.note{color:#57606a}.mode-on{color:#1a7f37}.mode-shadow{color:#9a6700}.mode-off{color:#57606a}`;

function modelSection(facts: ModelFacts): string {
  const m = facts.model;
  if (!m.configured) {
    return `<p><strong>No model is configured.</strong> Cards come from the built-in rules only.</p>`;
  }
  const last = m.lastAnswered
    ? `${e(m.lastAnswered.modelVersion)} (deployment ${e(m.lastAnswered.deployment)}, prompt ${e(
        m.lastAnswered.promptVersion,
      )}), at ${e(m.lastAnswered.at)}`
    : 'no answer on record yet';
  return `<dl>
<dt>Model that answered most recently</dt><dd>${last}</dd>
<dt>Deployment (as configured)</dt><dd>${e(m.deployment)}</dd>
<dt>Endpoint kind</dt><dd>${e(m.endpoint)} (<code>${e(m.endpointKind)}</code>)</dd>
<dt>API version</dt><dd>${e(m.apiVersion ?? 'none')}</dd>
<dt>Prompt version</dt><dd>${e(m.promptVersion)}</dd>
</dl>`;
}

function evaluationSection(facts: ModelFacts): string {
  const ev = facts.evaluation;
  if (!ev.onRecord) return `<p>${e(ev.statement)}.</p>`;
  const rows = ev.figures
    .map((f) => `<tr><th scope="row">${e(f.label)}</th><td>${e(f.value)}</td></tr>`)
    .join('');
  return `<p>Latest evaluation: <strong>${e(ev.date)}</strong>${ev.model ? `, model ${e(ev.model)}` : ''}.</p>
${ev.note ? `<p class="note">${e(ev.note)}</p>` : ''}
${rows ? `<table><tbody>${rows}</tbody></table>` : '<p>The report holds no figures this page can read.</p>'}`;
}

function servicesSection(facts: ModelFacts): string {
  const rows = facts.services
    .map(
      (s) =>
        `<tr><td>${e(s.title ?? s.id)} <code>${e(s.id)}</code></td><td class="mode-${e(s.mode)}">${e(
          s.mode,
        )}</td><td>${e(facts.modes[s.mode])}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>Service</th><th>Mode</th><th>Meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function modelFactsHtml(facts: ModelFacts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(facts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${e(facts.title)}</h1>
<p class="note">As of ${e(facts.generatedAt)}. Machine-readable: <a href="model-facts.json">model-facts.json</a>.</p>
<p>${e(facts.developer)}</p>
<h2>The model</h2>
${modelSection(facts)}
<h2>Intended use</h2>
${list(facts.intendedUse)}
<dl>
<dt>Intended users</dt><dd>${e(facts.intendedUsers)}</dd>
<dt>Intended patients</dt><dd>${e(facts.intendedPatients)}</dd>
<dt>Role in the decision</dt><dd>${e(facts.decisionRole)}</dd>
<dt>Output</dt><dd>${e(facts.output)}</dd>
</dl>
<h2>Out of scope</h2>
${list(facts.outOfScope)}
<h2>What the model sees</h2>
${list(facts.sees)}
<h2>What the model never sees</h2>
${list(facts.neverSees)}
<h2>Safeguards</h2>
${list(facts.safeguards)}
<h2>Known limitations</h2>
${list(facts.limitations)}
<h2>Evaluation</h2>
${evaluationSection(facts)}
<h2>Where it is on</h2>
${servicesSection(facts)}
</main>
</body>
</html>
`;
}
