/**
 * Settings every instance shares through the store: the per-service AI kill switch, the generated pseudonym key,
 * and the JWT replay table.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export const PSEUDONYM_KEY_SETTING = 'pseudonym_key';
const aiSettingKey = (serviceId: string): string => `ai_enabled:${serviceId}`;

/**
 * The configured key, or the one stored by whichever instance started first. Insert-if-absent then read, so two
 * instances starting at once agree on one key.
 */
export async function resolvePseudonymKey(
  db: Kysely<Database>,
  configured: string | undefined,
): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('settings')
    .values({
      key: PSEUDONYM_KEY_SETTING,
      value: randomBytes(32).toString('base64url'),
      updated_at: new Date().toISOString(),
      updated_by: 'system',
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', PSEUDONYM_KEY_SETTING)
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function readAiEnabled(db: Kysely<Database>, serviceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', aiSettingKey(serviceId))
    .executeTakeFirst();
  return row?.value !== 'false';
}

export async function writeAiEnabled(
  db: Kysely<Database>,
  serviceId: string,
  enabled: boolean,
  actor: string,
  now = new Date(),
): Promise<void> {
  const key = aiSettingKey(serviceId);
  const value = String(enabled);
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key, value, updated_at: at, updated_by: actor })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: actor }))
      .execute();
    await trx
      .insertInto('setting_changes')
      .values({ id: randomUUID(), key, value, changed_at: at, actor })
      .execute();
  });
}

/** True when the pair was new (the token is fresh), false for a replay. */
export async function insertJti(
  db: Kysely<Database>,
  issuer: string,
  jti: string,
  expiresAt: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('jti_replay')
    .values({ issuer, jti, expires_at: expiresAt.toISOString() })
    .onConflict((oc) => oc.columns(['issuer', 'jti']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function purgeExpiredJti(db: Kysely<Database>, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom('jti_replay')
    .where('expires_at', '<', now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A short-lived per-instance cache of the AI switch: the hook path reads it on every call and must not wait on the
 * store each time. A change made on this instance is seen at once; on another instance within `ttlMs`.
 */
export class AiSwitchCache {
  private readonly entries = new Map<string, { value: boolean; readAt: number }>();

  constructor(
    private readonly read: (serviceId: string) => Promise<boolean>,
    private readonly ttlMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(serviceId: string): Promise<boolean> {
    const entry = this.entries.get(serviceId);
    if (entry && this.clock() - entry.readAt < this.ttlMs) return entry.value;
    try {
      const value = await this.read(serviceId);
      this.entries.set(serviceId, { value, readAt: this.clock() });
      return value;
    } catch (error) {
      this.onError(error);
      // Store down: keep the last known answer; never known → rules only, the side that cannot surprise anyone.
      return entry?.value ?? false;
    }
  }

  set(serviceId: string, value: boolean): void {
    this.entries.set(serviceId, { value, readAt: this.clock() });
  }
}
