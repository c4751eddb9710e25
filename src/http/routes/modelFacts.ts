/**
 * `GET /model-facts` (HTML) and `GET /model-facts.json`: the model fact sheet. Public, like discovery: clinicians
 * reach it from an AI card's link in the EHR, where no audit token exists. It holds nothing secret (no key, no
 * endpoint host, no patient data) — see src/modelFacts/facts.ts.
 */
import { Router } from 'express';
import helmet from 'helmet';
import type { Registry } from '../../cds/registry.js';
import type { Config } from '../../config.js';
import { type ModelFacts, modelFacts } from '../../modelFacts/facts.js';
import { modelFactsHtml } from '../../modelFacts/html.js';
import type { AuditReader } from '../../store/read/port.js';
import type { SettingsStore } from '../../store/types.js';
import { methodNotAllowed } from '../methodNotAllowed.js';

export interface ModelFactsRouterDeps {
  readonly config: Config;
  readonly registry: Registry;
  readonly store: Pick<SettingsStore, 'getAiMode'>;
  readonly reader: AuditReader | undefined;
}

/** The page needs nothing but its own inline style: no script, no images, no frames. */
const pagePolicy = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The sheet is public, so anyone may ask for it often: one build (a file read, an indexed query, the cached modes)
 * serves every request for a second.
 */
const REBUILD_AFTER_MS = 1000;

export function modelFactsRouter(deps: ModelFactsRouterDeps): Router {
  const router = Router();
  let built: { at: number; facts: Promise<ModelFacts> } | undefined;
  const facts = (): Promise<ModelFacts> => {
    const now = Date.now();
    if (!built || now - built.at >= REBUILD_AFTER_MS) {
      const pending = build();
      // A failed build is not kept: the next request tries again.
      pending.catch(() => {
        if (built?.facts === pending) built = undefined;
      });
      built = { at: now, facts: pending };
    }
    return built.facts;
  };
  const build = (): Promise<ModelFacts> =>
    modelFacts({
      config: deps.config,
      reader: deps.reader,
      services: () =>
        Promise.all(
          deps.registry.services.map(async ({ definition }) => ({
            id: definition.id,
            title: definition.title ?? null,
            mode: await deps.store.getAiMode(definition.id),
          })),
        ),
    });
  router.get('/model-facts.json', async (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.json(await facts());
  });
  router.get('/model-facts', pagePolicy, async (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.type('html').send(modelFactsHtml(await facts()));
  });
  router.all(['/model-facts', '/model-facts.json'], methodNotAllowed(['GET', 'HEAD']));
  return router;
}
