import { Router, type IRequest } from 'itty-router';
import { AudoEqError, errorBody } from '../domain/errors.ts';

/** A fetch-style handler: what every runtime and embedding server mounts. */
export type FetchHandler = (request: Request) => Promise<Response>;

function jsonResponse(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

function errorResponse(error: AudoEqError): Response {
  return jsonResponse(error.status, errorBody(error));
}

/**
 * Builds the core HTTP app (itty-router, `Request -> Response`).
 *
 * @example const handler = createApp(); const res = await handler(new Request('http://x/health'));
 */
export function createApp(): FetchHandler {
  const router = Router<IRequest, []>({
    catch: (err: unknown) =>
      err instanceof AudoEqError ? errorResponse(err) : errorResponse(new AudoEqError('internal_error')),
  });
  router.get('/health', () => jsonResponse(200, { status: 'ok' }));
  router.all('*', () => errorResponse(new AudoEqError('not_found')));
  return (request: Request) => router.fetch(request as IRequest) as Promise<Response>;
}
