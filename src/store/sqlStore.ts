/**
 * The store on a SQL database (SQLite or PostgreSQL, one typed query layer). `openStore` connects, migrates,
 * resolves the pseudonym key and starts the audit queue and the retention timer; `close` undoes it all in order.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import type { AiMode } from '../advisors/types.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { AuditQueue, type AuditQueueOptions, errorMessage } from './auditQueue.js';
import { verifyChains } from './chain.js';
import { connect, type Connection, type ConnectOptions, type StoreDialect } from './connect.js';
import { writeFeedback } from './feedback.js';
import { JtiBatcher } from './jtiBatcher.js';
import { StoreWriter } from './writer/client.js';
import { createStoreMetrics, type StoreMetrics } from './metrics.js';
import { migrate } from './migrate.js';
import { selectionOverrides } from './queries.js';
import { type AuditReader, createAuditReader } from './read/port.js';
import { purgeOlderThan } from './retention.js';
import type { Database } from './schema.js';
import {
  AiSwitchCache,
  insertJti,
  purgeExpiredJti,
  readAiMode,
  resolvePseudonymKey,
  writeAiMode,
} from './settings.js';
import type {
  ChainReport,
  FeedbackItem,
  FeedbackWriteResult,
  OverrideScope,
  SelectionOverride,
  Store,
} from './types.js';

export type StoreConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'auditRetentionDays' | 'pseudonymKey'>;

export interface OpenStoreOptions {
  readonly logger: Logger;
  /** Where the store's metrics go (the app's /metrics registry); a private one when absent. */
  readonly metricsRegistry?: Registry;
  /** PostgreSQL schema (created if missing) instead of the connection's default. */
  readonly pgSchema?: string;
  readonly pgTimeoutMs?: number;
  readonly audit?: Partial<AuditQueueOptions>;
  /** How often retention and the jti purge run (default hourly; the first run is shortly after start). */
  readonly maintenanceIntervalMs?: number;
  /** How long to wait at start for a PostgreSQL that is not reachable yet (default 30 s). */
  readonly startTimeoutMs?: number;
  /** How long an AI mode is trusted before it is read again (default 1 s). */
  readonly aiCacheTtlMs?: number;
  /** The longest a hook waits on reading the AI switch before using the last known value (default 250 ms). */
  readonly aiReadWaitMs?: number;
  /** Opens the SQLite file instead of better-sqlite3's constructor (tests simulate a failed native build). */
  readonly openSqlite?: ConnectOptions['openSqlite'];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class SqlStore implements Store {
  readonly audit: AuditQueue;
  readonly metrics: StoreMetrics;
  private readonly writer: StoreWriter;
  private readonly ai: AiSwitchCache;
  /** SQLite only: PostgreSQL commits concurrent writes in parallel on its pool. */
  private readonly jtiBatcher: JtiBatcher | undefined;
  private reader: AuditReader | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintenanceRun: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly connection: Connection,
    readonly pseudonymKey: string,
    private readonly config: StoreConfig,
    private readonly options: OpenStoreOptions,
  ) {
    const { logger } = options;
    this.metrics = createStoreMetrics(options.metricsRegistry ?? new Registry(), () => this.audit.depth);
    // Audit rows (and on SQLite the JWT ids) are written on a thread of their own: building the rows, hashing the
    // chain and SQLite's synchronous inserts cost the hooks nothing on the main event loop.
    this.writer = new StoreWriter(
      {
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        pgSchema: connection.pgSchema,
        pgTimeoutMs: options.pgTimeoutMs,
        logLevel: logger.level,
        logSilent: logger.silent ?? false,
      },
      logger,
    );
    this.audit = new AuditQueue(
      (batch) => this.writer.writeInvocations(batch),
      // A failed batch is kept for a retry, not dropped as a bad record, unless both connections answer.
      async () => (await this.ping()) && (await this.writer.ping()),
      this.metrics,
      logger,
      options.audit,
    );
    this.jtiBatcher =
      connection.dialect === 'sqlite'
        ? new JtiBatcher((entries) => this.writer.rememberJti(entries))
        : undefined;
    this.ai = new AiSwitchCache(
      (serviceId) => readAiMode(this.db, serviceId),
      (error) =>
        logger.warn('AI switch unreadable: using the last known value', { error: errorMessage(error) }),
      { ttlMs: options.aiCacheTtlMs ?? 1000, waitMs: options.aiReadWaitMs ?? 250, errorReportMs: 10_000 },
    );
  }

  /** The audit trail's read side: the audit API, the dashboard, the exports and the tests read through it. */
  get read(): AuditReader {
    return (this.reader ??= createAuditReader(this.db));
  }

  /** The typed query layer, for tools (audit:verify) and tests. */
  get db(): Kysely<Database> {
    return this.connection.db;
  }

  get dialect(): StoreDialect {
    return this.connection.dialect;
  }

  get location(): string {
    return this.connection.location;
  }

  async recordFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
    clientPseudonym?: string,
  ): Promise<FeedbackWriteResult> {
    const result = await this.unavailableOnError('feedback', () =>
      writeFeedback(this.db, serviceId, items, {
        pendingCard: (uuid) => this.audit.pendingCard(uuid),
        ...(clientPseudonym !== undefined ? { clientPseudonym } : {}),
      }),
    );
    this.metrics.feedbackItems.inc({ result: 'stored' }, result.stored);
    this.metrics.feedbackItems.inc({ result: 'duplicate' }, result.duplicates);
    this.metrics.feedbackItems.inc({ result: 'flagged' }, result.flagged);
    return result;
  }

  selectionOverrides(scope: OverrideScope, since: Date): Promise<readonly SelectionOverride[]> {
    return this.unavailableOnError('query', () => selectionOverrides(this.db, scope, since));
  }

  getAiMode(serviceId: string): Promise<AiMode> {
    return this.ai.get(serviceId);
  }

  async setAiMode(serviceId: string, mode: AiMode, actor: string): Promise<void> {
    await this.unavailableOnError('settings', () => writeAiMode(this.db, serviceId, mode, actor));
    this.ai.set(serviceId, mode);
    this.options.logger.info('AI advice switched', { serviceId, mode, actor });
  }

  rememberJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    return this.unavailableOnError('jti', () =>
      this.jtiBatcher
        ? this.jtiBatcher.remember(issuer, jti, expiresAt)
        : insertJti(this.db, issuer, jti, expiresAt),
    );
  }

  verifyChain(): Promise<ChainReport> {
    return verifyChains(this.db);
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await sql`select 1`.execute(this.db);
      this.metrics.storeUp.set(1);
      return true;
    } catch {
      this.metrics.storeUp.set(0);
      return false;
    }
  }

  /** Retention and jti clean-up; also run by the timer. */
  async maintain(now = new Date()): Promise<void> {
    const days = this.config.auditRetentionDays;
    if (days !== undefined) {
      const purged = await purgeOlderThan(this.db, new Date(now.getTime() - days * DAY_MS));
      this.metrics.purgedRows.inc({ chain: 'invocations' }, purged.invocations);
      this.metrics.purgedRows.inc({ chain: 'feedback' }, purged.feedback);
      if (purged.invocations + purged.feedback > 0)
        this.options.logger.info('audit retention purge', { ...purged, days });
    }
    await purgeExpiredJti(this.db, now);
  }

  startMaintenance(): void {
    const every = this.options.maintenanceIntervalMs ?? 60 * 60 * 1000;
    const tick = (): void => {
      this.maintenanceRun ??= this.maintain()
        .catch((error: unknown) => {
          this.options.logger.warn('store maintenance failed', { error: errorMessage(error) });
        })
        .finally(() => {
          this.maintenanceRun = undefined;
        });
      if (!this.closed) {
        this.maintenanceTimer = setTimeout(tick, every);
        this.maintenanceTimer.unref();
      }
    };
    // A first run soon after start, so a service restarted daily still purges.
    this.maintenanceTimer = setTimeout(tick, Math.min(every, 10_000));
    this.maintenanceTimer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.maintenanceTimer) clearTimeout(this.maintenanceTimer);
    await this.maintenanceRun;
    await this.audit.close();
    this.closed = true;
    await this.writer.close();
    await this.db.destroy();
  }

  /** Any failure to reach or use the store becomes a 503 so the caller (the EHR) retries; the cause is logged. */
  private async unavailableOnError<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.options.logger.error('store operation failed', { operation: what, error: errorMessage(error) });
      throw new AppError('service_unavailable', 'The store is unavailable; retry later', [], {
        cause: error,
      });
    }
  }
}

/** Errors that mean "PostgreSQL is not there yet", worth waiting out at start (compose, rolling restarts). */
const NOT_YET = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|timeout|terminated|starting up|57P03/i;

function isNotYetReachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return NOT_YET.test(`${typeof code === 'string' ? code : ''} ${errorMessage(error)}`);
}

async function openOnce(config: StoreConfig, options: OpenStoreOptions): Promise<SqlStore> {
  const connection = connect({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    logger: options.logger,
    ...(options.pgSchema !== undefined ? { pgSchema: options.pgSchema } : {}),
    ...(options.pgTimeoutMs !== undefined ? { pgTimeoutMs: options.pgTimeoutMs } : {}),
    ...(options.openSqlite ? { openSqlite: options.openSqlite } : {}),
  });
  try {
    await migrate(connection);
    const key = await resolvePseudonymKey(connection.db, config.pseudonymKey);
    const store = new SqlStore(connection, key, config, options);
    store.startMaintenance();
    options.logger.info('store open', { store: connection.dialect, location: connection.location });
    return store;
  } catch (error) {
    await connection.db.destroy();
    throw error;
  }
}

/**
 * Connects (SQLite under DATA_DIR, or PostgreSQL at DATABASE_URL), migrates, and starts the audit queue. A
 * PostgreSQL that is not reachable yet is waited for (with backoff) up to `startTimeoutMs`; any other failure, or
 * one past the deadline, is thrown so the process fails fast with the cause.
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions): Promise<SqlStore> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openOnce(config, options);
    } catch (error) {
      if (!config.databaseUrl || !isNotYetReachable(error) || Date.now() >= deadline) throw error;
      options.logger.warn('store not reachable at start: retrying', { attempt, error: errorMessage(error) });
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** (attempt - 1), 2000)));
    }
  }
}
