/**
 * The `openai` package's `OpenAI` client for the routes that take the model name in the body: the v1 route and the
 * Azure AI Model Inference API. One difference from OpenAI's own API is handled here: the inference API may answer
 * an error as a top-level `{status, code, message, detail}` instead of `{error: {…}}` (its 422
 * `parameter_not_supported`); it is reshaped so the SDK's `APIError` carries the code and the parameter either way.
 */
import OpenAI, { type APIError } from 'openai';

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The offending parameter from a `loc` path (`["body", "response_format"]`), as the inference API reports it. */
function paramOfLoc(detail: unknown): string | undefined {
  const first = Array.isArray(detail) ? (detail[0] as unknown) : detail;
  if (!isObject(first) || !Array.isArray(first.loc)) return undefined;
  const path = first.loc.filter((part): part is string => typeof part === 'string' && part !== 'body');
  return path.length > 0 ? path.join('.') : undefined;
}

/** `{error: {code, message, param}}` from whichever shape the endpoint answered with. */
export function normalizeErrorBody(body: unknown): unknown {
  if (!isObject(body)) return body;
  const inner = isObject(body.error) ? body.error : undefined;
  const source =
    inner ?? (typeof body.code === 'string' || typeof body.message === 'string' ? body : undefined);
  if (!source) return body;
  const param =
    (typeof source.param === 'string' ? source.param : undefined) ??
    paramOfLoc(source.detail) ??
    paramOfLoc(source.details);
  return { error: { ...source, ...(param !== undefined && { param }) } };
}

export class OpenAICompatibleClient extends OpenAI {
  protected override makeStatusError(
    status: number,
    error: object,
    message: string | undefined,
    headers: Headers,
  ): APIError {
    return super.makeStatusError(status, normalizeErrorBody(error) as object, message, headers);
  }
}
