/**
 * The audit trail's one read port: every read of the safety team's (the audit API, the dashboard, the exports) and
 * of the tests goes through it, with one filter vocabulary (`filters.ts`) and one cursor rule (`queries.ts`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type {
  AuditSummary,
  Page,
  StoredCard,
  StoredFeedback,
  StoredInvocation,
  StoredOverrideRepeat,
  TimeRange,
} from '../types.js';
import { type AiChange, type AiModeChange, aiModeHistory, lastAiChanges } from './aiState.js';
import type {
  AuditFilter,
  CardFilter,
  FeedbackFilter,
  InvocationFilter,
  OverrideRepeatFilter,
  Paging,
} from './filters.js';
import { overview } from './overview.js';
import { type AuditOverview } from './overviewShape.js';
import {
  type CardDetail,
  type CardResponses,
  type ExportKind,
  type RowsByKind,
  type FilterByKind,
  type LastModelAnswer,
  cardDetail,
  lastModelAnswer,
  listCards,
  listFeedback,
  listInvocations,
  listOverrideRepeats,
  responsesOf,
  scanRows,
} from './queries.js';
import { type ShadowReport, shadowReport } from './shadow.js';
import { summarize } from './summary.js';

export interface AuditReader {
  listInvocations(q?: InvocationFilter & Paging): Promise<Page<StoredInvocation>>;
  listCards(q?: CardFilter & Paging): Promise<Page<StoredCard>>;
  listFeedback(q?: FeedbackFilter & Paging): Promise<Page<StoredFeedback>>;
  listOverrideRepeats(q?: OverrideRepeatFilter & Paging): Promise<Page<StoredOverrideRepeat>>;
  /** One card with the call that issued it, its feedback and the override repeats around it. */
  cardDetail(uuid: string): Promise<CardDetail | undefined>;
  /** How clinicians answered each of these cards. */
  responsesOf(uuids: readonly string[]): Promise<Map<string, CardResponses>>;
  /** Every matching row, newest first, one page in memory at a time (exports). */
  scan<K extends ExportKind>(
    kind: K,
    filter: FilterByKind[K],
    pageSize?: number,
  ): AsyncGenerator<RowsByKind[K]>;
  /** The dashboard's overview: rates, volumes, latency, the model panel. */
  overview(filter: AuditFilter): Promise<AuditOverview>;
  /** Counts per service over a time range. */
  summary(range?: TimeRange): Promise<AuditSummary>;
  /** Who last set model advice for each of these services. */
  lastAiChanges(serviceIds: readonly string[]): Promise<Map<string, AiChange>>;
  /** A service's changes of AI mode, newest first. */
  aiModeHistory(serviceId: string): Promise<AiModeChange[]>;
  /** Shadow advice beside the cards its calls showed and how clinicians answered them. */
  shadowReport(filter: Parameters<typeof shadowReport>[1]): Promise<ShadowReport>;
  /** The newest AI record: which model version answered most recently. */
  lastModelAnswer(): Promise<LastModelAnswer | null>;
}

export function createAuditReader(db: Kysely<Database>): AuditReader {
  return {
    listInvocations: (q = {}) => listInvocations(db, q),
    listCards: (q = {}) => listCards(db, q),
    listFeedback: (q = {}) => listFeedback(db, q),
    listOverrideRepeats: (q = {}) => listOverrideRepeats(db, q),
    cardDetail: (uuid) => cardDetail(db, uuid),
    responsesOf: (uuids) => responsesOf(db, uuids),
    scan: (kind, filter, pageSize) => scanRows(db, kind, filter, pageSize),
    overview: (filter) => overview(db, filter),
    summary: (range = {}) => summarize(db, range),
    lastAiChanges: (serviceIds) => lastAiChanges(db, serviceIds),
    aiModeHistory: (serviceId) => aiModeHistory(db, serviceId),
    shadowReport: (filter) => shadowReport(db, filter),
    lastModelAnswer: () => lastModelAnswer(db),
  };
}
