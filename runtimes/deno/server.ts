// Deno composition root: `deno run -A runtimes/deno/server.ts`.
import { createHandler } from '../../mod.ts';
import { ConfigError, loadConfig } from '../../core/app/config.ts';

let config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    Deno.exit(1);
  }
  throw err;
}

const handler = createHandler();
Deno.serve(
  {
    hostname: config.API_HOST,
    port: config.API_PORT,
    onListen: ({ hostname, port }) =>
      console.log(JSON.stringify({ level: 'INFO', message: 'audo-eq listening', host: hostname, port })),
  },
  handler,
);
