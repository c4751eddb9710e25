/**
 * The admin API for the safety team: `GET /admin/services` (each service's model advice mode, who changed it and
 * when), `GET /admin/services/{id}/ai` (the same, with the history of changes) and `PUT /admin/services/{id}/ai`
 * `{ "mode": "off" | "shadow" | "on" }` (`{ "enabled": false | true }` still means off / on). The change is
 * written to the store (durable, shared by every instance, recorded with its actor) before it is acknowledged.
 * The model advisor asks the store (`getAiMode`), whose cache this instance updates at once on the write; other
 * instances see the change when their one-second cache expires.
 */
import { type Request, Router } from 'express';
import type { AiMode } from '../../advisors/types.js';
import { actorOf } from '../audit/actor.js';
import type { AiChange, AiModeChange } from '../../store/read/aiState.js';
import type { AuditReader } from '../../store/read/port.js';
import type { Registry } from '../../cds/registry.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SettingsStore } from '../../store/types.js';
import { validate } from '../../validation.js';
import { methodNotAllowed } from '../methodNotAllowed.js';
import { requireJsonBody } from '../requireJsonBody.js';

export interface AdminRouterDeps {
  readonly registry: Registry;
  readonly store: Pick<SettingsStore, 'getAiMode' | 'setAiMode'>;
  /** For who/when of the last change; without it the state is shown without them. */
  readonly reader: AuditReader | undefined;
  /** The dashboard session cookie's name, to fingerprint the session as the actor. */
  readonly sessionCookie: string;
  readonly logger: Logger;
  /** Whether a model endpoint is configured: without one the switch decides nothing, and the dashboard says so. */
  readonly modelConfigured: boolean;
}

export interface ServiceAiState {
  readonly id: string;
  readonly hook: string;
  readonly title: string | null;
  readonly ai: {
    /** false: no model endpoint is configured, so no model advice whatever `mode` says. */
    readonly modelConfigured: boolean;
    readonly mode: AiMode;
    /** Whether clinicians see model advice (`mode` is `on`): the field of releases before shadow mode. */
    readonly enabled: boolean;
    readonly changedAt: string | null;
    readonly changedBy: string | null;
  };
}

export function adminRouter(deps: AdminRouterDeps): Router {
  const router = Router();

  /** Who and when are a courtesy: the state itself must show even when they cannot be read. */
  async function changesOf(ids: readonly string[]): Promise<Map<string, AiChange>> {
    if (!deps.reader) return new Map();
    try {
      return await deps.reader.lastAiChanges(ids);
    } catch (error) {
      deps.logger.warn('AI switch history unreadable', {
        error: error instanceof Error ? error.message : String(error),
      });
      return new Map();
    }
  }

  async function states(ids: readonly string[]): Promise<ServiceAiState[]> {
    const [modes, changes] = await Promise.all([
      Promise.all(ids.map((id) => deps.store.getAiMode(id))),
      changesOf(ids),
    ]);
    return ids.map((id, i) => {
      const definition = deps.registry.get(id)!.definition;
      const change = changes.get(id);
      return {
        id,
        hook: definition.hook,
        title: definition.title ?? null,
        ai: {
          modelConfigured: deps.modelConfigured,
          mode: modes[i]!,
          enabled: modes[i] === 'on',
          changedAt: change?.changedAt ?? null,
          changedBy: change?.changedBy ?? null,
        },
      };
    });
  }

  const serviceOf = (req: Request): string => {
    const id = String(req.params.id);
    if (!deps.registry.get(id)) throw new AppError('not_found', `No CDS service with id ${id.slice(0, 100)}`);
    return id;
  };

  router.get('/admin/services', async (_req, res) => {
    res.json({ services: await states(deps.registry.services.map((s) => s.definition.id)) });
  });
  /** The durable log of changes; like who/when, a courtesy that must not hide the state itself. */
  async function historyOf(id: string): Promise<AiModeChange[]> {
    if (!deps.reader) return [];
    try {
      return await deps.reader.aiModeHistory(id);
    } catch (error) {
      deps.logger.warn('AI switch history unreadable', {
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  }

  router.get('/admin/services/:id/ai', async (req, res) => {
    const id = serviceOf(req);
    const [[state], history] = await Promise.all([states([id]), historyOf(id)]);
    res.json({ ...state, history });
  });
  router.put('/admin/services/:id/ai', requireJsonBody, async (req, res) => {
    const serviceId = serviceOf(req);
    const body = validate<{ mode?: AiMode; enabled?: boolean }>('admin-ai-switch', req.body);
    if (!body.valid) throw new AppError('validation_failed', 'Invalid request body', body.errors);
    const { mode, enabled } = body.value;
    if ((mode === undefined) === (enabled === undefined)) {
      throw new AppError('validation_failed', 'Invalid request body', [
        { path: '', message: 'must have exactly one of mode ("off", "shadow" or "on") or enabled (boolean)' },
      ]);
    }
    const actor = actorOf(req, deps.sessionCookie);
    await deps.store.setAiMode(serviceId, mode ?? (enabled ? 'on' : 'off'), actor);
    // The store logs the change with its actor ('AI advice switched'): one log line per event.
    const [state] = await states([serviceId]);
    res.json(state);
  });
  router.all('/admin/services', methodNotAllowed(['GET', 'HEAD']));
  router.all('/admin/services/:id/ai', methodNotAllowed(['GET', 'HEAD', 'PUT']));
  return router;
}
