/**
 * Graceful shutdown for node:http (the sequence itself is
 * runtimes/shared/shutdown.ts). What Node needs on top: `server.close()` only
 * stops accepting and waits for connections, so keep-alive connections must be
 * told to close — responses started after the signal carry
 * `Connection: close`, and each connection is closed as soon as its response
 * is done.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AppLogger } from '../../core/app/ports.ts';
import { createShutdownController, type ShutdownController } from '../shared/shutdown.ts';

export interface GracefulShutdownOptions {
  readonly server: Server;
  /** How long in-flight requests may take to finish after the signal. */
  readonly drainTimeoutMs: number;
  readonly logger: AppLogger;
  /** Runs once no request is left (or the drain timed out): stop workers, close clients, flush logs. */
  readonly cleanUp: () => Promise<void>;
  /** Ends the process; default `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Tracks requests on `server` and installs the signal handlers. Install it
 * before the server starts listening.
 *
 * @example
 * installGracefulShutdown({ server, drainTimeoutMs: 25_000, logger, cleanUp: () => composition.close() });
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): ShutdownController {
  const { server } = options;
  const open = new Set<ServerResponse>();
  let closing = false;

  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    if (closing) response.setHeader('Connection', 'close');
    response.once('close', () => {
      open.delete(response);
      // Its connection is idle now and will get nothing more.
      if (closing) server.closeIdleConnections();
    });
  });

  const controller = createShutdownController({
    logger: options.logger,
    drainTimeoutMs: options.drainTimeoutMs,
    inFlight: () => open.size,
    stopAccepting: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const response of open) if (!response.headersSent) response.setHeader('Connection', 'close');
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    forceClose: () => server.closeAllConnections(),
    cleanUp: options.cleanUp,
    exit: options.exit ?? ((code) => process.exit(code)),
  });
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => controller.onSignal(signal));
  return controller;
}
