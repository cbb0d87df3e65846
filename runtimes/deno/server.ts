// Deno composition root: `deno run -A runtimes/deno/server.ts`. Mastering runs
// on a Web Worker pool; SIGTERM/SIGINT shut down gracefully.
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';
import { createDrainGate } from '../shared/drain-gate.ts';
import { listenFailureLine } from '../shared/listen-failure.ts';
import { createShutdownController } from '../shared/shutdown.ts';
import { createWebWorkerPool } from '../shared/web-worker-pool.ts';
import { poolOptionsFromConfig } from '../shared/pool-options.ts';

let composition;
try {
  composition = await composeFromEnv(Deno.env.toObject(), {
    isTty: Deno.stdout.isTerminal(),
    createRunner: ({ config, logger }) => createWebWorkerPool(poolOptionsFromConfig(config, logger)),
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}

const { config, handler, logger, runner } = composition;
const gate = createDrainGate(handler);
let server: ReturnType<typeof Deno.serve>;
try {
  server = Deno.serve(
    {
      hostname: config.API_HOST,
      port: config.API_PORT,
      onListen: ({ hostname, port }) => logger.info('audo-eq listening', { host: hostname, port, runtime: 'deno', workers: runner.concurrency }),
    },
    gate.handler,
  );
} catch (error) {
  // A busy port or an address this machine lacks: one line, exit 1, no stack.
  console.error(listenFailureLine(error, config.API_HOST, config.API_PORT));
  Deno.exit(1);
}

const shutdown = createShutdownController({
  logger,
  drainTimeoutMs: config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS,
  inFlight: gate.inFlight,
  // Drain through the gate first: Deno's shutdown() would cut the bodies of uploads still arriving.
  stopAccepting: async () => {
    await gate.close();
    await server.shutdown();
  },
  // Nothing to cut by hand: exiting ends the remaining connections.
  forceClose: () => {},
  cleanUp: () => composition.close(),
  exit: (code) => Deno.exit(code),
});
Deno.addSignalListener('SIGTERM', () => shutdown.onSignal('SIGTERM'));
Deno.addSignalListener('SIGINT', () => shutdown.onSignal('SIGINT'));
