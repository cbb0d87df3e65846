// audo-eq inside your own Deno.serve app, under /audo-eq/ (mastering on Web Workers).
// Run: deno run -A examples/embed-deno.ts   (PORT, DATA_DIR optional)
import { createFilesystemStorage } from '../adapters/storage/filesystem.ts';
import { createHandler } from '../mod.ts';
import { createWebWorkerPool } from '../runtimes/shared/web-worker-pool.ts';

const audoEq = createHandler({
  // Mounted under /audo-eq/: URLs in responses (the artifact route) carry the prefix.
  basePath: '/audo-eq',
  runner: createWebWorkerPool({ size: 2, maxWaiting: 8 }),
  storage: createFilesystemStorage({ dataDir: Deno.env.get('DATA_DIR') ?? './data' }),
});

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 8080),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  (request) => {
    const url = new URL(request.url);
    if (url.pathname === '/') return new Response('my app; audo-eq is under /audo-eq/\n');
    if (url.pathname.startsWith('/audo-eq/')) {
      url.pathname = url.pathname.slice('/audo-eq'.length);
      return audoEq(new Request(url, request));
    }
    return new Response('not found\n', { status: 404 });
  },
);
