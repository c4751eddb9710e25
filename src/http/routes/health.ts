/** Liveness, readiness and metrics for the orchestrator and Prometheus. */
import { Router } from 'express';
import type { Advisor } from '../../advisors/types.js';
import type { Metrics } from '../../metrics.js';
import type { Store } from '../../store/types.js';

const READY_CHECK_TIMEOUT_MS = 1000;

async function storeAnswers(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([store.ping().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: {
  store: Store;
  metrics: Metrics;
  advisors?: readonly Advisor[];
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ready = await storeAnswers(deps.store);
    // The model is optional: its lane's state is detail, never a reason to take the instance out of rotation.
    const model = deps.advisors?.find((a) => a.name === 'model')?.health?.();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      store: ready ? 'up' : 'down',
      ...(model && { model }),
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
