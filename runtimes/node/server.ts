// Node composition root: env → handler (runtimes/shared/compose.ts) → node:http.
import { createServer } from 'node:http';
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';
import { toNodeListener } from './fetch-adapter.ts';

async function main(): Promise<void> {
  let composition;
  try {
    composition = await composeFromEnv(process.env, { isTty: process.stdout.isTTY === true });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, handler, logger } = composition;
  const server = createServer(
    {
      // Uploads of up to AUDO_EQ_MAX_REQUEST_BYTES on slow links need more than Node's 300 s default.
      requestTimeout: 15 * 60_000,
      headersTimeout: 60_000,
      keepAliveTimeout: 5_000,
    },
    toNodeListener(handler),
  );
  server.listen(config.API_PORT, config.API_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.API_PORT;
    // Tests and operators wait for this line; it carries the actual port (API_PORT=0 picks a free one).
    logger.info('audo-eq listening', { host: config.API_HOST, port, runtime: 'node' });
  });
  const shutdown = () => {
    logger.info('audo-eq shutting down', {});
    server.close(async () => {
      await composition.close();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

await main();
