/**
 * Is the patient pregnant (or breastfeeding)? Read from three kinds of evidence, as `pregnancy.json` defines them:
 * an active problem (SNOMED CT, ICD-10-CM, name), a status observation (LOINC 82810-3 Pregnancy status: SNOMED CT
 * 77386006 Pregnant / 60001007 Not pregnant), or a qualitative test (hCG) that is positive. The newest dated
 * evidence decides: a later "not pregnant" or a negative test outweighs an earlier positive one, and evidence older
 * than the status's `maxAgeDays` cannot still hold. An hCG alone is not read as pregnancy in a male patient (it is
 * a tumour marker there).
 */
import { md } from '../../findings/markdown.js';
import type { LabResult, Problem } from '../../clinical/types.js';
import { nameTokens } from '../../clinical/text.js';
import { describeLab } from './cardText.js';
import type { RuleContext } from './context.js';
import type { StatusEvidenceSpec } from './knowledgeFiles.js';

export interface PopulationStatus {
  /** `ResourceType/id` of the evidence that decided it. */
  readonly evidence: readonly string[];
  /** One markdown line per piece of evidence, for the card. */
  readonly lines: readonly string[];
}

const DAY_MS = 86_400_000;
const USABLE = new Set(['final', 'amended', 'corrected', 'preliminary', undefined]);

interface Dated {
  readonly time: number;
  readonly yes: boolean;
  readonly ref: string;
  readonly line: string;
}

function answer(lab: LabResult, yes: readonly string[], no: readonly string[]): boolean | undefined {
  const words = [lab.valueCode, lab.valueText, lab.interpretation]
    .filter((w): w is string => w !== undefined)
    .map((w) => nameTokens(w).join(' '));
  const normalizedYes = yes.map((w) => nameTokens(w).join(' '));
  const normalizedNo = no.map((w) => nameTokens(w).join(' '));
  if (words.some((w) => normalizedNo.includes(w))) return false;
  if (words.some((w) => normalizedYes.includes(w))) return true;
  return undefined;
}

function problemTime(problem: Problem): number {
  return problem.onset ? Date.parse(problem.onset) : NaN;
}

export function populationStatus(ctx: RuleContext, spec: StatusEvidenceSpec): PopulationStatus | undefined {
  const { patient } = ctx;
  const now = patient.now.getTime();
  const oldest = now - spec.maxAgeDays * DAY_MS;
  const dated: Dated[] = [];
  const undatedProblems: Problem[] = [];
  for (const problem of ctx.problemsWith(spec.condition)) {
    const t = problemTime(problem);
    if (Number.isNaN(t)) undatedProblems.push(problem);
    else if (t >= oldest)
      dated.push({
        time: t,
        yes: true,
        ref: problem.ref,
        line: md`Problem: ${problem.concept.text} (${problem.ref})`,
      });
  }
  const maleForLabs = patient.patient.sex === 'male';
  for (const lab of [...patient.labs, ...(patient.vitals ?? [])]) {
    if (!lab.loinc || !USABLE.has(lab.status) || !lab.effective) continue;
    const t = Date.parse(lab.effective);
    if (Number.isNaN(t) || t < oldest || t > now + DAY_MS) continue;
    let yes: boolean | undefined;
    if (spec.statusObservation.loinc.includes(lab.loinc)) {
      yes = answer(lab, spec.statusObservation.yes, spec.statusObservation.no);
    } else if (spec.tests?.loinc.includes(lab.loinc) && !maleForLabs) {
      yes = answer(lab, spec.tests.positive, spec.tests.negative);
    }
    if (yes !== undefined) dated.push({ time: t, yes, ref: lab.ref, line: `Lab: ${describeLab(lab)}` });
  }
  dated.sort((a, b) => b.time - a.time);
  const newest = dated[0];
  // The newest dated evidence decides; a dated "no" outweighs an undated problem entry.
  if (newest && !newest.yes) return undefined;
  const positive = [
    ...(newest ? [newest] : []),
    ...undatedProblems.map((p) => ({ ref: p.ref, line: md`Problem: ${p.concept.text} (${p.ref})` })),
  ];
  if (positive.length === 0) return undefined;
  return { evidence: positive.map((p) => p.ref), lines: positive.map((p) => p.line) };
}
