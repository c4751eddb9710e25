/** Who set a service's model advice to off, shadow or on, and when: read from the store's durable settings. */
import type { AiMode } from '../../advisors/types.js';
import { aiEnabledKey, aiModeKey } from '../settings.js';
import type { AuditDb } from './queries.js';

export interface AiChange {
  readonly changedAt: string;
  readonly changedBy: string;
}

export interface AiModeChange extends AiChange {
  readonly mode: AiMode;
}

/** A value as either key stores it (`ai_enabled` of releases before shadow mode: `true` / `false`). */
function modeOfValue(value: string): AiMode {
  if (value === 'off' || value === 'shadow' || value === 'on') return value;
  return value === 'false' ? 'off' : 'on';
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
    .where('key', 'in', [...serviceIds.map(aiModeKey), ...serviceIds.map(aiEnabledKey)])
    .execute();
  for (const id of serviceIds) {
    const row = rows.find((r) => r.key === aiModeKey(id)) ?? rows.find((r) => r.key === aiEnabledKey(id));
    if (row) changes.set(id, { changedAt: row.updated_at, changedBy: row.updated_by });
  }
  return changes;
}

/** The service's changes of mode, newest first (the durable log every write appends to). */
export async function aiModeHistory(db: AuditDb, serviceId: string, limit = 50): Promise<AiModeChange[]> {
  const rows = await db
    .selectFrom('setting_changes')
    .select(['value', 'changed_at', 'actor'])
    .where('key', 'in', [aiModeKey(serviceId), aiEnabledKey(serviceId)])
    .orderBy('changed_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ mode: modeOfValue(r.value), changedAt: r.changed_at, changedBy: r.actor }));
}
