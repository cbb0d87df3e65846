// Node composition root: env → handler (runtimes/shared/compose.ts) with a
// worker-thread pool → node:http, with graceful shutdown on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';
import { toNodeListener } from './fetch-adapter.ts';
import { installGracefulShutdown } from './graceful-shutdown.ts';
import { listenFailureLine } from '../shared/listen-failure.ts';
import { createNodeWorkerPool } from './pool.ts';
import { poolOptionsFromConfig } from '../shared/pool-options.ts';
import { routeProcessWarnings } from './process-warnings.ts';
import { createTempFileSpool } from './temp-file-spool.ts';
import { bytesBody } from '../../core/http/responses.ts';

/** Node's own request timeout stays behind the app's, so the app's clear error answers first. */
const NODE_REQUEST_TIMEOUT_MARGIN_MS = 10_000;

async function main(): Promise<void> {
  // Before the AWS SDK loads: its multi-line Node-version warning becomes one log record.
  const warnings = routeProcessWarnings();
  let composition;
  try {
    composition = await composeFromEnv(process.env, {
      isTty: process.stdout.isTTY === true,
      createRunner: ({ config, logger }) => createNodeWorkerPool(poolOptionsFromConfig(config, logger)),
      // Uploads past the threshold wait on disk, not in memory, while they arrive.
      createUploadSpool: (config) => createTempFileSpool({ thresholdBytes: config.AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES, dir: config.AUDO_EQ_UPLOAD_SPOOL_DIR }),
      // Node's Response copies an array body; a stream of views of the master copies nothing (Content-Length is kept).
      byteBody: bytesBody,
    });
  } catch (error) {
    warnings.release();
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, handler, logger } = composition;
  warnings.attach(logger);
  const requestTimeout = config.AUDO_EQ_REQUEST_TIMEOUT_MS + NODE_REQUEST_TIMEOUT_MARGIN_MS;
  const server = createServer(
    {
      requestTimeout,
      // Node refuses a headers timeout longer than the request timeout.
      headersTimeout: Math.min(60_000, requestTimeout),
      keepAliveTimeout: 5_000,
    },
    toNodeListener(handler),
  );
  installGracefulShutdown({ server, drainTimeoutMs: config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS, logger, cleanUp: () => composition.close() });
  // A busy port or an address this machine lacks: one line, exit 1, no stack.
  server.once('error', (error) => {
    console.error(listenFailureLine(error, config.API_HOST, config.API_PORT));
    process.exit(1);
  });
  server.listen(config.API_PORT, config.API_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.API_PORT;
    // Tests and operators wait for this line; it carries the actual port (API_PORT=0 picks a free one).
    logger.info('audo-eq listening', { host: config.API_HOST, port, runtime: 'node', workers: composition.runner.concurrency });
  });
}

await main();
