// Storage failures get the code that names the setting to check: the S3
// adapter against a real s3rver (unknown access key, HTTPS against its plain
// HTTP, a closed port), the filesystem adapter on a data folder that is a
// file, and the AWS error names the adapter maps (servers answer them where
// s3rver cannot be made to: AccessDenied, NoSuchBucket, region errors, 5xx).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Storage, type S3StorageOptions } from '../../adapters/storage/s3.ts';
import { toStorageError } from '../../adapters/storage/s3-errors.ts';
import { createFilesystemStorage } from '../../adapters/storage/filesystem.ts';
import { describeStorageFailure, StorageError } from '../../core/app/storage-failure.ts';
import { closedPort, S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3rver, type TestS3Server } from '../support/s3.ts';
import { tinyWav } from '../support/doubles.ts';

const BUCKET = 'storage-errors';
let s3: TestS3Server;

test.before(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
});
test.after(async () => {
  await s3.stop();
});

function storage(overrides: Partial<S3StorageOptions>) {
  return createS3Storage({
    endpoint: s3.endpoint,
    secure: false,
    region: 'us-east-1',
    accessKeyId: S3RVER_ACCESS_KEY,
    secretAccessKey: S3RVER_SECRET_KEY,
    bucket: BUCKET,
    urlTtlSeconds: 600,
    timeoutMs: 30_000,
    maxAttempts: 1,
    ...overrides,
  });
}

const object = { key: 'mastered/e.wav', bytes: tinyWav(400), contentType: 'audio/wav', metadata: {} };

async function failureOf(run: () => Promise<unknown>, backend = 's3') {
  const error = await run().then(() => null, (e: unknown) => e);
  assert.ok(error, 'expected a failure');
  return describeStorageFailure(error, backend);
}

test('an unknown access key is storage_credentials_rejected, naming both key settings (store and readiness alike)', async () => {
  const wrong = storage({ accessKeyId: 'NOT-A-KEY' });
  try {
    for (const call of [() => wrong.store(object), () => wrong.checkReady()]) {
      const failure = await failureOf(call);
      assert.is(failure.code, 'storage_credentials_rejected');
      assert.is(failure.kind, 'rejected');
      assert.is(failure.check, 'AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY');
      assert.match(failure.message, /InvalidAccessKeyId.*check AUDO_EQ_S3_ACCESS_KEY/);
    }
  } finally {
    wrong.destroy();
  }
});

test('HTTPS against a plain-HTTP endpoint is storage_tls_failed, naming AUDO_EQ_S3_SECURE', async () => {
  const tls = storage({ endpoint: s3.endpoint.replace('http://', ''), secure: true });
  try {
    const failure = await failureOf(() => tls.checkReady());
    assert.is(failure.code, 'storage_tls_failed');
    assert.is(failure.kind, 'unavailable');
    assert.is(failure.check, 'AUDO_EQ_S3_SECURE, AUDO_EQ_S3_ENDPOINT');
  } finally {
    tls.destroy();
  }
});

test('a closed port is storage_endpoint_unreachable, naming AUDO_EQ_S3_ENDPOINT', async () => {
  const closed = storage({ endpoint: `http://127.0.0.1:${await closedPort()}` });
  try {
    const failure = await failureOf(() => closed.store(object));
    assert.is(failure.code, 'storage_endpoint_unreachable');
    assert.is(failure.check, 'AUDO_EQ_S3_ENDPOINT');
  } finally {
    closed.destroy();
  }
});

test('a data folder that is a file is storage_data_dir_unusable, naming AUDO_EQ_DATA_DIR', async () => {
  const root = mkdtempSync(join(tmpdir(), 'audo-eq-fs-errors-'));
  try {
    writeFileSync(join(root, 'data'), 'not a folder');
    const failure = await failureOf(() => createFilesystemStorage({ dataDir: join(root, 'data') }).checkReady(), 'filesystem');
    assert.is(failure.code, 'storage_data_dir_unusable', failure.message);
    assert.is(failure.check, 'AUDO_EQ_DATA_DIR');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('AWS error names and statuses map to codes; network errors pass through to be classified by their Node code', () => {
  const sdk = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  const cases: Array<[unknown, string]> = [
    [sdk('AccessDenied', 403), 'storage_access_denied'],
    [sdk('SignatureDoesNotMatch', 403), 'storage_credentials_rejected'],
    [sdk('NoSuchBucket', 404), 'storage_bucket_unusable'],
    [sdk('BucketAlreadyExists', 409), 'storage_bucket_unusable'],
    [sdk('AuthorizationHeaderMalformed', 400), 'storage_region_mismatch'],
    [sdk('PermanentRedirect', 301), 'storage_region_mismatch'],
    [sdk('InternalError', 500), 'storage_server_error'],
    [sdk('SlowDown', 503), 'storage_server_error'],
    [sdk('Forbidden', 403), 'storage_access_denied'],
  ];
  for (const [error, code] of cases) {
    const mapped = toStorageError(error);
    assert.instance(mapped, StorageError);
    assert.is((mapped as StorageError).code, code, (error as Error).name);
  }
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  assert.is(toStorageError(refused), refused);
  assert.is(describeStorageFailure(refused, 's3').code, 'storage_endpoint_unreachable');
  assert.is(describeStorageFailure(new Error('S3 store did not finish within 3000 ms'), 's3').code, 'storage_timeout');
  assert.is(describeStorageFailure(Object.assign(new Error('no space'), { code: 'ENOSPC' }), 'filesystem').code, 'storage_full');
});

test.run();
