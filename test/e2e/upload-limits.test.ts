// Upload limits over real HTTP: bodies over the total limit are refused with
// 413 while they stream (the client is still sending, the server's memory
// stays bounded), a part over the per-file limit is file_too_large.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fixtureHead } from '../support/fixtures.ts';
import { postMaster } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';

const MIB = 1024 * 1024;
const BODY_BYTES = 300 * MIB;
const BOUNDARY = 'audo-eq-limit-test';

let server: RunningServer;

test.before(async () => {
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, {
    AUDO_EQ_STORAGE_ENABLED: 'false',
    AUDO_EQ_MAX_FILE_BYTES: String(8 * MIB),
    AUDO_EQ_MAX_REQUEST_BYTES: String(24 * MIB),
  });
});
test.after(async () => {
  await server?.stop();
});

/** Peak resident memory of a process so far, in bytes (Linux /proc). */
function peakRssBytes(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

interface StreamedResult {
  status: number;
  body: string;
  bytesSentWhenAnswered: number;
  finishedSending: boolean;
}

/**
 * POSTs a multipart body of `totalBytes`, generated lazily in 1 MiB chunks as
 * file parts of `partBytes` each (a `target`, then `reference` parts: names
 * the route reads, so only size can stop it), without Content-Length
 * (chunked). Stops sending as soon as the response arrives.
 */
function streamBody(baseUrl: string, totalBytes: number, partBytes: number, headers: Record<string, string> = {}): Promise<StreamedResult> {
  return new Promise((resolve, reject) => {
    const url = new URL('/master', baseUrl);
    let sent = 0;
    let answered = false;
    let finished = false;
    const chunk = new Uint8Array(MIB).fill(0x55);
    const req = request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers } });
    req.on('response', (res) => {
      answered = true;
      const bytesSentWhenAnswered = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, bytesSentWhenAnswered, finishedSending: finished }));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const write = (data: Uint8Array | string) => new Promise<void>((done) => (req.write(data) ? done() : req.once('drain', done)));
    (async () => {
      let part = 0;
      while (sent < totalBytes && !answered && !req.destroyed) {
        const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part === 0 ? 'target' : 'reference'}"; filename="p${part}.wav"\r\nContent-Type: application/octet-stream\r\n\r\n`;
        await write(head);
        sent += head.length;
        for (let inPart = 0; inPart < partBytes && sent < totalBytes && !answered && !req.destroyed; inPart += MIB) {
          await write(chunk);
          sent += chunk.byteLength;
        }
        await write('\r\n');
        part++;
      }
      if (!answered && !req.destroyed) {
        finished = true;
        req.end(`--${BOUNDARY}--\r\n`);
      }
    })().catch(() => {});
  });
}

test('a 300 MiB body streamed without Content-Length gets 413 request_too_large long before it is sent, with bounded server memory', async () => {
  // 7 MiB parts (under the 8 MiB file limit): the fourth crosses the 24 MiB total, before a sixth reference could be refused.
  const result = await streamBody(server.baseUrl, BODY_BYTES, 7 * MIB);
  assert.is(result.status, 413);
  assert.is(JSON.parse(result.body).detail.code, 'request_too_large');
  assert.not.ok(result.finishedSending);
  assert.ok(result.bytesSentWhenAnswered < 64 * MIB, `client had sent ${result.bytesSentWhenAnswered} bytes`);
  const peak = peakRssBytes(server.process.pid!);
  assert.ok(peak < 300 * MIB, `server peak RSS ${Math.round(peak / MIB)} MiB`);
  // The server is still fine afterwards.
  assert.is((await fetch(`${server.baseUrl}/health`)).status, 200);
});

test('a declared Content-Length over the limit is refused with 413 before any of the body is read', async () => {
  const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(new URL('/master', server.baseUrl), {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(BODY_BYTES) },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(`--${BOUNDARY}\r\n`);
  });
  assert.is(result.status, 413);
  assert.is(JSON.parse(result.body).detail.code, 'request_too_large');
});

test('a single part over the per-file limit is 400 file_too_large while it streams', async () => {
  const result = await streamBody(server.baseUrl, 100 * MIB, 100 * MIB);
  assert.is(result.status, 400);
  assert.equal(JSON.parse(result.body).detail, { code: 'file_too_large', message: 'The uploaded file exceeds the size limit.', max_bytes: 8 * MIB });
  assert.ok(result.bytesSentWhenAnswered < 32 * MIB, `client had sent ${result.bytesSentWhenAnswered} bytes`);
});

test('AUDO_EQ_MAX_DURATION_SECONDS is the limit the server workers enforce', async () => {
  const [command, args] = nodeServerCommand();
  const short = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_WORKERS: '1', AUDO_EQ_MAX_DURATION_SECONDS: '2' });
  try {
    const clip = (path: string) => fixtureHead(path, 3);
    const response = await postMaster(short.baseUrl, clip('indie_pop/target.wav'), clip('indie_pop/reference.wav'));
    assert.is(response.status, 400);
    const { detail } = await response.json();
    assert.is(detail.code, 'duration_too_long');
    assert.is(detail.max_seconds, 2);
  } finally {
    await short.stop();
  }
});

test.run();
