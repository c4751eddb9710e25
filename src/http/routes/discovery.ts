/** `GET /cds-services`: https://cds-hooks.hl7.org/2.0/#discovery */
import { Router } from 'express';
import type { Registry } from '../../cds/registry.js';
import { methodNotAllowed } from '../methodNotAllowed.js';

export function discoveryRouter(registry: Registry): Router {
  const router = Router();
  router.get('/cds-services', (_req, res) => {
    res.json(registry.discovery());
  });
  router.all('/cds-services', methodNotAllowed(['GET', 'OPTIONS']));
  return router;
}
