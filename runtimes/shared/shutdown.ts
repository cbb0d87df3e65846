/**
 * The shutdown sequence every server runs on SIGTERM/SIGINT, whatever the
 * runtime: stop accepting, let in-flight requests finish (bounded), clean up
 * (stop mastering workers, hand deferred work back to the queue, flush logs),
 * exit 0. Past the drain bound the remaining connections are cut and the exit
 * code is 1; a second signal exits at once. Runtimes only say how to stop
 * their server and how to exit.
 *
 * One signal often arrives twice: Ctrl-C reaches both `npm start` and the
 * server in its process group, and npm forwards it again; `timeout` signals
 * the child and its group. The same signal again within
 * `DUPLICATE_SIGNAL_WINDOW_MS` is that echo, not an operator insisting, and
 * is ignored.
 */
import type { AppLogger } from '../../core/app/ports.ts';

export interface ShutdownSteps {
  readonly logger: AppLogger;
  /** How long in-flight requests may take to finish after the first signal. */
  readonly drainTimeoutMs: number;
  /** Stops accepting connections; resolves once every in-flight request is answered. */
  stopAccepting(): Promise<void>;
  /** Cuts whatever is still open (called when the drain times out). */
  forceClose(): void | Promise<void>;
  /** After the drain: stop workers, close clients, flush logs. */
  cleanUp(): Promise<void>;
  exit(code: number): void;
  /** Requests still open, for the log; optional. */
  inFlight?(): number;
}

export interface ShutdownController {
  /** Handles one signal: the first starts the sequence, a second exits at once. */
  onSignal(signal: string): void;
  /** Whether the sequence has started. */
  readonly started: boolean;
}

/** A repeat of the first signal this soon is the same signal delivered twice. */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

/** Exit status of a process ended by a signal, as shells report it (128 + signal number). */
const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

type DrainOutcome = 'drained' | 'timed-out';

/**
 * Creates the controller; wire `onSignal` to the runtime's signal listeners.
 *
 * @example
 * const shutdown = createShutdownController({ logger, drainTimeoutMs: 25_000, stopAccepting: () => server.shutdown(),
 *   forceClose: () => {}, cleanUp: () => composition.close(), exit: (code) => Deno.exit(code) });
 * Deno.addSignalListener('SIGTERM', () => shutdown.onSignal('SIGTERM'));
 */
export function createShutdownController(steps: ShutdownSteps): ShutdownController {
  const { logger } = steps;
  let started = false;
  let firstSignal = '';
  let firstSignalAtMs = 0;

  const run = async (signal: string) => {
    logger.info('audo-eq shutting down', { signal, in_flight: steps.inFlight?.(), drain_timeout_ms: steps.drainTimeoutMs });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<DrainOutcome>((resolve) => (timer = setTimeout(() => resolve('timed-out'), steps.drainTimeoutMs)));
    const drained = steps.stopAccepting().then(
      (): DrainOutcome => 'drained',
      (error: unknown): DrainOutcome => {
        logger.error('audo-eq failed to stop its server cleanly', { error });
        return 'timed-out';
      },
    );
    const outcome = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    let code = 0;
    if (outcome === 'timed-out') {
      logger.warn('audo-eq drain timed out; cutting the remaining connections', { in_flight: steps.inFlight?.() });
      await steps.forceClose();
      code = 1;
    }
    try {
      await steps.cleanUp();
    } catch (error) {
      logger.error('audo-eq clean-up failed during shutdown', { error });
      code = 1;
    }
    logger.info('audo-eq stopped', { exit_code: code });
    steps.exit(code);
  };

  return {
    get started() {
      return started;
    },
    onSignal(signal) {
      if (started && signal === firstSignal && performance.now() - firstSignalAtMs < DUPLICATE_SIGNAL_WINDOW_MS) {
        logger.debug('audo-eq ignored a repeat of the shutdown signal', { signal });
        return;
      }
      if (started) {
        logger.warn('audo-eq second signal; exiting now', { signal, in_flight: steps.inFlight?.() });
        steps.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
        return;
      }
      started = true;
      firstSignal = signal;
      firstSignalAtMs = performance.now();
      void run(signal);
    },
  };
}
