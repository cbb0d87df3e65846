// Large uploads wait on disk: with the Node server's temporary-file spool, a
// file part past the threshold is in a temporary file while the body is
// still arriving, the job gets every byte, and no temporary file is left —
// after success, after a part over the limit, a duplicate part, or a body
// that breaks off mid-upload. Small parts never touch the disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../core/http/app.ts';
import { createUploadCollector } from '../../core/http/upload-spool.ts';
import { createTempFileSpool } from '../../runtimes/node/temp-file-spool.ts';
import { createEchoRunner } from '../support/doubles.ts';

const BOUNDARY = 'spool-test-boundary';
const THRESHOLD = 64 * 1024;
const encoder = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'audo-eq-spool-test-'));
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  // Node lists a finished fs/promises request as active until the next turn of the loop.
  await new Promise((resolve) => setImmediate(resolve));
});

const spooledFiles = () => readdirSync(dir);
const pattern = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

/**
 * A streamed multipart body: for each part its head, its content in 16 KiB
 * pieces, then the closing boundary (or an error instead, `breakAfter` bytes
 * in). `onPiece` runs before each content piece is handed over.
 */
function streamedBody(parts: Array<[string, Uint8Array]>, options: { breakAfter?: number; onPiece?: (sent: number) => void } = {}): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (const [name, content] of parts) {
    pieces.push(encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.wav"\r\n\r\n`));
    for (let offset = 0; offset < content.length; offset += 16 * 1024) pieces.push(content.subarray(offset, offset + 16 * 1024));
    pieces.push(encoder.encode('\r\n'));
  }
  pieces.push(encoder.encode(`--${BOUNDARY}--\r\n`));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      const piece = pieces.shift();
      if (!piece) return controller.close();
      if (options.breakAfter !== undefined && sent >= options.breakAfter) return controller.error(new TypeError('the client went away'));
      options.onPiece?.(sent);
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
}

function appWithSpool(maxFileBytes = 8 * 1024 * 1024) {
  const runner = createEchoRunner();
  const app = createApp({ runner, limits: { maxFileBytes, maxRequestBytes: 3 * maxFileBytes, spool: createTempFileSpool({ thresholdBytes: THRESHOLD, dir }) } });
  const post = (body: ReadableStream<Uint8Array>) =>
    app(new Request('http://local/master', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, duplex: 'half' } as RequestInit));
  return { runner, post };
}

test('a part past the threshold is in a temporary file while the body arrives; the job gets every byte; the file is gone after', async () => {
  const target = pattern(1024 * 1024, 7);
  const reference = pattern(20 * 1024, 3);
  const { runner, post } = appWithSpool();
  const seenWhileUploading = new Set<number>();
  const response = await post(streamedBody([['target', target], ['reference', reference]], { onPiece: (sent) => sent > 2 * THRESHOLD && seenWhileUploading.add(spooledFiles().length) }));
  assert.is(response.status, 200, await response.clone().text());
  assert.equal([...seenWhileUploading], [1], 'exactly one temporary file while the large part streams');
  assert.equal(runner.jobs[0].target.bytes, target);
  assert.equal((runner.jobs[0].reference as { bytes: Uint8Array }).bytes, reference, 'the small part, kept in memory');
  assert.equal(spooledFiles(), []);
});

test('the temporary file is owner-only while it exists', async () => {
  const collector = createUploadCollector(createTempFileSpool({ thresholdBytes: 10, dir }));
  await collector.write(pattern(100, 1));
  assert.ok(collector.spooled);
  const [name] = spooledFiles();
  assert.match(name, /^audo-eq-upload-[0-9a-f-]{36}$/);
  assert.is(statSync(join(dir, name)).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, name)), Buffer.from(pattern(100, 1)));
  await collector.discard();
  assert.equal(spooledFiles(), []);
});

test('parts under the threshold never touch the disk', async () => {
  const collector = createUploadCollector(createTempFileSpool({ thresholdBytes: THRESHOLD, dir }));
  await collector.write(pattern(THRESHOLD, 2));
  assert.not.ok(collector.spooled);
  assert.equal(spooledFiles(), []);
  assert.equal(await collector.finish(), pattern(THRESHOLD, 2));
});

test('no temporary file is left after a part over the limit, a duplicate part, or a body that breaks off', async () => {
  const big = pattern(600 * 1024, 5);
  const cases: Array<[string, ReadableStream<Uint8Array>, number, string, number]> = [
    ['a part over the limit', streamedBody([['target', big], ['reference', big]]), 512 * 1024, 'file_too_large', 400],
    ['a duplicate part', streamedBody([['target', big], ['target', big], ['reference', big]]), 8 * 1024 * 1024, 'invalid_payload', 400],
    ['a body that breaks off', streamedBody([['target', big], ['reference', big]], { breakAfter: 400 * 1024 }), 8 * 1024 * 1024, 'invalid_payload', 400],
  ];
  for (const [label, body, maxFileBytes, code, status] of cases) {
    const { runner, post } = appWithSpool(maxFileBytes);
    const response = await post(body);
    assert.is(response.status, status, label);
    assert.is((await response.json()).detail.code, code, label);
    assert.is(runner.jobs.length, 0, label);
    assert.equal(spooledFiles(), [], `${label}: no temporary file left`);
  }
});

test.run();
