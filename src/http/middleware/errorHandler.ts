/**
 * The one place that shapes error responses: `{ error: { status, code, message, requestId, details? } }`.
 * Body-parser and URL-decoding failures get their proper status; anything unexpected is a generic 500 carrying
 * only the request id, with the details in the log. 401 bodies never say why.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ErrorCode, statusOf } from '../../errors.js';
import type { Logger } from '../../logger.js';

interface HttpParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function fromParserError(error: HttpParserError | undefined, limitBytes: number): AppError | undefined {
  const type = error?.type;
  if (type === 'entity.parse.failed')
    return new AppError('invalid_json', 'The request body is not valid JSON');
  if (type === 'entity.too.large') {
    return new AppError('payload_too_large', `The request body exceeds the limit of ${limitBytes} bytes`);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'The request body must be UTF-8 encoded JSON');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'stream.encoding.set') {
    return new AppError('bad_request', 'The request body could not be read');
  }
  return undefined;
}

/** The router could not decode a URL parameter (`%zz`, a truncated UTF-8 sequence): the client's URL is wrong. */
function fromUrlError(error: unknown): AppError | undefined {
  if (!(error instanceof URIError)) return undefined;
  // Never the router's message: it quotes the raw parameter.
  return new AppError('bad_request', 'The URL holds malformed percent-encoding');
}

const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'Unauthorized',
  internal_error: 'Internal error',
};

export function errorHandler(logger: Logger, limitBytes: number): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const requestId = res.locals.requestId as string | undefined;
    const appError =
      error instanceof AppError
        ? error
        : (fromUrlError(error) ?? fromParserError(error as HttpParserError, limitBytes));
    if (!appError) {
      // A bug. Log what we know (no request data), answer with nothing but the request id.
      logger.error('unhandled error', {
        error:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : String(error),
      });
    }
    const code: ErrorCode = appError?.code ?? 'internal_error';
    const status = statusOf(code);
    const message = GENERIC_MESSAGES[code] ?? appError?.message ?? 'Internal error';
    const details = code === 'unauthorized' ? [] : (appError?.details ?? []);
    if (res.headersSent) return;
    if (status === 405 && appError?.allow) res.setHeader('Allow', appError.allow);
    res.status(status).json({
      error: { status, code, message, requestId, ...(details.length > 0 && { details }) },
    });
  };
}

/** Unknown paths end here. */
export function notFound(): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('not_found', `No route for ${req.method} ${req.path.slice(0, 200)}`));
  };
}
