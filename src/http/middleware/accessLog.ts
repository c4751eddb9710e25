/**
 * One log line per request with its duration and status, and the request metrics. Only the path is logged —
 * the full one, as the client sent it (a router's `req.path` is relative to its mount point) — never the query
 * string, headers or body, which may carry tokens or PHI.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { currentRequestContext } from '../../requestContext.js';

export function accessLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const context = currentRequestContext();
    res.on('finish', () => {
      const durationMs = performance.now() - res.locals.receivedAt;
      const route = (req.route as { path?: string } | undefined)?.path
        ? `${req.baseUrl}${(req.route as { path: string }).path}`
        : 'unmatched';
      const service = context?.serviceId ?? '';
      const status = String(res.statusCode);
      metrics.httpRequests.inc({ route, service, status });
      metrics.httpDuration.observe({ route, service, status }, durationMs / 1000);
      logger.info('request', {
        requestId: context?.requestId,
        serviceId: context?.serviceId,
        hookInstance: context?.hookInstance,
        method: req.method,
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      });
    });
    next();
  };
}
