/**
 * Job callbacks: checking a `callback_url` when a job is submitted, and one
 * delivery attempt when it finishes — the job document as the raw JSON body,
 * signed (see webhook-signature.ts), sent through a transport that refuses
 * forbidden addresses at connect time and never follows redirects. Retrying
 * is the job backend's business (timers in memory, BullMQ's backoff on Redis)
 * with the delays from `callbackRetryDelayMs`.
 */
import { AudoEqError } from '../../domain/errors.ts';
import { addressAllowed, parseIpv4, parseIpv6, type CallbackAllowList } from './address-policy.ts';
import type { CallbackDelivery } from './job-record.ts';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.ts';

/** Port: the host's addresses (all of them, IPv4 and IPv6). */
export type HostResolver = (host: string) => Promise<string[]>;

export interface CallbackRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * Port: sends one callback POST. Implementations check every address the
 * host resolves to against the allow-list before connecting (throwing
 * `callback_not_allowed`), connect only to a checked address, and never
 * follow a redirect (a 3xx is an answer like any other).
 */
export interface CallbackTransport {
  post(request: CallbackRequest): Promise<{ readonly statusCode: number }>;
}

export interface CallbackSettings {
  /** HMAC secret; callbacks are refused at submission when there is none. */
  readonly secret: string | null;
  readonly allowList: CallbackAllowList;
  /** Attempts per callback (the first included). */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt; doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

const MAX_URL_LENGTH = 2048;

function refused(url: string, reason: string): AudoEqError {
  return new AudoEqError('callback_not_allowed', `The callback URL is not allowed: ${reason}.`, { parameter: 'callback_url', reason, url });
}

/**
 * Checks a submitted callback URL: http(s), no credentials, and every
 * address its host resolves to allowed (see address-policy.ts). Returns the
 * normalised URL; throws `invalid_query_parameter` for a malformed one and
 * `callback_not_allowed` for a forbidden target.
 *
 * @example await checkCallbackUrl('https://hooks.example.com/audo', resolver, settings) // 'https://hooks.example.com/audo'
 */
export async function checkCallbackUrl(text: string, resolve: HostResolver, settings: CallbackSettings): Promise<string> {
  const invalid = (reason: string) =>
    new AudoEqError('invalid_query_parameter', `Query parameter 'callback_url' ${reason}.`, {
      parameter: 'callback_url',
      allowed_values: ['an absolute http:// or https:// URL without credentials'],
    });
  if (text.length > MAX_URL_LENGTH) throw invalid(`is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('must use http or https');
  if (url.username || url.password) throw invalid('must not carry credentials');
  if (!settings.secret) throw refused(url.href, 'this server has no signing secret for callbacks (AUDO_EQ_WEBHOOK_SECRET)');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = parseIpv4(host) !== null || parseIpv6(host) !== null;
  let addresses: string[];
  try {
    addresses = literal ? [host] : await resolve(host);
  } catch {
    throw refused(url.href, `its host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw refused(url.href, `its host ${host} does not resolve`);
  const blocked = addresses.find((address) => !addressAllowed(host, address, settings.allowList));
  if (blocked) throw refused(url.href, `${host} resolves to ${blocked}, a loopback, link-local, private or metadata address`);
  return url.href;
}

/**
 * The delay before callback attempt `attempt + 1`: base · 2^(attempt−1), capped.
 *
 * @example callbackRetryDelayMs(3, { baseDelayMs: 1000, maxDelayMs: 60_000 }) // 4000
 */
export function callbackRetryDelayMs(attempt: number, settings: Pick<CallbackSettings, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * One delivery attempt of `body` (the job document as JSON) to `url`.
 * Never throws: the outcome, a 2xx status or the reason it failed, is the
 * returned record. The signature is made at send time, so each retry
 * carries a fresh timestamp.
 *
 * @example const delivery = await deliverCallback({ url, body, jobId: 'j1', attempt: 1 }, { transport, settings, now: () => new Date() });
 */
export async function deliverCallback(
  request: { readonly url: string; readonly body: string; readonly jobId: string; readonly attempt: number },
  deps: { readonly transport: CallbackTransport; readonly settings: CallbackSettings; readonly now: () => Date },
): Promise<CallbackDelivery> {
  const at = deps.now();
  const base = { attempt: request.attempt, at: at.toISOString() };
  if (!deps.settings.secret) return { ...base, statusCode: null, error: 'no signing secret configured' };
  try {
    const signature = await signWebhook(deps.settings.secret, request.body, Math.floor(at.getTime() / 1000));
    const { statusCode } = await deps.transport.post({
      url: request.url,
      body: request.body,
      timeoutMs: deps.settings.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'audo-eq-webhook/1',
        [SIGNATURE_HEADER.toLowerCase()]: signature,
        'x-audo-eq-job-id': request.jobId,
        'x-audo-eq-delivery-attempt': String(request.attempt),
      },
    });
    const ok = statusCode >= 200 && statusCode < 300;
    return { ...base, statusCode, error: ok ? null : `the receiver answered ${statusCode}` };
  } catch (error) {
    return { ...base, statusCode: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether a delivery succeeded. */
export function delivered(delivery: CallbackDelivery): boolean {
  return delivery.statusCode !== null && delivery.statusCode >= 200 && delivery.statusCode < 300;
}
