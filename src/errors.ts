/**
 * One error type for expected failures that map to an HTTP answer. Anything else reaching the error handler is a
 * bug: it becomes a generic 500 with the request id, and its details go to the log only.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'precondition_failed'
  | 'too_many_requests'
  | 'service_unavailable'
  | 'internal_error';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  precondition_failed: 412,
  too_many_requests: 429,
  service_unavailable: 503,
  internal_error: 500,
};

export interface ErrorDetail {
  /** JSON pointer into the request body, e.g. `/context/draftOrders`. */
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  /** For 405: the methods the path does allow (the `Allow` header). */
  readonly allow?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown; allow?: readonly string[] },
  ) {
    super(message, options);
    this.status = STATUS[code];
    if (options?.allow) this.allow = options.allow.join(', ');
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Errors as values where failure is expected. */
export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
