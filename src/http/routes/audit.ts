/**
 * The audit API (`/audit/api/...`, bearer token or dashboard session) and the safety dashboard (`/audit`, its
 * page and bundled assets). The API reads through the store's read port (src/store/read/); the page is static and
 * fetches everything from the API, so a strict Content-Security-Policy (no inline script or style) holds.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';
import { type ExportFormat, CONTENT_TYPES, writeExport } from '../audit/export.js';
import { parseAuditQuery } from '../audit/query.js';
import { shadowSheet } from '../audit/adjudication.js';
import type { AuditReader } from '../../store/read/port.js';
import type { ExportKind } from '../../store/read/queries.js';
import { DASHBOARD_DIR } from '../../dashboard/paths.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { methodNotAllowed } from '../methodNotAllowed.js';

export interface AuditRouterDeps {
  /** The store's read port; undefined when the store is not a SQL store (the API then answers 503). */
  readonly reader: AuditReader | undefined;
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

/** The dashboard page and its assets, under a strict CSP that also covers the API's answers. */
export function auditRouter(deps: Pick<AuditRouterDeps, 'logger' | 'dashboardDir'>): Router {
  const router = Router();
  const dashboardDir = deps.dashboardDir ?? DASHBOARD_DIR;

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

  return router;
}

/**
 * The audit API, mounted at `/audit/api` behind the audit auth (`createApp` mounts it once for `/audit/api` and
 * `/admin`).
 */
export function auditApiRouter(deps: AuditRouterDeps): Router {
  /** Runs a read; a store that cannot answer is a 503 (retry later), its cause goes to the log only. */
  const read = async <T>(fn: (reader: AuditReader) => Promise<T>): Promise<T> => {
    if (!deps.reader) throw new AppError('service_unavailable', 'The audit API needs the SQL store');
    try {
      return await fn(deps.reader);
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

  const api = Router();
  api.get('/invocations', async (req, res) => {
    const q = parseAuditQuery('invocations', req.query);
    res.json(await read((reader) => reader.listInvocations(q)));
  });
  api.get('/cards', async (req, res) => {
    const q = parseAuditQuery('cards', req.query);
    // Each card with how clinicians answered it, so the list reads without opening every card.
    res.json(
      await read(async (reader) => {
        const page = await reader.listCards(q);
        const responses = await reader.responsesOf(page.items.map((c) => c.uuid));
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
    const detail = await read((reader) => reader.cardDetail(uuid));
    if (!detail) throw new AppError('not_found', 'No such card');
    res.json(detail);
  });
  api.get('/feedback', async (req, res) => {
    const q = parseAuditQuery('feedback', req.query);
    res.json(await read((reader) => reader.listFeedback(q)));
  });
  api.get('/override-repeats', async (req, res) => {
    const q = parseAuditQuery('overrideRepeats', req.query);
    res.json(await read((reader) => reader.listOverrideRepeats(q)));
  });
  api.get('/summary', async (req, res) => {
    const q = parseAuditQuery('summary', req.query);
    res.json(await read((reader) => reader.overview(q)));
  });
  api.get('/shadow', async (req, res) => {
    const q = parseAuditQuery('shadow', req.query);
    res.json(await read((reader) => reader.shadowReport(q)));
  });
  // Every shadow item of the window (not a page): the sheet is judged as a whole.
  api.get('/shadow/adjudication.csv', async (req, res) => {
    const q = parseAuditQuery('shadow', req.query);
    const report = await read((reader) => reader.shadowReport({ ...q, limit: Number.MAX_SAFE_INTEGER }));
    res.type('text/csv; charset=utf-8').attachment('shadow-adjudication.csv').send(shadowSheet(report.items));
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
    if (!deps.reader) throw new AppError('service_unavailable', 'The audit API needs the SQL store');
    const reader = deps.reader;
    res.status(200);
    res.set('Content-Type', CONTENT_TYPES[format]);
    res.set(
      'Content-Disposition',
      `attachment; filename="${kind}-${new Date().toISOString().slice(0, 10)}.${format}"`,
    );
    res.set('X-Content-Type-Options', 'nosniff');
    try {
      const rows = await writeExport(res, kind, format, reader.scan(kind, filter));
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
      '/shadow/adjudication.csv',
      '/export/:file',
    ],
    methodNotAllowed(['GET', 'HEAD']),
  );
  api.use((req, _res, next) =>
    next(new AppError('not_found', `No audit API route ${req.method} ${req.path.slice(0, 200)}`)),
  );
  return api;
}
