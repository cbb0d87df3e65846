/**
 * CORS for an allow-list of origins (`AUDO_EQ_CORS_ORIGINS`): preflight
 * answers and the headers that let a browser read the `X-` result headers.
 * With an empty list no CORS header is ever sent (same-origin only).
 */
import { EXPOSED_HEADERS } from './headers.ts';

export interface CorsPolicy {
  /** Allowed origins (`https://app.example`), or `*` for any. */
  readonly allowedOrigins: readonly string[];
}

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Api-Key, X-Correlation-Id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

function allowedOrigin(policy: CorsPolicy, origin: string | null): string | null {
  if (origin === null || policy.allowedOrigins.length === 0) return null;
  if (policy.allowedOrigins.includes('*')) return '*';
  return policy.allowedOrigins.includes(origin) ? origin : null;
}

/** True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`). */
export function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

/**
 * The answer to a preflight: 204, with the CORS grant only when the origin is
 * allowed (a browser then refuses the real request on its own).
 *
 * @example preflightResponse(request, { allowedOrigins: ['https://app.example'] }).status // 204
 */
export function preflightResponse(request: Request, policy: CorsPolicy): Response {
  const response = new Response(null, { status: 204 });
  const origin = allowedOrigin(policy, request.headers.get('origin'));
  response.headers.set('vary', 'Origin');
  if (origin !== null) {
    response.headers.set('access-control-allow-origin', origin);
    response.headers.set('access-control-allow-methods', ALLOWED_METHODS);
    response.headers.set('access-control-allow-headers', ALLOWED_HEADERS);
    response.headers.set('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
  }
  return response;
}

/**
 * Adds the CORS grant and exposed headers to a response when the request's
 * origin is allowed.
 *
 * @example applyCors(request, response, { allowedOrigins: ['*'] })
 */
export function applyCors(request: Request, response: Response, policy: CorsPolicy): void {
  if (policy.allowedOrigins.length === 0) return;
  response.headers.append('vary', 'Origin');
  const origin = allowedOrigin(policy, request.headers.get('origin'));
  if (origin === null) return;
  response.headers.set('access-control-allow-origin', origin);
  response.headers.set('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
}
