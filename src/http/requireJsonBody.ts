import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** POST bodies must be JSON; anything else gets a precise 415 instead of a confusing validation error. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (!req.is(['application/json', 'application/fhir+json', 'application/*+json'])) {
    next(
      new AppError(
        'unsupported_media_type',
        'The request body must be JSON (Content-Type: application/json)',
      ),
    );
    return;
  }
  next();
};
