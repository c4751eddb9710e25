/**
 * Opens the database behind the store: embedded SQLite under DATA_DIR (WAL, busy timeout) by default, a
 * PostgreSQL pool when DATABASE_URL is set. Connection errors are logged, never thrown at the process: a
 * database that goes away must not crash the service.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Database } from './schema.js';
import { cachingStatements } from './statementCache.js';

export type StoreDialect = 'sqlite' | 'postgres';

export const SQLITE_FILE = 'cds-advisor.sqlite';

export interface ConnectOptions {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema to use instead of the connection's default (tests use one per suite). */
  readonly pgSchema?: string;
  readonly logger: Logger;
  /** How long a SQLite writer waits for another process's write lock. */
  readonly sqliteBusyTimeoutMs?: number;
  /** How long a PostgreSQL query or connection attempt may take before it fails (and feedback answers 503). */
  readonly pgTimeoutMs?: number;
  readonly pgPoolSize?: number;
  /** Opens the SQLite file; the default is better-sqlite3's constructor (tests put a failing load in its place). */
  readonly openSqlite?: (file: string) => SQLite.Database;
}

/**
 * better-sqlite3 is a native module, compiled at `npm install`: a failed or stale build (another Node.js version)
 * only shows when the first database opens, as a message about bindings files. Says what to do instead.
 */
export class NativeModuleError extends Error {
  override readonly name = 'NativeModuleError';
}

/** What the native addon's loader throws (bindings, dlopen, ABI mismatch); a SqliteError is something else. */
const NATIVE_LOAD_FAILURE =
  /bindings file|better_sqlite3\.node|NODE_MODULE_VERSION|invalid ELF header|dlopen|Module did not self-register/i;

function openSqliteFile(file: string, open: (file: string) => SQLite.Database): SQLite.Database {
  try {
    return open(file);
  } catch (error) {
    if (!(error instanceof Error) || error.name === 'SqliteError' || !NATIVE_LOAD_FAILURE.test(error.message))
      throw error;
    const firstLine = error.message.split('\n', 1)[0]!.slice(0, 200);
    throw new NativeModuleError(
      `the embedded database module better-sqlite3 could not be loaded on Node.js ${process.versions.node} ` +
        `(${firstLine}). Its native build is missing or was made for another Node.js version: run ` +
        '`npm_config_nodedir=/usr npm rebuild better-sqlite3` (README "Quick start"), ' +
        'or set DATABASE_URL to use PostgreSQL instead',
      { cause: error },
    );
  }
}

export interface Connection {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Where the data lives, without credentials: for logs. */
  readonly location: string;
  /** The PostgreSQL schema the tables live in (undefined: the connection's default). */
  readonly pgSchema: string | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function connect(options: ConnectOptions): Connection {
  return options.databaseUrl ? connectPostgres(options, options.databaseUrl) : connectSqlite(options);
}

function connectSqlite(options: ConnectOptions): Connection {
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, SQLITE_FILE);
  const database = openSqliteFile(file, options.openSqlite ?? ((f) => new SQLite(f)));
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${options.sqliteBusyTimeoutMs ?? 5000}`);
  // FULL: a committed transaction survives power loss, which "200 only once durable" promises the EHR.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(database) }) });
  return { db, dialect: 'sqlite', location: file, pgSchema: undefined };
}

const INT8_OID: number = pg.types.builtins.INT8;
const defaultParser = pg.types.getTypeParser.bind(pg.types) as (
  oid: number,
  format?: string,
) => (value: string) => unknown;

/** int8 (counts, sequence numbers) as numbers: they stay far below 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? Number : defaultParser(oid, format)) as unknown as typeof pg.types.getTypeParser,
};

function connectPostgres(options: ConnectOptions, databaseUrl: string): Connection {
  const schema = options.pgSchema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new Error(`invalid PostgreSQL schema name ${schema}`);
  const timeout = options.pgTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.pgPoolSize ?? 10,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout * 2,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: pgTypes,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Without a listener, a client whose server went away emits an unhandled 'error' and kills the process. The pool
  // listens on idle clients only; a checked-out client between a failed query and its release has nobody, so every
  // client gets its own listener too.
  const lost = (error: Error): void => {
    options.logger.warn('store connection lost', { store: 'postgres', error: error.message });
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(databaseUrl);
  const location = `postgres://${url.host}${url.pathname}${schema ? `#${schema}` : ''}`;
  return { db, dialect: 'postgres', location, pgSchema: schema };
}
