/**
 * Graceful shutdown for the Node server. On the first SIGTERM/SIGINT: stop
 * accepting connections, answer in-flight requests in full (keep-alive
 * connections are closed after their current response), then run the
 * clean-up (stop workers, hand deferred work back to the queue, flush logs)
 * and exit 0. In-flight requests get `drainTimeoutMs`; past it their
 * connections are cut and the exit code is 1. A second signal exits at once.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AppLogger } from '../../core/app/ports.ts';

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

export interface GracefulShutdown {
  /** Requests being answered right now. */
  inFlight(): number;
  /** Starts the shutdown as if `signal` had arrived (a second call exits at once). */
  trigger(signal: NodeJS.Signals): void;
}

/** Exit status of a process ended by a signal, as shells report it (128 + signal number). */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Installs the signal handlers and request tracking on `server`. Install it
 * before the server starts listening.
 *
 * @example
 * installGracefulShutdown({ server, drainTimeoutMs: 25_000, logger, cleanUp: () => composition.close() });
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { server, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const open = new Set<ServerResponse>();
  let shuttingDown = false;

  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    if (shuttingDown) response.setHeader('Connection', 'close');
    response.once('close', () => {
      open.delete(response);
      // Its connection is idle now; nothing more will be answered on it.
      if (shuttingDown) server.closeIdleConnections();
    });
  });

  let finishing = false;
  const finish = async (code: number) => {
    if (finishing) return;
    finishing = true;
    try {
      await options.cleanUp();
    } catch (error) {
      logger.error('audo-eq clean-up failed during shutdown', { error });
      code = 1;
    }
    logger.info('audo-eq stopped', { exit_code: code });
    exit(code);
  };

  const trigger = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn('audo-eq second signal; exiting now', { signal, in_flight: open.size });
      exit(SIGNAL_EXIT_CODES[signal] ?? 1);
      return;
    }
    shuttingDown = true;
    logger.info('audo-eq shutting down', { signal, in_flight: open.size, drain_timeout_ms: options.drainTimeoutMs });
    for (const response of open) if (!response.headersSent) response.setHeader('Connection', 'close');
    const timer = setTimeout(() => {
      logger.warn('audo-eq drain timed out; cutting the remaining connections', { in_flight: open.size });
      server.closeAllConnections();
      void finish(1);
    }, options.drainTimeoutMs);
    server.close(() => {
      clearTimeout(timer);
      void finish(0);
    });
    server.closeIdleConnections();
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, () => trigger(signal));
  return { inFlight: () => open.size, trigger };
}
