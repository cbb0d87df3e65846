import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFilesystemStorage } from '../../adapters/storage/filesystem.ts';
import { tinyWav } from '../support/doubles.ts';

const dataDir = join(mkdtempSync(join(tmpdir(), 'audo-eq-fs-')), 'data');
const storage = createFilesystemStorage({ dataDir });

test.after(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

test('readiness creates the data directory', async () => {
  assert.is(existsSync(dataDir), false);
  await storage.checkReady();
  assert.is(existsSync(dataDir), true);
});

test('store writes the bytes under the key with a metadata sidecar; no URL (a server path is no use to a client), the file URL only as destination', async () => {
  const stored = await storage.store({ key: 'mastered/a.wav', bytes: tinyWav(), contentType: 'audio/wav', metadata: { 'correlation-id': 'c-fs', 'profile-id': 'default' } });
  const path = join(dataDir, 'mastered/a.wav');
  assert.is(stored.url, null);
  assert.is(fileURLToPath(stored.destination), path);
  assert.equal(new Uint8Array(readFileSync(path)), tinyWav());
  assert.equal(JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')), { contentType: 'audio/wav', metadata: { 'correlation-id': 'c-fs', 'profile-id': 'default' } });
  assert.is(await storage.exists('mastered/a.wav'), true);
  assert.is(await storage.exists('mastered/b.wav'), false);
  assert.not.ok(readdirSync(join(dataDir, 'mastered')).some((name) => name.endsWith('.partial')));
});

test('read returns the stored bytes, null for an unknown key, and remove deletes object and sidecar (twice is fine)', async () => {
  await storage.store({ key: 'jobs/j1/target', bytes: tinyWav(), contentType: 'application/octet-stream', metadata: {} });
  assert.equal(await storage.read('jobs/j1/target'), tinyWav());
  assert.is(await storage.read('jobs/j1/other'), null);
  await storage.remove('jobs/j1/target');
  assert.is(existsSync(join(dataDir, 'jobs/j1/target')), false);
  assert.is(existsSync(join(dataDir, 'jobs/j1/target.meta.json')), false);
  assert.is(await storage.read('jobs/j1/target'), null);
  await storage.remove('jobs/j1/target');
});

test('a key that would escape the data directory is refused', async () => {
  const error = await storage.store({ key: '../escape.wav', bytes: tinyWav(), contentType: 'audio/wav', metadata: {} }).then(() => null, (e: Error) => e);
  assert.match(error?.message ?? '', /escapes/);
  assert.is(existsSync(join(dataDir, '..', 'escape.wav')), false);
  assert.match((await storage.read('../escape.wav').then(() => null, (e: Error) => e))?.message ?? '', /escapes/);
  assert.match((await storage.remove('../../etc/x').then(() => null, (e: Error) => e))?.message ?? '', /escapes/);
});

test.run();
