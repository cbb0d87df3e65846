// The Node adapter (runtimes/node/fetch-adapter.ts) on a real loopback server:
// a large streamed answer whose client goes away mid-body ends the request's
// work (the body is cancelled) instead of waiting forever for a drain that
// cannot come; one read to the end arrives whole, with its Content-Length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesBody } from '../../core/http/responses.ts';
import { toNodeListener } from '../../runtimes/node/fetch-adapter.ts';

const SIZE = 64 * 1024 * 1024;

function serve(onCancel: () => void) {
  const bytes = new Uint8Array(SIZE).fill(7);
  const listener = toNodeListener(async () => {
    const body = bytesBody(bytes);
    const reader = body.getReader();
    // Pass the chunks on, noting a cancel from the adapter.
    const watched = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        onCancel();
        return reader.cancel(reason);
      },
    });
    return new Response(watched, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) } });
  });
  const finished: Promise<void>[] = [];
  const server = createServer((req, res) => void finished.push(listener(req, res)));
  return new Promise<{ port: number; finished: Promise<void>[]; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, finished, close: () => server.close() })),
  );
}

test('a client that goes away mid-body ends the response: its body is cancelled and the request finishes', async () => {
  let cancelled = false;
  const server = await serve(() => (cancelled = true));
  try {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/' }, (res) => {
        // Take a little, then hang up without reading the rest.
        res.once('data', () => {
          res.destroy();
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.once('error', reject);
      req.end();
    });
    const outcome = await Promise.race([server.finished[0].then(() => 'finished'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 20_000))]);
    assert.is(outcome, 'finished');
    assert.ok(cancelled, 'the rest of the body was cancelled');
  } finally {
    server.close();
  }
});

test('a client that reads to the end gets every byte, with the Content-Length', async () => {
  const server = await serve(() => undefined);
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.is(response.headers.get('content-length'), String(SIZE));
    const body = new Uint8Array(await response.arrayBuffer());
    assert.is(body.byteLength, SIZE);
    assert.ok(body.every((value) => value === 7));
    await server.finished[0];
  } finally {
    server.close();
  }
});

test.run();
