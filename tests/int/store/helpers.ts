/**
 * Shared by the store suites: a fresh location per store (a temp DATA_DIR for SQLite, a fresh schema on the real
 * PostgreSQL for PostgreSQL, so parallel workers and other engineers never collide) and record builders.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../helpers/silentLogger.js';
import {
  type OpenStoreOptions,
  type SqlStore,
  type StoreConfig,
  openStore,
} from '../../../src/store/sqlStore.js';
import type { CardRecord, FeedbackItem, InvocationRecord } from '../../../src/store/types.js';

/** The real PostgreSQL of the contract; a missing server fails the suites (never skipped). */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface Location {
  readonly dialect: Dialect;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly pgSchema: string | undefined;
}

export function newLocation(dialect: Dialect, databaseUrl = PG_URL): Location {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-store-test-'));
  if (dialect === 'sqlite') return { dialect, dataDir, databaseUrl: undefined, pgSchema: undefined };
  const pgSchema = `store_test_${process.pid}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  return { dialect, dataDir, databaseUrl, pgSchema };
}

/** The same location reached through another URL (e.g. a proxy in front of PostgreSQL). */
export function via(location: Location, databaseUrl: string): Location {
  return { ...location, databaseUrl };
}

export async function openAt(
  location: Location,
  config: Partial<StoreConfig> = {},
  options: Partial<OpenStoreOptions> = {},
): Promise<SqlStore> {
  return openStore(
    {
      dataDir: location.dataDir,
      databaseUrl: location.databaseUrl,
      auditRetentionDays: undefined,
      pseudonymKey: undefined,
      ...config,
    },
    {
      logger: silentLogger(),
      ...(location.pgSchema ? { pgSchema: location.pgSchema } : {}),
      ...options,
    },
  );
}

export async function dropLocation(location: Location): Promise<void> {
  if (!location.pgSchema) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${location.pgSchema}" cascade`);
  } finally {
    await client.end();
  }
}

export function card(
  serviceId: string,
  hookInstance: string,
  overrides: Partial<CardRecord> = {},
): CardRecord {
  return {
    uuid: randomUUID(),
    serviceId,
    hookInstance,
    advisor: 'rules',
    ruleId: 'interaction:warfarin|ibuprofen',
    indicator: 'warning',
    summary: 'Warfarin with ibuprofen raises bleeding risk',
    evidence: ['MedicationRequest/1', 'MedicationRequest/2'],
    suggestionUuids: [randomUUID()],
    ...overrides,
  };
}

export function invocation(overrides: Partial<InvocationRecord> = {}, cardCount = 2): InvocationRecord {
  const serviceId = overrides.serviceId ?? 'order-sign-advice';
  const hookInstance = overrides.hookInstance ?? randomUUID();
  return {
    hookInstance,
    serviceId,
    hook: 'order-sign',
    startedAt: new Date(),
    durationMs: 12.375,
    outcome: 'ok',
    patientPseudonym: 'pseudo-abc',
    advisors: [
      { advisor: 'rules', status: 'ok', latencyMs: 0.42, findings: cardCount },
      { advisor: 'model', status: 'timeout', latencyMs: 1900.5, findings: 0 },
    ],
    cards: Array.from({ length: cardCount }, () => card(serviceId, hookInstance)),
    ...overrides,
  };
}

export function accepted(c: CardRecord, at = '2026-11-24T10:00:00.52Z'): FeedbackItem {
  return {
    card: c.uuid,
    outcome: 'accepted',
    acceptedSuggestions: [{ id: c.suggestionUuids[0]! }],
    outcomeTimestamp: at,
  };
}

export function overridden(
  cardUuid: string,
  comment = 'patient already on PPI',
  at = '2026-11-24T10:01:00Z',
): FeedbackItem {
  return {
    card: cardUuid,
    outcome: 'overridden',
    overrideReason: {
      reason: { system: 'http://example.org/override', code: 'benefit-outweighs-risk' },
      userComment: comment,
    },
    outcomeTimestamp: at,
  };
}
