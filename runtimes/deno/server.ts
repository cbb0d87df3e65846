// Deno composition root: `deno run -A runtimes/deno/server.ts`.
import { ConfigError } from '../../core/app/config.ts';
import { composeFromEnv } from '../shared/compose.ts';

let composition;
try {
  composition = await composeFromEnv(Deno.env.toObject(), { isTty: Deno.stdout.isTerminal() });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}

const { config, handler, logger } = composition;
const server = Deno.serve(
  {
    hostname: config.API_HOST,
    port: config.API_PORT,
    onListen: ({ hostname, port }) => logger.info('audo-eq listening', { host: hostname, port, runtime: 'deno' }),
  },
  handler,
);

const shutdown = async () => {
  logger.info('audo-eq shutting down', {});
  await server.shutdown();
  await composition.close();
  Deno.exit(0);
};
Deno.addSignalListener('SIGTERM', shutdown);
Deno.addSignalListener('SIGINT', shutdown);
