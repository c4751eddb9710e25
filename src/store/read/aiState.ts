/** Who turned model advice on or off for a service, and when: read from the store's durable settings. */
import { aiSettingKey } from '../settings.js';
import type { AuditDb } from './queries.js';

export interface AiChange {
  readonly changedAt: string;
  readonly changedBy: string;
}

export async function lastAiChanges(
  db: AuditDb,
  serviceIds: readonly string[],
): Promise<Map<string, AiChange>> {
  const changes = new Map<string, AiChange>();
  if (serviceIds.length === 0) return changes;
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'updated_at', 'updated_by'])
    .where('key', 'in', serviceIds.map(aiSettingKey))
    .execute();
  for (const id of serviceIds) {
    const row = rows.find((r) => r.key === aiSettingKey(id));
    if (row) changes.set(id, { changedAt: row.updated_at, changedBy: row.updated_by });
  }
  return changes;
}
