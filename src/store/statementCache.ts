/**
 * Prepared statements kept for reuse on the embedded SQLite connection. Kysely's SQLite driver prepares every query
 * it runs; preparing (parsing and planning the SQL) cost more than running the audit inserts and the order-sign
 * override lookup themselves. The same SQL text gets the same statement back, which SQLite may run again with new
 * parameters; the cache is bounded because some SQL varies in shape (multi-row inserts, `in (…)` lists).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

export interface CachingDatabase extends SqliteDatabase {
  /** Statements held now: for tests and metrics. */
  readonly cachedStatements: number;
}

export function cachingStatements(
  database: Database,
  maxStatements = DEFAULT_STATEMENT_CACHE_SIZE,
): CachingDatabase {
  const cache = new Map<string, Statement>();
  return {
    get cachedStatements() {
      return cache.size;
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      // A statement still iterating (a streamed select not read to its end) cannot run again: use a fresh one.
      if (cached && !cached.busy) {
        // Most recently used last: the first key is always the one to evict.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (!cached) {
        if (cache.size >= maxStatements) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(sql, statement);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      database.close();
    },
  };
}
