/**
 * Runs the migrations at start, idempotently, safe with several instances starting at once:
 * - PostgreSQL: Kysely's migrator takes a session advisory lock and migrates in one transaction; the migration
 *   tables are looked up in our schema only (other schemas on the same server may hold their own).
 * - SQLite: Kysely does no locking there, so the whole run sits in one BEGIN IMMEDIATE transaction; another
 *   process opening the same file waits on the busy timeout, then finds the work done.
 */
import { type Kysely, Migrator, sql } from 'kysely';
import type { Connection } from './connect.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

const SCHEMA_RACE = /already exists|duplicate key/i;

async function ensurePgSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two instances creating the schema at the same moment: the loser's "if not exists" can still fail.
    if (!(error instanceof Error && SCHEMA_RACE.test(error.message))) throw error;
  }
}

async function runMigrator(db: Kysely<Database>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed');
}

export async function migrate(connection: Connection): Promise<void> {
  const { db } = connection;
  if (connection.dialect === 'postgres') {
    let schema = connection.pgSchema;
    if (schema) await ensurePgSchema(db, schema);
    else {
      const row = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
      schema = row.rows[0]?.schema ?? undefined;
      if (!schema) throw new Error('PostgreSQL has no current schema: check search_path');
    }
    await runMigrator(db, schema);
    return;
  }
  await sql`begin immediate`.execute(db);
  try {
    await runMigrator(db);
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}
