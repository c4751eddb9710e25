/** `POST /cds-services/{id}`: https://cds-hooks.hl7.org/2.0/#calling-a-cds-service */
import { Router } from 'express';
import { AppError } from '../../errors.js';
import { Deadline } from '../../timing/deadline.js';
import { type InvocationDeps, invokeService } from '../../pipeline/invoke.js';
import { budgetLeftMs, type LoopLag } from '../../timing/loopLag.js';
import { currentRequestContext } from '../../requestContext.js';
import { ANONYMOUS_CLIENT } from '../../security/types.js';
import { methodNotAllowed } from '../methodNotAllowed.js';
import { requireJsonBody } from '../requireJsonBody.js';

export function servicesRouter(
  deps: InvocationDeps & {
    adviceBudgetMs: number;
    /** Per service id, where it differs from `adviceBudgetMs` (ADVICE_BUDGET_MS_BY_SERVICE). */
    adviceBudgetMsByService?: Readonly<Record<string, number>>;
    loopLag: LoopLag;
  },
): Router {
  const router = Router();
  router.post('/cds-services/:id', requireJsonBody, async (req, res) => {
    const serviceId = String(req.params.id);
    // Checked before it labels metrics and logs: an id from the URL is attacker-chosen (unbounded label values).
    if (!deps.registry.get(serviceId)) throw new AppError('not_found', `No CDS service with id ${serviceId}`);
    const context = currentRequestContext();
    if (context) {
      context.serviceId = serviceId;
      const hookInstance = (req.body as { hookInstance?: unknown } | undefined)?.hookInstance;
      if (typeof hookInstance === 'string' && hookInstance.length <= 200) context.hookInstance = hookInstance;
    }
    // The budget counts from the moment the request arrived, body parsing included, and gives up what the loop's
    // lag will cost: the wait before this call was read and the lateness of its deadline timer.
    const { receivedAt } = res.locals;
    const deadline = new Deadline(
      budgetLeftMs(
        deps.adviceBudgetMsByService?.[serviceId] ?? deps.adviceBudgetMs,
        performance.now() - receivedAt,
        deps.loopLag.recentMs(),
      ),
    );
    const client = res.locals.client ?? ANONYMOUS_CLIENT;
    try {
      const response = await invokeService(deps, { serviceId, body: req.body, client, deadline });
      res.json(response);
    } finally {
      deadline.dispose();
    }
  });
  router.all('/cds-services/:id', methodNotAllowed(['POST', 'OPTIONS']));
  return router;
}
