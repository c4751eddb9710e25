/**
 * `npm run eval:scenarios`: writes the ground-truth set (`scenarioSpecs.ts`) to `eval/scenarios/` as
 * `NAME.request.json` (the FHIR request) and `NAME.expected.json` (the clinician's expectations). A scenario's
 * sign-off record is kept: if the chart or the expectations changed, its fingerprint no longer matches and the
 * reports count it as changed since sign-off, to be reviewed again — regenerating never signs or unsigns anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requestOfChart } from './chart.js';
import { GROUND_TRUTH_DIR, type Expectations, signOffRecordIn } from './groundTruth.js';
import { NOW, REVIEWED_BY, SCENARIO_SPECS } from './scenarioSpecs.js';

mkdirSync(GROUND_TRUTH_DIR, { recursive: true });
for (const { chart, expect } of SCENARIO_SPECS) {
  const request = requestOfChart({ ...chart, now: NOW });
  const expectations: Expectations = {
    ...expect,
    now: NOW,
    reviewedBy: signOffRecordIn(chart.name) ?? REVIEWED_BY,
  };
  const write = (suffix: string, value: unknown): void =>
    writeFileSync(
      path.join(GROUND_TRUTH_DIR, `${chart.name}${suffix}`),
      `${JSON.stringify(value, null, 2)}\n`,
    );
  write('.request.json', request);
  write('.expected.json', expectations);
}
process.stdout.write(
  `${SCENARIO_SPECS.length} scenarios written to ${path.relative(process.cwd(), GROUND_TRUTH_DIR)}\n`,
);
