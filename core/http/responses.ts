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

/** Bytes per chunk of a {@link bytesBody}: the server writes each as it goes, with backpressure. */
const BODY_CHUNK_BYTES = 1024 * 1024;

/**
 * A response body over `bytes` without copying them: `new Response(bytes)`
 * copies an array it is given (whatever the runtime's fetch does with it
 * afterwards), which for a master is tens of megabytes of fresh memory per
 * response; a stream handing out views of the array copies nothing. The
 * caller gives up `bytes` (they must not change while the body is read) and
 * sets Content-Length itself.
 *
 * @example new Response(bytesBody(wav), { headers: { 'content-type': 'audio/wav', 'content-length': String(wav.byteLength) } })
 */
export function bytesBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.byteLength) {
          controller.close();
          return;
        }
        const end = Math.min(bytes.byteLength, offset + BODY_CHUNK_BYTES);
        controller.enqueue(bytes.subarray(offset, end));
        offset = end;
      },
    },
    { highWaterMark: 0 },
  );
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
