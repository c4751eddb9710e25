/**
 * Validates a hook request at the edge: the envelope, the hook named for this service, and the hook's context.
 * Lenient where real EHRs vary (Bundles without `type`, unknown fields, `extension`), precise where they err.
 */
import type { Bundle } from 'fhir/r4.js';
import type { ServiceDefinition } from '../cds/service.js';
import type { HookRequest } from '../cds/types.js';
import { AppError } from '../errors.js';
import { validate } from '../validation.js';

function fail(message: string, details: { path: string; message: string }[]): never {
  throw new AppError('validation_failed', message, details);
}

function entryRefs(bundle: Bundle): Set<string> {
  const refs = new Set<string>();
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.id) refs.add(`${r.resourceType}/${r.id}`);
  }
  return refs;
}

export function validateHookRequest(definition: ServiceDefinition, body: unknown): HookRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail('The request body must be a JSON object', [{ path: '/', message: 'must be a JSON object' }]);
  }
  const envelope = validate<HookRequest>('cds-request', body);
  if (!envelope.valid) fail('The hook request is not valid', envelope.errors);
  const request = envelope.value;

  if (request.hook !== definition.hook) {
    fail(`Service ${definition.id} answers the ${definition.hook} hook, not ${request.hook}`, [
      { path: '/hook', message: `must be "${definition.hook}" for service ${definition.id}` },
    ]);
  }
  const context = validate(`context-${definition.hook}`, request.context, '/context');
  if (!context.valid) fail(`The ${definition.hook} context is not valid`, context.errors);

  if (request.hook === 'order-select') {
    const { selections, draftOrders } = (request as HookRequest<'order-select'>).context;
    const refs = entryRefs(draftOrders);
    const unknown = selections
      .map((ref, i) => ({ ref, i }))
      .filter(({ ref }) => !refs.has(ref))
      .map(({ ref, i }) => ({
        path: `/context/selections/${i}`,
        message: `${ref} is not an entry in draftOrders`,
      }));
    if (unknown.length > 0) fail('Every selection must point at an entry in context.draftOrders', unknown);
  }
  return request;
}
