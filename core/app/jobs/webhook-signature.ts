/**
 * Signed job callbacks: `X-Audo-Eq-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256 with the shared secret over `${t}.${raw body}`.
 * The timestamp is inside what is signed, so a receiver that refuses old
 * timestamps (5 minutes by default) cannot be replayed an old delivery.
 * Web Crypto only, so receivers on any runtime can verify with the same code.
 */

export const SIGNATURE_HEADER = 'X-Audo-Eq-Signature';

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

/**
 * The signature header value for `body` sent at `unixSeconds`.
 *
 * @example await signWebhook('s3cret', '{"job_id":"j1"}', 1767225600) // 't=1767225600,v1=…'
 */
export async function signWebhook(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

/**
 * Checks a received callback: the header parses, its timestamp is within
 * `toleranceSeconds` of `nowSeconds`, and one of its `v1` values matches.
 *
 * @example
 * const ok = await verifyWebhookSignature('s3cret', rawBody, request.headers.get('x-audo-eq-signature'), Date.now() / 1000);
 */
export async function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null,
  nowSeconds: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!header) return false;
  const fields = header.split(',').map((field) => field.trim().split('='));
  const timestamp = Number(fields.find(([name]) => name === 't')?.[1]);
  const signatures = fields.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  if (!Number.isInteger(timestamp) || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = await hmacHex(secret, `${timestamp}.${body}`);
  // Compare every candidate in full: the time taken does not depend on where they differ.
  let matched = false;
  for (const signature of signatures) {
    let difference = signature.length ^ expected.length;
    for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ (signature.charCodeAt(i) || 0);
    matched = difference === 0 || matched;
  }
  return matched;
}
