// audo-eq inside your own node:http server, under /audo-eq/ (mastering on worker threads).
// Run: node --import tsx examples/embed-node.ts   (PORT, DATA_DIR optional)
import { createServer } from 'node:http';
import { createFilesystemStorage } from '../adapters/storage/filesystem.ts';
import { createHandler } from '../mod.ts';
import { toNodeListener } from '../runtimes/node/fetch-adapter.ts';
import { createNodeWorkerPool } from '../runtimes/node/pool.ts';

const audoEq = createHandler({
  // Mounted under /audo-eq/: URLs in responses (the artifact route) carry the prefix.
  basePath: '/audo-eq',
  runner: createNodeWorkerPool({ size: 2, maxWaiting: 8 }),
  storage: createFilesystemStorage({ dataDir: process.env.DATA_DIR ?? './data' }),
});

async function app(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === '/') return new Response('my app; audo-eq is under /audo-eq/\n');
  if (url.pathname.startsWith('/audo-eq/')) {
    url.pathname = url.pathname.slice('/audo-eq'.length);
    return audoEq(new Request(url, request));
  }
  return new Response('not found\n', { status: 404 });
}

const server = createServer(toNodeListener(app));
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
