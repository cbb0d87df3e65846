/**
 * Whose job it is: jobs belong to the API key that submitted them, kept as a
 * hash (never the key itself, which would then sit in Redis and in job
 * listings). Without configured keys every job belongs to `anonymous`.
 */
import { presentedApiKey } from './auth.ts';

/**
 * The owner id of a request: `key-` and 24 hex digits of the key's SHA-256, or `anonymous`.
 *
 * @example await jobOwner(new Headers({ authorization: 'Bearer k1' }), ['k1']) // 'key-…'
 */
export async function jobOwner(headers: Headers, apiKeys: readonly string[]): Promise<string> {
  const key = apiKeys.length > 0 ? presentedApiKey(headers) : null;
  if (!key) return 'anonymous';
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  return `key-${Array.from(digest.subarray(0, 12), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
