/** Gives every request an id (kept from `X-Request-Id` when it is sane) and runs it inside its async context. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithRequestContext } from '../../requestContext.js';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    res.locals.receivedAt = performance.now();
    const incoming = req.get('x-request-id');
    const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    runWithRequestContext({ requestId }, next);
  };
}
