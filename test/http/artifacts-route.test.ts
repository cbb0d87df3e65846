// GET /artifacts/{key} over the core app with the real filesystem storage
// (a temporary data folder) and the real memory queue: stored artifacts are
// served byte for byte, deferred ones answer 202 until the worker stores
// them, unknown ones 404, and no key reaches a file outside the artifacts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../core/http/app.ts';
import { createArtifactWorker } from '../../core/app/artifact-worker.ts';
import { createLoggingEventPublisher, silentLogger } from '../../core/app/logging-event-publisher.ts';
import { createFilesystemStorage } from '../../adapters/storage/filesystem.ts';
import { createMemoryQueue } from '../../adapters/queue/memory.ts';
import { createEchoRunner, createFailingStorage, multipartForm, tinyWav } from '../support/doubles.ts';

const root = mkdtempSync(join(tmpdir(), 'audo-eq-artifacts-'));
const dataDir = join(root, 'data');
const SECRET = new TextEncoder().encode('secret outside the artifacts');
mkdirSync(join(dataDir, 'jobs', 'j1'), { recursive: true });
writeFileSync(join(root, 'outside.wav'), SECRET);
writeFileSync(join(dataDir, 'secret.wav'), SECRET);
writeFileSync(join(dataDir, 'jobs', 'j1', 'target'), SECRET);

const master = (app: ReturnType<typeof createApp>) =>
  app(new Request('http://api.local:8000/master', { method: 'POST', body: multipartForm({ target: tinyWav(), reference: tinyWav() }) }));

test('immediate + filesystem: the key and the artifact route as URL (never a server path); GET serves the same bytes', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: createFilesystemStorage({ dataDir }) });
  const response = await master(app);
  const body = new Uint8Array(await response.arrayBuffer());
  const key = response.headers.get('x-mastered-object-key')!;
  assert.match(key, /^mastered\/[0-9a-f-]{36}\.wav$/);
  const url = response.headers.get('x-mastered-object-url')!;
  assert.is(url, `http://api.local:8000/artifacts/${key}`);
  assert.not.match(url, /file:|\/tmp\//);
  const fetched = await app(new Request(url));
  assert.is(fetched.status, 200);
  assert.is(fetched.headers.get('content-type'), 'audio/wav');
  assert.equal(new Uint8Array(await fetched.arrayBuffer()), body);
});

test('the artifact URL follows the configured public URL', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: createFilesystemStorage({ dataDir }), publicUrl: 'https://master.example.com/' });
  const response = await master(app);
  assert.is(response.headers.get('x-mastered-object-url'), `https://master.example.com/artifacts/${response.headers.get('x-mastered-object-key')}`);
});

test('deferred: 202 with the status while queued, 200 with identical bytes once the worker stored it; unknown keys 404', async () => {
  const storage = createFilesystemStorage({ dataDir });
  const queue = createMemoryQueue({ name: 'artifacts', capacity: 8, maxBytes: 1 << 24, visibilityTimeoutMs: 60_000 });
  const app = createApp({ runner: createEchoRunner(), storage, queue, persistence: { mode: 'deferred', guarantee: 'best-effort' } });
  const response = await master(app);
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
  assert.is(response.headers.get('x-mastered-object-url'), null);
  const key = response.headers.get('x-mastered-object-key')!;
  assert.match(key, /^mastered\/[0-9a-f-]{36}\.wav$/);

  const waiting = await app(new Request(`http://local/artifacts/${key}`));
  assert.is(waiting.status, 202);
  assert.ok(Number(waiting.headers.get('retry-after')) > 0);
  const status = await waiting.json();
  assert.is(status.key, key);
  assert.is(status.status, 'deferred');
  assert.type(status.queued_at, 'string');

  const worker = createArtifactWorker({
    queue,
    storage,
    events: createLoggingEventPublisher(silentLogger),
    logger: silentLogger,
    clock: { now: () => new Date() },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
    pollWaitMs: 20,
  });
  worker.start();
  try {
    let fetched: Response;
    for (let attempt = 0; ; attempt++) {
      fetched = await app(new Request(`http://local/artifacts/${key}`));
      if (fetched.status === 200 || attempt > 200) break;
      await fetched.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.is(fetched.status, 200);
    assert.equal(new Uint8Array(await fetched.arrayBuffer()), body);
  } finally {
    await worker.stop();
    await queue.close();
  }
  const unknown = await app(new Request(`http://local/artifacts/mastered/${crypto.randomUUID()}.wav`));
  assert.is(unknown.status, 404);
  assert.is((await unknown.json()).detail.code, 'artifact_not_found');
});

test('keys that would leave the artifacts are refused before any storage call; none returns a file outside them', async () => {
  let storageCalls = 0;
  const storage = createFilesystemStorage({ dataDir });
  const counting = { ...storage, read: (key: string) => (storageCalls++, storage.read(key)) };
  const app = createApp({ runner: createEchoRunner(), storage: counting });
  const paths = [
    '/artifacts/../outside.wav',
    '/artifacts/%2e%2e/outside.wav',
    '/artifacts/%2e%2e%2foutside.wav',
    '/artifacts/mastered%2f..%2f..%2foutside.wav',
    '/artifacts/mastered/..%2f..%2foutside.wav',
    '/artifacts/mastered/%2e%2e%2f%2e%2e%2foutside.wav',
    '/artifacts//etc/passwd',
    `/artifacts/${encodeURIComponent(join(root, 'outside.wav'))}`,
    '/artifacts/mastered//secret.wav',
    '/artifacts/secret.wav',
    '/artifacts/jobs/j1/target',
    '/artifacts/mastered/../secret.wav',
    '/artifacts/mastered/..\\secret.wav',
  ];
  for (const path of paths) {
    const response = await app(new Request(`http://local${path}`));
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok([400, 404].includes(response.status), `${path} answered ${response.status}`);
    assert.not.equal(bytes, SECRET, `${path} returned a file outside the artifacts`);
  }
  assert.is(storageCalls, 0, 'a refused key reached storage');
  const detail = (await (await app(new Request('http://local/artifacts/mastered%2f..%2fsecret.wav'))).json()).detail;
  assert.is(detail.code, 'invalid_artifact_key');
});

test('API keys protect the route like /master; storage that fails is 503 with Retry-After', async () => {
  const keyed = createApp({ runner: createEchoRunner(), storage: createFilesystemStorage({ dataDir }), apiKeys: ['k-1234567'] });
  assert.is((await keyed(new Request(`http://local/artifacts/mastered/${crypto.randomUUID()}.wav`))).status, 401);
  const authorized = await keyed(new Request(`http://local/artifacts/mastered/${crypto.randomUUID()}.wav`, { headers: { 'x-api-key': 'k-1234567' } }));
  assert.is(authorized.status, 404);
  const failing = createApp({ runner: createEchoRunner(), storage: createFailingStorage() });
  const response = await failing(new Request(`http://local/artifacts/mastered/${crypto.randomUUID()}.wav`));
  assert.is(response.status, 503);
  assert.ok(Number(response.headers.get('retry-after')) > 0);
  assert.is((await response.json()).detail.storage_error, 'storage_endpoint_unreachable');
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
