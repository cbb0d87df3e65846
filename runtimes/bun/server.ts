// Bun composition root: `bun runtimes/bun/server.ts`. Mastering runs on a Web
// Worker pool; SIGTERM/SIGINT shut down gracefully.
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';
import { listenFailureLine } from '../shared/listen-failure.ts';
import { createShutdownController } from '../shared/shutdown.ts';
import { createWebWorkerPool } from '../shared/web-worker-pool.ts';
import { poolOptionsFromConfig } from '../shared/pool-options.ts';

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    maxRequestBodySize: number;
    idleTimeout: number;
    fetch: (req: Request) => Promise<Response>;
  }): { hostname: string; port: number; pendingRequests: number; stop(closeActiveConnections?: boolean): Promise<void> };
};

let composition;
try {
  composition = await composeFromEnv(process.env, {
    isTty: process.stdout.isTTY === true,
    createRunner: ({ config, logger }) => createWebWorkerPool(poolOptionsFromConfig(config, logger)),
  });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const { config, handler, logger, runner } = composition;
let server: ReturnType<typeof Bun.serve>;
try {
  server = Bun.serve({
    hostname: config.API_HOST,
    port: config.API_PORT,
    // Bun refuses bodies over 128 MiB by default; the app applies its own limits while streaming.
    maxRequestBodySize: config.AUDO_EQ_MAX_REQUEST_BYTES + 1024 * 1024,
    // Seconds a connection may be silent (Bun's maximum): mastering a long track takes a while.
    idleTimeout: 255,
    fetch: handler,
  });
} catch (error) {
  // A busy port or an address this machine lacks: one line, exit 1, no stack.
  // process.stderr, not console.error: Bun colours console.error's text even into a pipe.
  process.stderr.write(`${listenFailureLine(error, config.API_HOST, config.API_PORT)}\n`);
  process.exit(1);
}
logger.info('audo-eq listening', { host: server.hostname, port: server.port, runtime: 'bun', workers: runner.concurrency });

const shutdown = createShutdownController({
  logger,
  drainTimeoutMs: config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS,
  inFlight: () => server.pendingRequests,
  // Bun's stop() stops listening, closes idle keep-alive connections and resolves once the rest are done.
  stopAccepting: () => server.stop(),
  forceClose: () => server.stop(true),
  cleanUp: () => composition.close(),
  exit: (code) => process.exit(code),
});
process.on('SIGTERM', () => shutdown.onSignal('SIGTERM'));
process.on('SIGINT', () => shutdown.onSignal('SIGINT'));
