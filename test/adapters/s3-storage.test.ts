import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createS3Storage, endpointUrl, type S3StorageOptions } from '../../adapters/storage/s3.ts';
import { closedPort, S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startBlackHole, startS3rver, type TestS3Server } from '../support/s3.ts';
import { tinyWav } from '../support/doubles.ts';
import { withinMs } from '../support/deadline.ts';

const BUCKET = 'audo-eq-test';
let s3: TestS3Server;

function options(overrides: Partial<S3StorageOptions> = {}): S3StorageOptions {
  return {
    endpoint: s3.endpoint,
    secure: false,
    region: 'us-east-1',
    accessKeyId: S3RVER_ACCESS_KEY,
    secretAccessKey: S3RVER_SECRET_KEY,
    bucket: BUCKET,
    urlTtlSeconds: 600,
    // Generous: on a busy machine s3rver's first answers can take seconds. The tests about the
    // budget (a server that never answers) set their own.
    timeoutMs: 30_000,
    maxAttempts: 2,
    ...overrides,
  };
}

const object = (key: string) => ({ key, bytes: tinyWav(4000), contentType: 'audio/wav', metadata: { 'correlation-id': 'c-s3', 'profile-id': 'conservative' } });

test.before(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
});
test.after(async () => {
  await s3.stop();
});

test('endpoints without a scheme get http or https from the secure flag', () => {
  assert.is(endpointUrl('minio:9000', false), 'http://minio:9000');
  assert.is(endpointUrl('minio:9000', true), 'https://minio:9000');
  assert.is(endpointUrl('https://s3.example/', false), 'https://s3.example');
});

test('store puts the exact bytes with content type and metadata, and the presigned URL downloads them', async () => {
  const storage = createS3Storage(options());
  const stored = await storage.store(object('mastered/one.wav'));
  assert.is(stored.destination, `s3://${BUCKET}/mastered/one.wav`);
  const got = await s3.getObject(BUCKET, 'mastered/one.wav');
  assert.equal(got.bytes, tinyWav(4000));
  assert.is(got.contentType, 'audio/wav');
  assert.equal(got.metadata, { 'correlation-id': 'c-s3', 'profile-id': 'conservative' });
  assert.match(stored.url!, /X-Amz-Expires=600/);
  const download = await fetch(stored.url!);
  assert.is(download.status, 200);
  assert.equal(new Uint8Array(await download.arrayBuffer()), tinyWav(4000));
  assert.is(await storage.exists('mastered/one.wav'), true);
  assert.is(await storage.exists('mastered/none.wav'), false);
  storage.destroy();
});

test('read returns the stored bytes, null for an unknown key, and remove deletes the object (twice is fine)', async () => {
  const storage = createS3Storage(options());
  await storage.store(object('jobs/read-me/target'));
  assert.equal(await storage.read('jobs/read-me/target'), tinyWav(4000));
  assert.is(await storage.read('jobs/read-me/nothing'), null);
  await storage.remove('jobs/read-me/target');
  assert.is(await storage.exists('jobs/read-me/target'), false);
  assert.is(await storage.read('jobs/read-me/target'), null);
  await storage.remove('jobs/read-me/target');
  storage.destroy();
});

test('a missing bucket is created on first use', async () => {
  const storage = createS3Storage(options({ bucket: 'created-on-demand' }));
  assert.is(await s3.bucketExists('created-on-demand'), false);
  await storage.store(object('mastered/two.wav'));
  assert.is(await s3.bucketExists('created-on-demand'), true);
  assert.equal(await s3.listKeys('created-on-demand'), ['mastered/two.wav']);
  storage.destroy();
});

test('presigned URLs are signed for the public endpoint when one is set', async () => {
  const storage = createS3Storage(options({ publicEndpoint: `localhost:${s3.port}` }));
  const { url } = await storage.store(object('mastered/public.wav'));
  assert.ok(url!.startsWith(`http://localhost:${s3.port}/${BUCKET}/mastered/public.wav?`), url!);
  assert.is((await fetch(url!)).status, 200);
  storage.destroy();
});

test('readiness passes against a live server and fails with an unknown access key id', async () => {
  const good = createS3Storage(options());
  await good.checkReady();
  const wrong = createS3Storage(options({ accessKeyId: 'NOT-A-KEY' }));
  const error = await wrong.checkReady().then(() => null, (e: Error) => e);
  assert.ok(error);
  const storeError = await wrong.store(object('mastered/denied.wav')).then(() => null, (e: Error) => e);
  assert.ok(storeError);
  good.destroy();
  wrong.destroy();
});

test('a refused connection fails (no hang, no retry loop)', async () => {
  const storage = createS3Storage(options({ endpoint: `127.0.0.1:${await closedPort()}` }));
  // A hang fails the bound; how fast it fails is measured by `npm run bench -- failure-latency`.
  const error = await withinMs(storage.store(object('mastered/refused.wav')).then(() => null, (e: Error) => e), 60_000, 'store to a closed port');
  assert.ok(error);
  storage.destroy();
});

test('a server that accepts and never answers is given up on after the timeout budget', async () => {
  const hole = await startBlackHole();
  const storage = createS3Storage(options({ endpoint: hole.endpoint, timeoutMs: 1500 }));
  const error = await withinMs(storage.store(object('mastered/hole.wav')).then(() => null, (e: Error) => e), 60_000, 'store to a server that never answers');
  assert.ok(error);
  // The budget is what ended it (the message names it), not some other failure.
  assert.match(error!.message, /within 1500 ms/);
  assert.ok(hole.connections() >= 1);
  storage.destroy();
  await hole.stop();
});

test.run();
