/**
 * Settings every instance shares through the store: the per-service AI mode (off / shadow / on), the generated
 * pseudonym key, and the JWT replay table.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AI_MODES, type AiMode } from '../advisors/types.js';
import type { Database } from './schema.js';

export const PSEUDONYM_KEY_SETTING = 'pseudonym_key';
/** The mode, `off` | `shadow` | `on`: what this release reads first. */
export const aiModeKey = (serviceId: string): string => `ai_mode:${serviceId}`;
/**
 * The switch of releases before shadow mode (`true` | `false`), still written so that an older instance in a
 * mixed-version rollout reads shadow as off (shows nothing) rather than as on.
 */
export const aiEnabledKey = (serviceId: string): string => `ai_enabled:${serviceId}`;

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

/** The mode on record: `ai_mode`, else the older `ai_enabled` (`false` is off), else on (the default). */
export async function readAiMode(db: Kysely<Database>, serviceId: string): Promise<AiMode> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', [aiModeKey(serviceId), aiEnabledKey(serviceId)])
    .execute();
  const mode = rows.find((r) => r.key === aiModeKey(serviceId))?.value;
  if (mode !== undefined) return (AI_MODES as readonly string[]).includes(mode) ? (mode as AiMode) : 'off';
  return rows.find((r) => r.key === aiEnabledKey(serviceId))?.value === 'false' ? 'off' : 'on';
}

/** Both keys and the change log in one transaction: every instance reads one consistent value. */
export async function writeAiMode(
  db: Kysely<Database>,
  serviceId: string,
  mode: AiMode,
  actor: string,
  now = new Date(),
): Promise<void> {
  const at = now.toISOString();
  const values: [string, string][] = [
    [aiModeKey(serviceId), mode],
    [aiEnabledKey(serviceId), String(mode === 'on')],
  ];
  await db.transaction().execute(async (trx) => {
    for (const [key, value] of values) {
      await trx
        .insertInto('settings')
        .values({ key, value, updated_at: at, updated_by: actor })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: actor }))
        .execute();
    }
    await trx
      .insertInto('setting_changes')
      .values({ id: randomUUID(), key: aiModeKey(serviceId), value: mode, changed_at: at, actor })
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
 * A short-lived per-instance cache of the AI mode: the hook path reads it on every call and must not wait on the
 * store each time. A change made on this instance is seen at once; on another instance within `ttlMs`. A read
 * never holds a hook longer than `waitMs`: a slow or failed read answers with the last known value (never known:
 * `off`, rules only, the side that cannot surprise anyone), and a failure is not retried before `ttlMs` passes.
 */
export class AiSwitchCache {
  private readonly entries = new Map<string, { value: AiMode; checkedAt: number }>();
  private readonly inflight = new Map<string, Promise<AiMode | undefined>>();
  private lastErrorReport = -Infinity;

  constructor(
    private readonly read: (serviceId: string) => Promise<AiMode>,
    private readonly onError: (error: unknown) => void,
    private readonly options: {
      readonly ttlMs: number;
      readonly waitMs: number;
      readonly errorReportMs: number;
    },
    private readonly clock: () => number = Date.now,
  ) {}

  async get(serviceId: string): Promise<AiMode> {
    const entry = this.entries.get(serviceId);
    if (entry && this.clock() - entry.checkedAt < this.options.ttlMs) return entry.value;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.waitMs);
      timer.unref();
    });
    try {
      const fresh = await Promise.race([this.refresh(serviceId), timeout]);
      return fresh ?? this.entries.get(serviceId)?.value ?? 'off';
    } finally {
      clearTimeout(timer);
    }
  }

  set(serviceId: string, value: AiMode): void {
    this.entries.set(serviceId, { value, checkedAt: this.clock() });
  }

  /** One read per service at a time; resolves undefined when the read failed. */
  private refresh(serviceId: string): Promise<AiMode | undefined> {
    let pending = this.inflight.get(serviceId);
    if (!pending) {
      pending = this.read(serviceId)
        .then(
          (value) => {
            this.set(serviceId, value);
            return value;
          },
          (error: unknown) => {
            this.set(serviceId, this.entries.get(serviceId)?.value ?? 'off');
            const now = this.clock();
            if (now - this.lastErrorReport >= this.options.errorReportMs) {
              this.lastErrorReport = now;
              this.onError(error);
            }
            return undefined;
          },
        )
        .finally(() => this.inflight.delete(serviceId));
      this.inflight.set(serviceId, pending);
    }
    return pending;
  }
}
