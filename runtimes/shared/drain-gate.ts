/**
 * Request tracking for runtimes whose own graceful stop is too blunt: Deno's
 * `server.shutdown()` makes the bodies of requests still uploading unreadable
 * ("Cannot read request body as underlying resource unavailable"), so an
 * in-flight `POST /master` would fail. The gate lets the server drain first:
 * once closed, new requests are answered `503 not_ready` with
 * `Connection: close`, and `idle()` resolves when the requests already inside
 * have their answers; only then is the server itself shut down.
 */
import { AudoEqError } from '../../core/domain/errors.ts';
import { errorResponse } from '../../core/http/responses.ts';

export interface DrainGate {
  /** The handler to serve: counts requests in, refuses new ones once closed. */
  readonly handler: (request: Request) => Promise<Response>;
  /** Requests being handled now. */
  inFlight(): number;
  /** Refuses new requests from now on; resolves once the requests inside have been answered. */
  close(): Promise<void>;
}

/**
 * Wraps `handler`.
 *
 * @example
 * const gate = createDrainGate(handler);
 * const server = Deno.serve(options, gate.handler);
 * // on SIGTERM:
 * await gate.close(); await server.shutdown();
 */
export function createDrainGate(handler: (request: Request) => Promise<Response>): DrainGate {
  let inFlight = 0;
  let closed = false;
  let resolveIdle: (() => void) | null = null;
  const idle = new Promise<void>((resolve) => (resolveIdle = resolve));

  return {
    async handler(request) {
      if (closed) {
        const refusal = errorResponse(new AudoEqError('not_ready', 'The server is shutting down.'));
        refusal.headers.set('connection', 'close');
        return refusal;
      }
      inFlight++;
      try {
        return await handler(request);
      } finally {
        inFlight--;
        if (closed && inFlight === 0) resolveIdle?.();
      }
    },
    inFlight: () => inFlight,
    close() {
      closed = true;
      if (inFlight === 0) resolveIdle?.();
      return idle;
    },
  };
}
