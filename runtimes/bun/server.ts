// Bun composition root: `bun runtimes/bun/server.ts`.
import { createHandler } from '../../mod.ts';
import { ConfigError, loadConfig } from '../../core/app/config.ts';

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (req: Request) => Promise<Response> }): {
    hostname: string;
    port: number;
  };
};

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

const server = Bun.serve({ hostname: config.API_HOST, port: config.API_PORT, fetch: createHandler() });
console.log(JSON.stringify({ level: 'INFO', message: 'audo-eq listening', host: server.hostname, port: server.port }));
