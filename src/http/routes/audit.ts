/**
 * The audit API (`/audit/api/...`, bearer token or dashboard session) and the safety dashboard (`/audit`, its
 * page and bundled assets). The API reads the store's tables directly through src/audit; the page is static and
 * fetches everything from the API, so a strict Content-Security-Policy (no inline script or style) holds.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, Router } from 'express';
import helmet from 'helmet';
import { type ExportFormat, CONTENT_TYPES, writeExport } from '../../audit/export.js';
import { parseAuditQuery } from '../../audit/filters.js';
import {
  type AuditDb,
  type ExportKind,
  cardDetail,
  listCards,
  listFeedback,
  listInvocations,
  listOverrideRepeats,
  responsesOf,
  scanRows,
} from '../../audit/queries.js';
import { shadowReport } from '../../audit/shadow.js';
import { overview } from '../../audit/summary.js';
import { DASHBOARD_DIR } from '../../dashboard/paths.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { methodNotAllowed } from '../methodNotAllowed.js';

export interface AuditRouterDeps {
  /** The store's query layer; undefined when the store is not a SQL store (the API then answers 503). */
  readonly db: AuditDb | undefined;
  /** Bearer token or dashboard session (src/security/auditTokens.ts). */
  readonly requireAuth: RequestHandler;
  readonly logger: Logger;
  /** Where the built dashboard lives (tests may point elsewhere). */
  readonly dashboardDir?: string;
}

/** The dashboard's policy: nothing but our own origin, no inline code, no framing, no plugins. */
export const dashboardCsp = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: true,
  referrerPolicy: { policy: 'no-referrer' },
});

const EXPORT_FILE = /^(invocations|cards|feedback)\.(csv|ndjson)$/;
const CARD_UUID = /^[A-Za-z0-9-]{1,200}$/;

export function auditRouter(deps: AuditRouterDeps): Router {
  const router = Router();
  const dashboardDir = deps.dashboardDir ?? DASHBOARD_DIR;

  /** Runs a read; a store that cannot answer is a 503 (retry later), its cause goes to the log only. */
  const read = async <T>(fn: (db: AuditDb) => Promise<T>): Promise<T> => {
    if (!deps.db) throw new AppError('service_unavailable', 'The audit API needs the SQL store');
    try {
      return await fn(deps.db);
    } catch (error) {
      throw unavailable(error);
    }
  };
  const unavailable = (error: unknown): AppError => {
    if (error instanceof AppError) return error;
    deps.logger.error('audit query failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    return new AppError('service_unavailable', 'The store is unavailable; retry later', [], { cause: error });
  };

  // --- the page and its assets (public: the page holds no data; the data needs a session)
  router.use('/audit', dashboardCsp);
  router.get(['/audit', '/audit/'], (_req, res, next) => {
    const page = path.join(dashboardDir, 'index.html');
    if (!existsSync(page)) {
      deps.logger.error('dashboard bundle missing: run npm run build:dashboard', { dir: dashboardDir });
      next(new AppError('service_unavailable', 'The dashboard is not built (npm run build:dashboard)'));
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.sendFile(page);
  });
  router.use(
    '/audit/assets',
    express.static(dashboardDir, { index: false, fallthrough: true, immutable: false, maxAge: '5m' }),
  );

  // --- the API
  const api = Router();
  api.use(deps.requireAuth);
  api.get('/invocations', async (req, res) => {
    const q = parseAuditQuery('invocations', req.query);
    res.json(await read((db) => listInvocations(db, q)));
  });
  api.get('/cards', async (req, res) => {
    const q = parseAuditQuery('cards', req.query);
    // Each card with how clinicians answered it, so the list reads without opening every card.
    res.json(
      await read(async (db) => {
        const page = await listCards(db, q);
        const responses = await responsesOf(
          db,
          page.items.map((c) => c.uuid),
        );
        const none = { accepted: 0, overridden: 0 };
        return {
          ...page,
          items: page.items.map((c) => ({ ...c, responses: responses.get(c.uuid) ?? none })),
        };
      }),
    );
  });
  api.get('/cards/:uuid', async (req, res) => {
    const uuid = String(req.params.uuid);
    // Card uuids are ours (letters, digits, dashes): anything else names no card, and must not reach the database.
    if (!CARD_UUID.test(uuid)) throw new AppError('not_found', 'No such card');
    const detail = await read((db) => cardDetail(db, uuid));
    if (!detail) throw new AppError('not_found', 'No such card');
    res.json(detail);
  });
  api.get('/feedback', async (req, res) => {
    const q = parseAuditQuery('feedback', req.query);
    res.json(await read((db) => listFeedback(db, q)));
  });
  api.get('/override-repeats', async (req, res) => {
    const q = parseAuditQuery('overrideRepeats', req.query);
    res.json(await read((db) => listOverrideRepeats(db, q)));
  });
  api.get('/summary', async (req, res) => {
    const q = parseAuditQuery('summary', req.query);
    res.json(await read((db) => overview(db, q)));
  });
  api.get('/shadow', async (req, res) => {
    const q = parseAuditQuery('shadow', req.query);
    res.json(await read((db) => shadowReport(db, q)));
  });
  api.get('/export/:file', async (req, res) => {
    const match = EXPORT_FILE.exec(String(req.params.file));
    if (!match) {
      throw new AppError('not_found', 'Exports are invocations, cards or feedback, as .csv or .ndjson');
    }
    const kind = match[1] as ExportKind;
    const format = match[2] as ExportFormat;
    const { limit, cursor, ...filter } = parseAuditQuery(kind, req.query);
    if (limit !== undefined || cursor !== undefined) {
      throw new AppError('validation_failed', 'Invalid query parameters', [
        { path: limit !== undefined ? '/query/limit' : '/query/cursor', message: 'exports are not paged' },
      ]);
    }
    if (!deps.db) throw new AppError('service_unavailable', 'The audit API needs the SQL store');
    const database = deps.db;
    res.status(200);
    res.set('Content-Type', CONTENT_TYPES[format]);
    res.set(
      'Content-Disposition',
      `attachment; filename="${kind}-${new Date().toISOString().slice(0, 10)}.${format}"`,
    );
    res.set('X-Content-Type-Options', 'nosniff');
    try {
      const rows = await writeExport(res, kind, format, scanRows(database, kind, filter));
      deps.logger.info('audit export', { kind, format, rows });
      res.end();
    } catch (error) {
      // Nothing sent yet: an ordinary error answer. Once the headers are gone the only honest signal left is a
      // cut connection, so a partial file is never taken for a whole one.
      if (!res.headersSent) throw unavailable(error);
      deps.logger.error('audit export failed', {
        kind,
        format,
        error: error instanceof Error ? error.message : String(error),
      });
      res.destroy();
    }
  });
  api.all(
    [
      '/invocations',
      '/cards',
      '/cards/:uuid',
      '/feedback',
      '/override-repeats',
      '/summary',
      '/shadow',
      '/export/:file',
    ],
    methodNotAllowed(['GET', 'HEAD']),
  );
  api.use((req, _res, next) =>
    next(new AppError('not_found', `No audit API route ${req.method} ${req.path.slice(0, 200)}`)),
  );
  router.use('/audit/api', api);
  return router;
}
