/**
 * EHR authentication for the CDS endpoints (discovery, services, feedback). The JWT `aud` must be the exact URL
 * called, as the EHR sees it: PUBLIC_BASE_URL + the path (https://cds-hooks.hl7.org/2.0/#trusting-cds-clients).
 * Failures are a bare 401; the authenticator logs why.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';
import { audienceFor } from '../../security/jwt.js';
import type { EhrAuthenticator } from '../../security/types.js';

export function authenticate(authenticator: EhrAuthenticator, publicBaseUrl: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'OPTIONS') {
      next();
      return;
    }
    const path = req.originalUrl.split('?')[0] ?? req.path;
    authenticator
      .authenticate({ authorization: req.get('authorization'), url: audienceFor(publicBaseUrl, path) })
      .then((client) => {
        if (!client) {
          next(new AppError('unauthorized', 'Unauthorized'));
          return;
        }
        res.locals.client = client;
        next();
      }, next);
  };
}
