/**
 * The evaluation's own ground truth: `eval/scenarios/NAME.request.json` (a CDS Hooks request) and
 * `NAME.expected.json` (what a clinician reviewing that chart expects to be said, and not said, each resting on a
 * named clinical source). Written from the clinical literature, not from the rules' output, so advice beyond the
 * rules can be found correct, and the rules can be found wrong.
 *
 * A finding matches an expectation when its kind agrees (or cannot be told: a model finding keyed by hash) and
 * every `about` term names it (in its key or its summary; a term may list alternatives). Severity is not part of
 * the match: whether the severity agreed is reported beside it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding, Severity } from '../../src/findings/types.js';
import type { HookRequest } from '../../src/cds/types.js';
import { ADVICE_KINDS, type AdviceKind } from '../../src/advisors/model/output.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { validate } from '../../src/validation.js';

export const GROUND_TRUTH_DIR = path.join(PROJECT_ROOT, 'eval/scenarios');

/** What a clinician calls the concern: the advice kinds the model answers with (insight kinds included), less `other`. */
export type ClinicalKind = Exclude<AdviceKind, 'other'>;
export const CLINICAL_KINDS: readonly ClinicalKind[] = ADVICE_KINDS.filter(
  (kind): kind is ClinicalKind => kind !== 'other',
);

/** A term naming the concern, or alternatives any one of which will do (`["egfr", "kidney function"]`). */
export type AboutTerm = string | readonly string[];

export interface Expectation {
  /** The kind, or the kinds a clinician would accept it as (two SSRIs: a duplication or an interaction). */
  readonly kind: ClinicalKind | readonly ClinicalKind[];
  readonly severity: Severity;
  readonly about: readonly AboutTerm[];
  /** The guideline, label or textbook the expectation rests on. */
  readonly source: string;
}

/** Something a clinician would find wrong to be told here (an alert that is not warranted). */
export interface Silence {
  /** Unset: nothing at all about these terms; with empty `about` too, no advice at all. */
  readonly kind?: ClinicalKind | readonly ClinicalKind[];
  readonly about: readonly AboutTerm[];
  /** Only at these severities (an info note may be fine where a warning is over-alerting); unset: any. */
  readonly severities?: readonly Severity[];
  readonly why: string;
  readonly source: string;
}

/** What the committee decides on one expectation (a row of the review sheet). */
export const SIGN_OFF_VERDICTS = ['agree', 'disagree', 'amend'] as const;
export type SignOffVerdict = (typeof SIGN_OFF_VERDICTS)[number];

export interface ExpectationVerdict {
  /** `expected[0]`, `acceptable[1]`, `silences[0]`: the expectation's place in this file. */
  readonly expectation: string;
  readonly verdict: SignOffVerdict;
  readonly reviewer: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly comment?: string;
}

/** The committee's sign-off of one scenario, as imported from its filled review sheet. */
export interface SignOffRecord {
  /** `open` while any verdict is `disagree` or `amend`: those are listed, never applied to the expectations. */
  readonly status: 'signed-off' | 'open';
  readonly reviewers: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Of the chart and the expectations as reviewed: a later change to either leaves the sign-off stale. */
  readonly fingerprint: string;
  readonly sheet: string;
  readonly verdicts: readonly ExpectationVerdict[];
  readonly open: readonly ExpectationVerdict[];
}

export interface Expectations {
  readonly description: string;
  /** The clock the chart was written for. */
  readonly now: string;
  /** A sentence while awaiting clinical review (the original form, still valid); the sign-off record after it. */
  readonly reviewedBy: string | SignOffRecord;
  /** Must be said: counted for sensitivity. */
  readonly expected: readonly Expectation[];
  /** May be said and is then correct, but its absence is no miss (a reasonable extra). */
  readonly acceptable?: readonly Expectation[];
  /** Must not be said. */
  readonly silences: readonly Silence[];
}

export interface GroundTruthCase {
  readonly name: string;
  readonly request: HookRequest;
  readonly expectations: Expectations;
}

export function listGroundTruth(dir = GROUND_TRUTH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.replace(/\.expected\.json$/, ''))
    .sort();
}

/** Checks an expectation file against `schemas/eval/expectations.schema.json`, naming the file and the paths. */
export function checkExpectations(value: unknown, file: string): Expectations {
  const result = validate<Expectations>('eval/expectations', value);
  if (result.valid) return result.value;
  throw new Error(`${file}: ${result.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
}

export function loadGroundTruth(name: string, dir = GROUND_TRUTH_DIR): GroundTruthCase {
  const read = (suffix: string): unknown =>
    JSON.parse(readFileSync(path.join(dir, `${name}${suffix}`), 'utf8'));
  return {
    name,
    request: read('.request.json') as HookRequest,
    expectations: checkExpectations(read('.expected.json'), `${name}.expected.json`),
  };
}

/** The sign-off record in a scenario's expectation file, when it has one (the file may not exist yet). */
export function signOffRecordIn(name: string, dir = GROUND_TRUTH_DIR): SignOffRecord | undefined {
  const file = path.join(dir, `${name}.expected.json`);
  if (!existsSync(file)) return undefined;
  const reviewedBy = checkExpectations(
    JSON.parse(readFileSync(file, 'utf8')),
    path.basename(file),
  ).reviewedBy;
  return typeof reviewedBy === 'string' ? undefined : reviewedBy;
}

export function loadGroundTruthCases(only?: string, dir = GROUND_TRUTH_DIR): GroundTruthCase[] {
  return listGroundTruth(dir)
    .filter((n) => !only || n.includes(only))
    .map((n) => loadGroundTruth(n, dir));
}

/** The first kind an expectation names: the one its sensitivity is reported under. */
export const primaryKind = (e: Pick<Expectation, 'kind'>): ClinicalKind =>
  typeof e.kind === 'string' ? e.kind : (e.kind[0] ?? 'interaction');

/** A finding's key prefix → the clinical kind it is; `undefined` when the key does not say (a model hash key). */
const KIND_OF_PREFIX: Readonly<Record<string, ClinicalKind>> = {
  interaction: 'interaction',
  duplicate: 'duplication',
  allergy: 'allergy',
  renal: 'dose',
  dose: 'dose',
  geriatric: 'dose',
  pediatric: 'dose',
  condition: 'contraindication',
  pregnancy: 'contraindication',
  lactation: 'contraindication',
  lab: 'monitoring',
  monitoring: 'monitoring',
  'monitoring-overdue': 'monitoring',
  trend: 'trend',
  aki: 'trend',
  insight: 'trend',
  'care-gap': 'care-gap',
  treatment: 'treatment',
  differential: 'differential',
};

export function kindOfFinding(finding: Pick<Finding, 'key'>): ClinicalKind | undefined {
  return KIND_OF_PREFIX[finding.key.split(':')[0] ?? ''];
}

/** The kind for reports: the clinical kind, or `unkeyed` for a model finding whose key does not say. */
export const kindLabel = (finding: Pick<Finding, 'key'>): string => kindOfFinding(finding) ?? 'unkeyed';

const normal = (text: string): string => text.toLowerCase().replace(/[-_|]/g, ' ');

function names(finding: Pick<Finding, 'key' | 'summary'>, term: AboutTerm): boolean {
  const text = normal(`${finding.key} ${finding.summary}`);
  const alternatives = typeof term === 'string' ? [term] : term;
  return alternatives.some((t) => text.includes(normal(t)));
}

export function matchesConcern(
  finding: Pick<Finding, 'key' | 'summary'>,
  concern: { readonly kind?: ClinicalKind | readonly ClinicalKind[]; readonly about: readonly AboutTerm[] },
): boolean {
  const kind = kindOfFinding(finding);
  const kinds: readonly ClinicalKind[] | undefined =
    concern.kind === undefined ? undefined : typeof concern.kind === 'string' ? [concern.kind] : concern.kind;
  const kindAgrees = kinds === undefined || kind === undefined || kinds.includes(kind);
  return kindAgrees && concern.about.every((term) => names(finding, term));
}

/** How the reference judges one finding. */
export type AutoVerdict =
  | { readonly verdict: 'correct'; readonly matched: 'expected' | 'acceptable'; readonly index: number }
  | { readonly verdict: 'incorrect'; readonly reason: 'silence-broken'; readonly index: number }
  | { readonly verdict: 'incorrect'; readonly reason: 'not-expected' };

export function judge(finding: Pick<Finding, 'key' | 'summary' | 'severity'>, e: Expectations): AutoVerdict {
  const silence = e.silences.findIndex(
    (s) =>
      (s.severities === undefined || s.severities.includes(finding.severity)) && matchesConcern(finding, s),
  );
  if (silence >= 0) return { verdict: 'incorrect', reason: 'silence-broken', index: silence };
  const expected = e.expected.findIndex((x) => matchesConcern(finding, x));
  if (expected >= 0) return { verdict: 'correct', matched: 'expected', index: expected };
  const acceptable = (e.acceptable ?? []).findIndex((x) => matchesConcern(finding, x));
  if (acceptable >= 0) return { verdict: 'correct', matched: 'acceptable', index: acceptable };
  return { verdict: 'incorrect', reason: 'not-expected' };
}
