/**
 * Where the reference stands with the clinical safety committee, for the reports' headline: how many scenarios are
 * signed off (every expectation agreed, on the chart and expectations as they are now), over which dates, and how
 * many amendments wait. A figure resting on expectations nobody signed off must say so where it is read.
 */
import { createHash } from 'node:crypto';
import type { GroundTruthCase, SignOffRecord } from './groundTruth.js';

/**
 * `unsigned`: awaiting review; `open`: reviewed, with a disagree or amend verdict waiting; `stale`: reviewed, but
 * the chart or the expectations changed since (the verdicts were on something else).
 */
export type ScenarioSignOff = 'unsigned' | 'signed-off' | 'open' | 'stale';

export interface SignOffStatus {
  readonly scenarios: number;
  readonly signedOff: number;
  readonly open: number;
  readonly stale: number;
  readonly unsigned: number;
  /** Disagree and amend verdicts on scenarios whose sign-off still holds. */
  readonly openAmendments: number;
  /** The earliest and latest sign-off date over the signed-off scenarios; null when there is none. */
  readonly from: string | null;
  readonly to: string | null;
  readonly byCase: Readonly<Record<string, ScenarioSignOff>>;
  readonly headline: string;
}

/** JSON with keys sorted, so a fingerprint does not move when a file is re-formatted or its keys re-ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const sha256 = (value: unknown): string => createHash('sha256').update(canonical(value)).digest('hex');

/** Of what the committee judged for a scenario: the chart as sent, its clock and every expectation. */
export function scenarioFingerprint(c: GroundTruthCase): string {
  const e = c.expectations;
  return `sha256:${sha256({
    request: c.request,
    now: e.now,
    expected: e.expected,
    acceptable: e.acceptable ?? [],
    silences: e.silences,
  })}`;
}

export const signOffRecordOf = (c: GroundTruthCase): SignOffRecord | null =>
  typeof c.expectations.reviewedBy === 'string' ? null : c.expectations.reviewedBy;

export function signOffOf(c: GroundTruthCase): ScenarioSignOff {
  const record = signOffRecordOf(c);
  if (!record) return 'unsigned';
  if (record.fingerprint !== scenarioFingerprint(c)) return 'stale';
  return record.status;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function signOffHeadline(s: Omit<SignOffStatus, 'headline' | 'byCase'>): string {
  const range = s.from === null ? '' : s.from === s.to ? ` (${s.from})` : ` (${s.from} to ${s.to})`;
  const first = `${s.signedOff} of ${plural(s.scenarios, 'scenario')} signed off by clinicians${range}; ${plural(s.openAmendments, 'open amendment')}.`;
  if (s.signedOff >= s.scenarios) return first;
  const why = [
    s.unsigned > 0 && `${s.unsigned} awaiting the committee's review`,
    s.open > 0 && `${s.open} with amendments open`,
    s.stale > 0 && `${s.stale} changed since they were signed off`,
  ].filter(Boolean);
  return `${first} The figures rest on an unsigned reference: ${s.scenarios - s.signedOff} of ${s.scenarios} scenarios' expectations are not signed off (${why.join(', ')}).`;
}

export function signOffStatus(cases: readonly GroundTruthCase[]): SignOffStatus {
  const byCase = Object.fromEntries(cases.map((c) => [c.name, signOffOf(c)] as const));
  const count = (state: ScenarioSignOff): number => Object.values(byCase).filter((s) => s === state).length;
  const signed = cases.filter((c) => byCase[c.name] === 'signed-off').map(signOffRecordOf);
  const dates = signed.flatMap((r) => (r ? [r.from, r.to] : [])).sort();
  const openAmendments = cases
    .filter((c) => byCase[c.name] === 'open')
    .reduce((n, c) => n + (signOffRecordOf(c)?.open.length ?? 0), 0);
  const status = {
    scenarios: cases.length,
    signedOff: count('signed-off'),
    open: count('open'),
    stale: count('stale'),
    unsigned: count('unsigned'),
    openAmendments,
    from: dates[0] ?? null,
    to: dates.at(-1) ?? null,
  };
  return { ...status, byCase, headline: signOffHeadline(status) };
}

/** The report's `reviewedBy` line: the sentences of the unsigned files, and who signed the others. */
export function reviewedByText(cases: readonly GroundTruthCase[]): string {
  const sentences = new Set<string>();
  const reviewers = new Set<string>();
  for (const c of cases) {
    const r = c.expectations.reviewedBy;
    if (typeof r === 'string') sentences.add(r);
    else for (const name of r.reviewers) reviewers.add(name);
  }
  return [...sentences, ...(reviewers.size ? [`signed off by ${[...reviewers].join(', ')}`] : [])].join('; ');
}
