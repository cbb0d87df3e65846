import { createServer } from 'node:http';
import { createHandler } from '../../mod.ts';
import { ConfigError, loadConfig } from '../../core/app/config.ts';
import { toNodeListener } from './fetch-adapter.ts';

/** Node composition root: validates env, builds the handler, serves it on node:http. */
function main(): void {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const server = createServer(toNodeListener(createHandler()));
  server.listen(config.API_PORT, config.API_HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.API_PORT;
    console.log(JSON.stringify({ level: 'INFO', message: 'audo-eq listening', host: config.API_HOST, port }));
  });
  const shutdown = () => server.close(() => process.exit(0));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main();
