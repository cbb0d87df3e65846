// Bun composition root: `bun runtimes/bun/server.ts`.
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    maxRequestBodySize: number;
    idleTimeout: number;
    fetch: (req: Request) => Promise<Response>;
  }): { hostname: string; port: number; stop(closeActiveConnections?: boolean): Promise<void> };
};

let composition;
try {
  composition = await composeFromEnv(process.env, { isTty: process.stdout.isTTY === true });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const { config, handler, logger } = composition;
const server = Bun.serve({
  hostname: config.API_HOST,
  port: config.API_PORT,
  // Bun refuses bodies over 128 MiB by default; the app applies its own limits while streaming.
  maxRequestBodySize: config.AUDO_EQ_MAX_REQUEST_BYTES + 1024 * 1024,
  // Seconds a connection may be silent (Bun's maximum): mastering a long track takes a while.
  idleTimeout: 255,
  fetch: handler,
});
logger.info('audo-eq listening', { host: server.hostname, port: server.port, runtime: 'bun' });

const shutdown = async () => {
  await server.stop();
  await composition.close();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
