/** From a stored report and a filled adjudication sheet to the report recomputed on clinicians' verdicts. */
import { applyVerdicts, readVerdicts } from './adjudication.js';
import { buildGroundTruthReport, type GroundTruthReport, metaOf } from './report/model.js';

export interface AdjudicationResult {
  readonly report: GroundTruthReport;
  readonly judged: number;
  readonly unjudged: number;
  readonly unknown: readonly string[];
}

export function adjudicate(
  report: GroundTruthReport,
  csv: string,
  sheetName: string,
  now = new Date(),
): AdjudicationResult {
  const { runs, judged, unjudged, unknown } = applyVerdicts(report.runs, readVerdicts(csv));
  return {
    report: buildGroundTruthReport(
      runs,
      {
        ...metaOf(report),
        verdicts: `clinicians' adjudication (${sheetName}: ${judged} model items judged, ${unjudged} left blank and set aside); other advisors and sensitivity as the scenario set's expectations judge them`,
      },
      now,
    ),
    judged,
    unjudged,
    unknown,
  };
}
