// The deferred queue's configuration: documented defaults, and the
// combinations refused at start-up with a sentence naming the variable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../core/app/config.ts';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

test('an empty environment gives the documented queue defaults', () => {
  const config = loadConfig({});
  assert.is(config.AUDO_EQ_QUEUE_BACKEND, 'memory');
  assert.is(config.AUDO_EQ_REDIS_URL, 'redis://127.0.0.1:6379');
  assert.is(config.AUDO_EQ_REDIS_TIMEOUT_MS, 2000);
  assert.is(config.AUDO_EQ_DEFERRED_WORKER, true);
  assert.is(config.AUDO_EQ_DEFERRED_WORKER_CONCURRENCY, 2);
  assert.is(config.AUDO_EQ_QUEUE_NAME, 'artifacts');
  assert.is(config.AUDO_EQ_QUEUE_CAPACITY, 256);
  assert.is(config.AUDO_EQ_QUEUE_MEMORY_MAX_BYTES, 1024 * 1024 * 1024);
  assert.is(config.AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS, 60_000);
  assert.is(config.AUDO_EQ_QUEUE_MAX_ATTEMPTS, 10);
  assert.is(config.AUDO_EQ_QUEUE_RETRY_BASE_MS, 1000);
  assert.is(config.AUDO_EQ_QUEUE_RETRY_MAX_MS, 30_000);
});

test('deferred + guaranteed on the memory queue is refused: it is not durable', () => {
  const message = refusal({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed' });
  assert.is(message, 'invalid configuration: AUDO_EQ_QUEUE_BACKEND: deferred + guaranteed persistence needs a durable queue (AUDO_EQ_QUEUE_BACKEND=redis); memory is not durable');
  const config = loadConfig({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed', AUDO_EQ_QUEUE_BACKEND: 'REDIS' });
  assert.is(config.AUDO_EQ_QUEUE_BACKEND, 'redis');
});

test('the memory queue without its in-process worker is refused; the Redis queue may leave the work to npm run worker', () => {
  assert.match(refusal({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_DEFERRED_WORKER: 'false' }), /^invalid configuration: AUDO_EQ_DEFERRED_WORKER: /);
  const config = loadConfig({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_DEFERRED_WORKER: 'false', AUDO_EQ_QUEUE_BACKEND: 'redis' });
  assert.is(config.AUDO_EQ_DEFERRED_WORKER, false);
});

test('where a queue is used, its visibility timeout must outlast a retry wait and an S3 upload, and the retry base must not exceed its cap', () => {
  const deferred = { AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred' };
  assert.match(refusal({ ...deferred, AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '30000' }), /^invalid configuration: AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: must exceed AUDO_EQ_QUEUE_RETRY_MAX_MS/);
  const slowS3 = { AUDO_EQ_STORAGE_BACKEND: 's3', AUDO_EQ_S3_TIMEOUT_MS: '5000', AUDO_EQ_QUEUE_RETRY_MAX_MS: '1000', AUDO_EQ_QUEUE_RETRY_BASE_MS: '100', AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '4000' };
  assert.match(refusal({ ...slowS3, AUDO_EQ_QUEUE_BACKEND: 'redis' }), /AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS/);
  // Immediate mode on the memory queue uses no queue: a long S3 budget is not refused for it.
  assert.is(loadConfig(slowS3).AUDO_EQ_S3_TIMEOUT_MS, 5000);
  assert.match(refusal({ AUDO_EQ_QUEUE_RETRY_BASE_MS: '40000' }), /^invalid configuration: AUDO_EQ_QUEUE_RETRY_BASE_MS: must not exceed AUDO_EQ_QUEUE_RETRY_MAX_MS/);
  const tight = loadConfig({ AUDO_EQ_QUEUE_RETRY_BASE_MS: '50', AUDO_EQ_QUEUE_RETRY_MAX_MS: '500', AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '2000' });
  assert.is(tight.AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS, 2000);
});

test('a queue name that would not fit a URL or a Redis key pattern is refused', () => {
  for (const name of ['with space', 'a:b', 'a/b', 'x'.repeat(65), 'star*']) {
    assert.match(refusal({ AUDO_EQ_QUEUE_NAME: name }), /^invalid configuration: AUDO_EQ_QUEUE_NAME: /, name);
  }
  for (const name of ['artifacts', 'prod.eu-1', 'test_queue']) assert.is(loadConfig({ AUDO_EQ_QUEUE_NAME: name }).AUDO_EQ_QUEUE_NAME, name);
});

test('the deferred queue and the job queue are both BullMQ queues in one Redis: their names must differ', () => {
  assert.match(refusal({ AUDO_EQ_QUEUE_NAME: 'shared', AUDO_EQ_JOBS_QUEUE_NAME: 'shared' }), /^invalid configuration: AUDO_EQ_QUEUE_NAME: must differ from AUDO_EQ_JOBS_QUEUE_NAME/);
  for (const name of ['mastering-jobs-callbacks', 'mastering-jobs-expiry']) assert.match(refusal({ AUDO_EQ_QUEUE_NAME: name }), /^invalid configuration: AUDO_EQ_QUEUE_NAME: must differ/, name);
  assert.is(loadConfig({ AUDO_EQ_QUEUE_NAME: 'artifacts', AUDO_EQ_JOBS_QUEUE_NAME: 'mastering-jobs' }).AUDO_EQ_QUEUE_NAME, 'artifacts');
});

test.run();
