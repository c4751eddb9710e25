/**
 * What the middleware leave on `res.locals` for what runs after them, typed: Express's `Locals` is merged with
 * these fields, so every reader and writer agrees on the names and types (a string key can no longer be read that
 * nothing writes).
 */
import type { ClientIdentity } from '../security/types.js';

/** How an audit or admin request was let in (`requireAuditToken`). */
export type AuditPrincipal = 'token' | 'session';

export interface RequestLocals {
  /** `performance.now()` when the request arrived (requestContext): the hook budget counts from it. */
  receivedAt: number;
  /** The request's id (requestContext), echoed in `X-Request-Id` and every error body. */
  requestId: string;
  /** The EHR that signed the call (authenticate); absent in unauthenticated development mode. */
  client?: ClientIdentity;
  auditPrincipal?: AuditPrincipal;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares Locals in this global namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merged with RequestLocals' fields
    interface Locals extends RequestLocals {}
  }
}
