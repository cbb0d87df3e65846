// The same smoke flow against each runtime's server (Node, Deno, Bun), each
// mastering on its worker pool with filesystem storage: /health, a real
// reference-match master stored on disk with its events in order, a bad upload
// answered with its code from inside a worker, backpressure (one worker,
// nothing waiting → 503 overloaded), and SIGTERM during an in-flight request
// (full response, exit 0); an in-memory job with a signed callback (the Node
// callback transport under Deno's and Bun's node:http).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHead, fixturePath } from '../support/fixtures.ts';
import { holdUpload } from '../support/held-upload.ts';
import { eventNamesFor, jsonLogRecords, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';
import { bunBinary, denoBinary, nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../core/app/jobs/webhook-signature.ts';
import { multipartForm } from '../support/doubles.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

const RUNTIMES = [
  { name: 'Node', command: nodeServerCommand, binary: null },
  { name: 'Deno', command: (): [string, string[]] => [denoBinary, ['run', '-A', 'runtimes/deno/server.ts']], binary: denoBinary },
  { name: 'Bun', command: (): [string, string[]] => [bunBinary, ['runtimes/bun/server.ts']], binary: bunBinary },
] as const;

async function exitCode(server: RunningServer, timeoutMs = 30_000): Promise<number | null> {
  if (server.process.exitCode !== null) return server.process.exitCode;
  const timer = setTimeout(() => server.process.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(server.process, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

for (const runtime of RUNTIMES) {
  if (runtime.binary && !requireTool(runtime.name.toLowerCase(), existsSync(runtime.binary), `${runtime.name} runtime parity`)) continue;

  test(`${runtime.name}: health, a stored reference-match master with its events in order, and a bad upload's code from the worker`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), `audo-eq-${runtime.name.toLowerCase()}-`));
    const [command, args] = runtime.command();
    const server = await startServer(command, args, { AUDO_EQ_WORKERS: '1', AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_LOG_FORMAT: 'json' });
    const correlationId = `parity-${runtime.name.toLowerCase()}`;
    try {
      const health = await fetch(`${server.baseUrl}/health`);
      assert.equal([health.status, await health.json()], [200, { status: 'ok' }]);

      const response = await postMaster(server.baseUrl, fixturePath('synthwave_48k_24bit/target.wav'), fixturePath('synthwave_48k_24bit/reference.wav'), {
        query: '?eq_mode=reference-match',
        headers: { 'X-Correlation-Id': correlationId },
      });
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 300)));
      assert.equal([readWavInfo(body).sampleRateHz, readWavInfo(body).channels], [48000, 2]);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
      // The filesystem backend's URL is the artifact route (never a server path); it serves the stored file.
      const key = response.headers.get('x-mastered-object-key')!;
      assert.is(response.headers.get('x-mastered-object-url'), `${server.baseUrl}/artifacts/${key}`);
      assert.ok(Buffer.from(readFileSync(join(dataDir, key))).equals(Buffer.from(body)));
      const served = await fetch(response.headers.get('x-mastered-object-url')!);
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(body)));
      await waitForOutput(server.output, (out) => eventNamesFor(out, correlationId).includes('ArtifactStored'));
      assert.equal(eventNamesFor(server.output(), correlationId), [
        'IngestValidated',
        'TrackAnalyzed',
        'TrackAnalyzed',
        'MasteringDecided',
        'MasteringRendered',
        'ArtifactStored',
      ]);

      const bad = await postMaster(server.baseUrl, fixtureHead('indie_pop/target.wav', 2), fixturePath('malformed/truncated.wav'));
      const { detail } = (await bad.json()) as { detail: { code: string; part: string } };
      assert.equal([bad.status, detail.code, detail.part], [400, 'corrupted_file', 'reference']);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test(`${runtime.name}: with one worker and nothing waiting, a second master is 503 overloaded; SIGTERM still answers the first in full and exits 0`, async () => {
    const [command, args] = runtime.command();
    const server = await startServer(command, args, { AUDO_EQ_WORKERS: '1', AUDO_EQ_MAX_PENDING: '0', AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_LOG_FORMAT: 'json' });
    try {
      const target = fixtureHead('indie_pop/target.wav', 3);
      const reference = fixtureHead('indie_pop/reference.wav', 3);
      const held = holdUpload(server.baseUrl, target, reference, { 'X-Correlation-Id': 'parity-held' });
      // The held request takes the only slot once admitted; poll until the next one is refused.
      let refused: Response | undefined;
      for (let attempt = 0; attempt < 100 && !refused; attempt++) {
        const response = await postMaster(server.baseUrl, new Uint8Array([1]), new Uint8Array([1]));
        if (response.status === 503) refused = response;
        else await response.arrayBuffer();
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.ok(refused, 'the second master was refused');
      assert.is(((await refused!.json()) as { detail: { code: string } }).detail.code, 'overloaded');
      assert.ok(Number(refused!.headers.get('retry-after')) > 0);

      server.process.kill('SIGTERM');
      await waitForOutput(server.output, (out) => out.includes('"message":"audo-eq shutting down"'));
      held.release();
      const answer = await held.response;
      assert.is(answer.status, 200, answer.body.subarray(0, 200).toString());
      assert.is(Number(answer.headers['content-length']), answer.body.byteLength);
      assert.is(readWavInfo(new Uint8Array(answer.body)).channels, 2);
      assert.is(await exitCode(server), 0);
      const messages = jsonLogRecords(server.output()).map((r) => r.message);
      assert.ok(messages.indexOf('audo-eq shutting down') < messages.indexOf('audo-eq stopped'));
    } finally {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
    }
  });

  test(`${runtime.name}: an in-memory job runs on the worker pool, its result equals /master, and its signed callback arrives`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), `audo-eq-${runtime.name.toLowerCase()}-jobs-`));
    const received: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['x-audo-eq-signature']) });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const [command, args] = runtime.command();
    const server = await startServer(command, args, {
      AUDO_EQ_WORKERS: '1',
      AUDO_EQ_STORAGE_BACKEND: 'filesystem',
      AUDO_EQ_DATA_DIR: dataDir,
      AUDO_EQ_LOG_FORMAT: 'json',
      AUDO_EQ_WEBHOOK_SECRET: 'parity-secret',
      AUDO_EQ_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    });
    try {
      const files = { target: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 3 }), reference: buildPcmWav({ sampleRateHz: 48_000, channels: 2, frames: 48_000 * 2 }) };
      const submitted = await fetch(`${server.baseUrl}/jobs?bit_depth=16&callback_url=${encodeURIComponent(hook)}`, { method: 'POST', body: multipartForm(files) });
      assert.is(submitted.status, 202, await submitted.clone().text());
      const { job_id } = await submitted.json();
      let doc: { status: string; callback: { status: string } | null; error: unknown } | null = null;
      for (let i = 0; i < 600 && !(doc && doc.callback?.status === 'delivered'); i++) {
        doc = await (await fetch(`${server.baseUrl}/jobs/${job_id}`)).json();
        if (doc!.status === 'failed' || doc!.callback?.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.is(doc!.status, 'succeeded', JSON.stringify(doc));
      assert.is(doc!.callback?.status, 'delivered', JSON.stringify(doc!.callback));
      const result = new Uint8Array(await (await fetch(`${server.baseUrl}/jobs/${job_id}/result`)).arrayBuffer());
      const direct = await fetch(`${server.baseUrl}/master?bit_depth=16`, { method: 'POST', body: multipartForm(files) });
      assert.ok(Buffer.from(result).equals(Buffer.from(await direct.arrayBuffer())), 'job result equals /master');
      assert.is(received.length, 1);
      assert.ok(await verifyWebhookSignature('parity-secret', received[0].body, received[0].signature, Date.now() / 1000));
      assert.is(JSON.parse(received[0].body).job_id, job_id);
    } finally {
      await server.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test.run();
