/**
 * Query parameters of the audit API → the read side's typed filters (`src/store/read/filters.ts`). The strings are
 * validated against `schemas/audit-query.schema.json` (one definition per endpoint) so a wrong or misplaced
 * parameter is a precise 400, then converted here once; queries never see raw strings.
 */
import { AppError, type ErrorDetail } from '../../errors.js';
import type {
  AuditFilter,
  CardFilter,
  FeedbackFilter,
  InvocationFilter,
  OverrideRepeatFilter,
  Paging,
} from '../../store/read/filters.js';
import { validate } from '../../validation.js';

export type AuditQueryKind = 'invocations' | 'cards' | 'feedback' | 'overrideRepeats' | 'summary' | 'shadow';

export interface FilterByKind {
  invocations: InvocationFilter & Paging;
  cards: CardFilter & Paging;
  feedback: FeedbackFilter & Paging;
  overrideRepeats: OverrideRepeatFilter & Paging;
  summary: AuditFilter;
  shadow: Pick<AuditFilter, 'from' | 'to' | 'serviceId'> & Pick<Paging, 'limit'>;
}

type RawQuery = Readonly<Record<string, string | undefined>>;

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Plain words for the parameters whose schema message would only quote a regular expression. */
const PLAIN_MESSAGES: Readonly<Record<string, string>> = {
  '/limit': 'must be an integer from 1 to 1000',
  '/cursor': 'is not a cursor from a previous page',
  '/service': 'must be a service id (letters, digits, dot, dash, underscore; at most 100)',
  '/from': 'must be an RFC 3339 date-time or a date (YYYY-MM-DD)',
  '/to': 'must be an RFC 3339 date-time or a date (YYYY-MM-DD)',
};

function plainMessage(e: ErrorDetail): string {
  if (e.message === 'is not allowed here') return 'is not a known parameter here';
  // A repeated parameter arrives as an array (`?service=a&service=b`).
  if (e.message === 'must be string') return 'must be given once';
  if (e.message.startsWith('must match')) return PLAIN_MESSAGES[e.path] ?? e.message;
  return e.message;
}

function plain(errors: readonly ErrorDetail[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const message = plainMessage(e);
    const path = `/query${e.path}`;
    if (seen.has(path + message)) continue;
    seen.add(path + message);
    out.push({ path, message });
  }
  return out;
}

/** A date alone in `to` means "through that day": the exclusive bound is the next midnight (UTC). */
function instant(value: string | undefined, end: boolean): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value);
  return end && DATE_ONLY.test(value) ? new Date(at.getTime() + DAY_MS) : at;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Validates and converts one endpoint's query string; throws `validation_failed` with one detail per problem. */
export function parseAuditQuery<K extends AuditQueryKind>(kind: K, query: unknown): FilterByKind[K] {
  const result = validate<RawQuery>(`audit-query#/definitions/${kind}`, query ?? {});
  if (!result.valid)
    throw new AppError('validation_failed', 'Invalid query parameters', plain(result.errors));
  const q = result.value;
  const from = instant(q.from, false);
  const to = instant(q.to, true);
  if (from && to && from.getTime() >= to.getTime()) {
    throw new AppError('validation_failed', 'Invalid query parameters', [
      { path: '/query/to', message: 'must be after from' },
    ]);
  }
  return defined({
    from,
    to,
    serviceId: q.service,
    advisor: q.advisor,
    ruleId: q.rule,
    model: q.model,
    indicator: q.indicator,
    outcome: q.outcome,
    modelStatus: q.modelStatus,
    decision: q.decision,
    limit: q.limit === undefined ? undefined : Number(q.limit),
    cursor: q.cursor,
  }) as FilterByKind[K];
}
