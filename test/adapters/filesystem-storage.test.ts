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

test('store writes the bytes under the key with a metadata sidecar and returns its file URL', async () => {
  const stored = await storage.store({ key: 'mastered/a.wav', bytes: tinyWav(), contentType: 'audio/wav', metadata: { 'correlation-id': 'c-fs', 'profile-id': 'default' } });
  const path = join(dataDir, 'mastered/a.wav');
  assert.is(stored.url, `file://${path}`);
  assert.is(fileURLToPath(stored.url!), path);
  assert.is(stored.destination, stored.url);
  assert.equal(new Uint8Array(readFileSync(path)), tinyWav());
  assert.equal(JSON.parse(readFileSync(`${path}.meta.json`, 'utf8')), { contentType: 'audio/wav', metadata: { 'correlation-id': 'c-fs', 'profile-id': 'default' } });
  assert.is(await storage.exists('mastered/a.wav'), true);
  assert.is(await storage.exists('mastered/b.wav'), false);
  assert.not.ok(readdirSync(join(dataDir, 'mastered')).some((name) => name.endsWith('.partial')));
});

test('a key that would escape the data directory is refused', async () => {
  const error = await storage.store({ key: '../escape.wav', bytes: tinyWav(), contentType: 'audio/wav', metadata: {} }).then(() => null, (e: Error) => e);
  assert.match(error?.message ?? '', /escapes/);
  assert.is(existsSync(join(dataDir, '..', 'escape.wav')), false);
});

test.run();
