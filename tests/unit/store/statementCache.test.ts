/** The SQLite statement cache behind Kysely: reuse, its bound, and a busy statement never shared. */
import { describe, expect, it } from '@jest/globals';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { cachingStatements } from '../../../src/store/statementCache.js';

function memoryDatabase(): SQLite.Database {
  const database = new SQLite(':memory:');
  database.exec('create table t (n integer)');
  return database;
}

describe('cachingStatements', () => {
  it('hands back the same prepared statement for the same SQL', () => {
    const cache = cachingStatements(memoryDatabase());
    const first = cache.prepare('select n from t where n = ?');
    expect(cache.prepare('select n from t where n = ?')).toBe(first);
    expect(cache.prepare('select n from t where n > ?')).not.toBe(first);
    expect(cache.cachedStatements).toBe(2);
  });

  it('holds at most its bound, evicting the least recently used', () => {
    const cache = cachingStatements(memoryDatabase(), 2);
    const a = cache.prepare('select 1');
    cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a); // now most recent
    cache.prepare('select 3'); // evicts "select 2"
    expect(cache.cachedStatements).toBe(2);
    expect(cache.prepare('select 1')).toBe(a);
  });

  it('gives a fresh statement while the cached one is still iterating', () => {
    const database = memoryDatabase();
    database.exec('insert into t values (1), (2), (3)');
    const cache = cachingStatements(database);
    const text = 'select n from t order by n';
    const iterating = cache.prepare(text).iterate([]);
    expect(iterating.next().value).toEqual({ n: 1 });
    const other = cache.prepare(text);
    expect(other.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    iterating.return?.();
  });

  it('runs Kysely queries with changing parameters through reused statements', async () => {
    const cache = cachingStatements(memoryDatabase());
    const db = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: cache }) });
    for (const n of [1, 2, 3]) await db.insertInto('t').values({ n }).execute();
    const rows = await db.selectFrom('t').select('n').where('n', '>=', 2).orderBy('n').execute();
    expect(rows).toEqual([{ n: 2 }, { n: 3 }]);
    expect(cache.cachedStatements).toBe(2);
    expect((await sql<{ c: number }>`select count(*) as c from t`.execute(db)).rows[0]?.c).toBe(3);
    await db.destroy();
  });
});
