/**
 * `POST /cds-services/{id}/feedback` (https://cds-hooks.hl7.org/2.0/#feedback). Answers 200 only once every item
 * is durably stored (one transaction); the store down → 503 so the EHR retries. Items are idempotent, and an
 * item about a card we do not know is stored and flagged, never refused. `userComment` is clinician free text:
 * stored for the safety team, never logged.
 */
import { Router } from 'express';
import type { Registry } from '../../cds/registry.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { currentRequestContext } from '../../requestContext.js';
import { clientPseudonym, type Pseudonymizer } from '../../pipeline/pseudonym.js';
import { ANONYMOUS_CLIENT } from '../../security/types.js';
import type { FeedbackItem, Store } from '../../store/types.js';
import { validate } from '../../validation.js';
import { methodNotAllowed } from '../methodNotAllowed.js';
import { requireJsonBody } from '../requireJsonBody.js';

export interface FeedbackRouterDeps {
  readonly store: Store;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Keys the sending client's pseudonym: an override counts only for the client that got the card. */
  readonly pseudonymize: Pseudonymizer;
}

function invalid(errors: ReadonlyArray<{ path: string; message: string }>): AppError {
  return new AppError('validation_failed', 'The feedback does not follow CDS Hooks 2.0', errors);
}

/** The 2.0 envelope, or the single object some EHRs send (bare, or as the value of `feedback`). */
export function parseFeedback(body: unknown): FeedbackItem[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid([{ path: '/', message: 'must be an object' }]);
  }
  const envelope = body as { feedback?: unknown };
  if (Array.isArray(envelope.feedback)) {
    const result = validate<{ feedback: FeedbackItem[] }>('feedback', body);
    if (!result.valid) throw invalid(result.errors);
    return result.value.feedback;
  }
  const [single, prefix] = 'feedback' in envelope ? [envelope.feedback, '/feedback'] : [body, ''];
  const result = validate<FeedbackItem>('feedback#/definitions/item', single, prefix);
  if (!result.valid) throw invalid(result.errors);
  return [result.value];
}

export function feedbackRouter(deps: FeedbackRouterDeps): Router {
  const router = Router();
  router.post('/cds-services/:id/feedback', requireJsonBody, async (req, res) => {
    const serviceId = String(req.params.id);
    const context = currentRequestContext();
    // Checked before it labels metrics and logs: an id from the URL is attacker-chosen (unbounded label values).
    if (!deps.registry.get(serviceId)) throw new AppError('not_found', `No CDS service with id ${serviceId}`);
    if (context) context.serviceId = serviceId;
    const items = parseFeedback(req.body);
    const client = res.locals.client ?? ANONYMOUS_CLIENT;
    const result = await deps.store.recordFeedback(
      serviceId,
      items,
      clientPseudonym(deps.pseudonymize, client),
    );
    deps.logger.info('feedback stored', {
      items: items.length,
      accepted: items.filter((i) => i.outcome === 'accepted').length,
      overridden: items.filter((i) => i.outcome === 'overridden').length,
      ...result,
    });
    res.status(200).json(result);
  });
  router.all('/cds-services/:id/feedback', methodNotAllowed(['POST', 'OPTIONS']));
  return router;
}
