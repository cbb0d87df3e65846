/**
 * Response builders shared by every route: JSON bodies and the one error body
 * shape `{"detail": {"code", "message", ...}}` (SPEC section 2).
 */
import { AudoEqError, errorBody } from '../domain/errors.ts';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * A JSON response.
 *
 * @example jsonResponse(200, { status: 'ok' })
 */
export function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  const response = new Response(JSON.stringify(body), { status, headers });
  response.headers.set('content-type', JSON_CONTENT_TYPE);
  response.headers.set('cache-control', 'no-store');
  return response;
}

/**
 * The error response for an `AudoEqError`: status from the error table, the
 * JSON error body, and `Retry-After` for `overloaded` and any error whose
 * details carry `retry_after_seconds` (a full or unreachable job queue).
 *
 * @example errorResponse(new AudoEqError('not_found')) // 404 {"detail":{"code":"not_found",…}}
 */
export function errorResponse(error: AudoEqError, headers: HeadersInit = {}): Response {
  const response = jsonResponse(error.status, errorBody(error), headers);
  const retryable = error.code === 'overloaded' || typeof error.details.retry_after_seconds === 'number';
  if (retryable && !response.headers.has('retry-after')) {
    response.headers.set('retry-after', String(error.details.retry_after_seconds ?? 5));
  }
  return response;
}

/**
 * Any thrown value as a product error: `AudoEqError`s pass through, everything
 * else becomes `internal_error` with a generic message (the cause is kept for logs).
 *
 * @example toAudoEqError(new TypeError('x')).code // 'internal_error'
 */
export function toAudoEqError(error: unknown): AudoEqError {
  if (error instanceof AudoEqError) return error;
  return new AudoEqError('internal_error', undefined, {}, { cause: error });
}
