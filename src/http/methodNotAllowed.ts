import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** A known path called with the wrong method: 405 with an `Allow` header. */
export function methodNotAllowed(allow: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('method_not_allowed', `${req.method} is not allowed here`, [], { allow }));
  };
}
