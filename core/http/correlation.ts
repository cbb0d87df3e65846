/**
 * `X-Correlation-Id` handling (SPEC section 2): a well-formed client value is
 * echoed, anything else is replaced by a generated id and never echoed.
 */
import type { IdGenerator } from '../app/ports.ts';

export const CORRELATION_HEADER = 'x-correlation-id';

const CORRELATION_ID_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * True when `value` may be echoed as a correlation id (1–128 of `[A-Za-z0-9._:-]`).
 *
 * @example isValidCorrelationId('req-42') // true; isValidCorrelationId('a b') // false
 */
export function isValidCorrelationId(value: string): boolean {
  return CORRELATION_ID_SHAPE.test(value);
}

/**
 * The correlation id for a request: the client's header when well formed,
 * otherwise a fresh id from `ids`.
 *
 * @example resolveCorrelationId(request.headers, () => crypto.randomUUID())
 */
export function resolveCorrelationId(headers: Headers, ids: IdGenerator): string {
  const given = headers.get(CORRELATION_HEADER);
  return given !== null && isValidCorrelationId(given) ? given : ids();
}
