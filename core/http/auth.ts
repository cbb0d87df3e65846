/**
 * Optional API keys (`AUDO_EQ_API_KEYS`): `Authorization: Bearer <key>` or
 * `X-Api-Key: <key>`. Without configured keys every route is open.
 */
import { AudoEqError } from '../domain/errors.ts';

/** Compares without an early exit, so response time does not reveal a key's prefix. */
function constantTimeEquals(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a.charCodeAt(i % Math.max(a.length, 1)) || 0) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The key a request presents, from `Authorization: Bearer` or `X-Api-Key`. */
export function presentedApiKey(headers: Headers): string | null {
  const authorization = headers.get('authorization');
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  return bearer ?? headers.get('x-api-key')?.trim() ?? null;
}

/**
 * Throws `unauthorized` unless the request carries one of `apiKeys` (no-op
 * when the list is empty).
 *
 * @example requireApiKey(request.headers, ['k1']) // throws AudoEqError('unauthorized') without a key
 */
export function requireApiKey(headers: Headers, apiKeys: readonly string[]): void {
  if (apiKeys.length === 0) return;
  const presented = presentedApiKey(headers);
  let matched = false;
  for (const key of apiKeys) matched = (presented !== null && constantTimeEquals(presented, key)) || matched;
  if (!matched) throw new AudoEqError('unauthorized');
}
