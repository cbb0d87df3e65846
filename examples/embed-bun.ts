// audo-eq inside your own Bun.serve app, under /audo-eq/ (mastering on Web Workers).
// Run: bun examples/embed-bun.ts   (PORT, DATA_DIR optional)
import { createFilesystemStorage } from '../adapters/storage/filesystem.ts';
import { createHandler } from '../mod.ts';
import { createWebWorkerPool } from '../runtimes/shared/web-worker-pool.ts';

// Bun's own types come from `bun-types`; this line keeps the example free of them.
declare const Bun: { serve(options: { hostname: string; port: number; maxRequestBodySize: number; fetch(request: Request): Response | Promise<Response> }): { port: number } };

const audoEq = createHandler({
  // Mounted under /audo-eq/: URLs in responses (the artifact route) carry the prefix.
  basePath: '/audo-eq',
  runner: createWebWorkerPool({ size: 2, maxWaiting: 8 }),
  storage: createFilesystemStorage({ dataDir: process.env.DATA_DIR ?? './data' }),
});

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 8080),
  // Bun refuses bodies over 128 MiB by default; audo-eq enforces its own limits as bytes arrive.
  maxRequestBodySize: 202 * 1024 * 1024,
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/') return new Response('my app; audo-eq is under /audo-eq/\n');
    if (url.pathname.startsWith('/audo-eq/')) {
      url.pathname = url.pathname.slice('/audo-eq'.length);
      return audoEq(new Request(url, request));
    }
    return new Response('not found\n', { status: 404 });
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
