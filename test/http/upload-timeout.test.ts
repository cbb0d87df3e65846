// Slow and stalled uploads: a body that goes silent, or takes too long in all,
// is answered 400 invalid_payload (reason upload_timeout) instead of holding
// the request — in the core app and over real HTTP on the Node server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { createApp } from '../../core/http/app.ts';
import { createEchoRunner } from '../support/doubles.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';

const BOUNDARY = 'audo-eq-timeout-test';
const HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="target"; filename="t.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
const encoder = new TextEncoder();

/** A body that sends `HEAD`, then one 1 KiB chunk every `everyMs` up to `chunks`, then (if `stall`) nothing ever again. */
function dribble(everyMs: number, chunks: number, stall: boolean): ReadableStream<Uint8Array> {
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(HEAD));
    },
    pull(controller) {
      if (sent >= chunks) {
        if (!stall) controller.close();
        return stall ? new Promise<void>(() => {}) : undefined;
      }
      return new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          sent++;
          controller.enqueue(new Uint8Array(1024));
          resolve();
        }, everyMs);
      });
    },
    cancel: () => clearTimeout(timer),
  });
}

function post(app: ReturnType<typeof createApp>, body: ReadableStream<Uint8Array>): Promise<Response> {
  return app(
    new Request('http://local/master', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
      duplex: 'half',
    } as RequestInit),
  );
}

test('an upload that goes silent is 400 invalid_payload saying it stalled', async () => {
  const app = createApp({ runner: createEchoRunner(), limits: { idleTimeoutMs: 150, timeoutMs: 60_000 } });
  const response = await post(app, dribble(10, 3, true));
  assert.is(response.status, 400);
  const { detail } = await response.json();
  assert.is(detail.code, 'invalid_payload');
  assert.is(detail.reason, 'upload_timeout');
  assert.is(detail.timeout_ms, 150);
  assert.match(detail.message, /stalled/);
});

test('an upload that keeps trickling past the total limit is 400 invalid_payload saying it was too slow', async () => {
  const app = createApp({ runner: createEchoRunner(), limits: { idleTimeoutMs: 10_000, timeoutMs: 300 } });
  const response = await post(app, dribble(40, 1_000, false));
  assert.is(response.status, 400);
  const { detail } = await response.json();
  assert.equal([detail.code, detail.reason, detail.timeout_ms], ['invalid_payload', 'upload_timeout', 300]);
  assert.match(detail.message, /too slow/);
});

test('a slow upload that finishes inside both limits is served', async () => {
  const app = createApp({ runner: createEchoRunner(), limits: { idleTimeoutMs: 2_000, timeoutMs: 10_000 } });
  const parts = [
    HEAD,
    'RIFF-not-checked-by-the-echo-runner',
    `\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="reference"; filename="r.wav"\r\n\r\nref\r\n--${BOUNDARY}--\r\n`,
  ];
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          if (index < parts.length) controller.enqueue(encoder.encode(parts[index++]));
          else controller.close();
          resolve();
        }, 30),
      ),
  });
  const response = await post(app, body);
  assert.is(response.status, 200);
});

test('over HTTP, a stalled upload gets its 400 and the server closes the connection instead of waiting for it', async () => {
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS: '300', AUDO_EQ_WORKERS: '1' });
  try {
    const outcome = await new Promise<{ status: number; body: string; closed: boolean }>((resolve, reject) => {
      const req = request(new URL('/master', server.baseUrl), { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
      req.on('error', () => {});
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text) => (body += text));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          // The server gives up on the rest of the body and ends the connection.
          req.socket?.once('close', () => resolve({ status, body, closed: true }));
          if (req.socket?.destroyed) resolve({ status, body, closed: true });
        });
      });
      req.write(HEAD);
      req.write(new Uint8Array(4096));
      setTimeout(() => reject(new Error('no answer to a stalled upload')), 20_000).unref();
    });
    assert.is(outcome.status, 400);
    assert.is(JSON.parse(outcome.body).detail.reason, 'upload_timeout');
    assert.ok(outcome.closed);
    assert.is((await fetch(`${server.baseUrl}/health`)).status, 200);
  } finally {
    await server.stop();
  }
});

test.run();
