// The worker on the BullMQ queue with a real S3-compatible server: poison
// messages end as dead letters (failed jobs) after N deliveries without
// holding up the good tasks, and two workers sharing the queue store every
// object exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue } from 'bullmq';
import { createArtifactWorker, type ArtifactWorker } from '../../core/app/artifact-worker.ts';
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';
import { createRecordingPublisher } from '../../core/domain/events.ts';
import { createRedisQueue, type RedisQueue } from '../../adapters/queue/redis.ts';
import { createS3Storage } from '../../adapters/storage/s3.ts';
import { createRecordingLogger } from '../support/doubles.ts';
import { waitUntil } from '../support/deadline.ts';
import { deleteQueueKeys, queueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3rver, type TestS3Server } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';

const BUCKET = 'worker-redis';

function task(key: string, size: number): ArtifactPersistenceTask {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + key.charCodeAt(key.length - 5)) & 0xff;
  return { object: { key, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `c-${key}` } }, correlationId: `c-${key}`, enqueuedAt: new Date().toISOString() };
}

function setup(s3: TestS3Server, name: string, consumer: string) {
  const queue = createRedisQueue({ url: TEST_REDIS_URL, name, capacity: 1000, visibilityTimeoutMs: 5000, timeoutMs: 1000, consumerName: consumer });
  const storage = createS3Storage({
    endpoint: s3.endpoint,
    secure: false,
    region: 'us-east-1',
    accessKeyId: S3RVER_ACCESS_KEY,
    secretAccessKey: S3RVER_SECRET_KEY,
    bucket: BUCKET,
    urlTtlSeconds: 60,
    timeoutMs: 2000,
    maxAttempts: 1,
  });
  const events = createRecordingPublisher();
  const logger = createRecordingLogger();
  const worker = createArtifactWorker({
    queue,
    storage,
    events,
    logger,
    clock: { now: () => new Date() },
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 80 },
    pollWaitMs: 200,
  });
  return { queue, storage, events, logger, worker };
}

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'Redis worker')) {
  test('a poison message becomes a dead letter after 3 deliveries while every good task is stored once', async () => {
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const name = uniqueQueueName('poison');
    const { queue, storage, events, worker } = setup(s3, name, 'worker-1');
    const raw = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix: 'audo-eq' });
    try {
      await queue.connected();
      const good = Array.from({ length: 6 }, (_, i) => task(`mastered/good-${i}.wav`, 50_000 + i));
      await queue.enqueue(good[0]);
      await raw.add('artifact', { v: '1', key: 'mastered/poison.wav', metadata: 'not json at all' });
      for (const t of good.slice(1)) await queue.enqueue(t);
      worker.start();
      await waitUntil(() => worker.counts.stored === 6 && worker.counts.dead_lettered === 1, 15_000, () => JSON.stringify(worker.counts));
      await worker.stop();

      assert.equal((await s3.listKeys(BUCKET)).sort(), good.map((t) => t.object.key).sort());
      for (const t of good) assert.equal((await s3.getObject(BUCKET, t.object.key)).bytes, t.object.bytes);
      const dead = await queue.deadLetters();
      assert.is(dead.length, 1);
      assert.is(dead[0].objectKey, 'mastered/poison.wav');
      assert.is(dead[0].attempts, 3);
      assert.match(dead[0].reason, /unreadable message: missing content type/);
      assert.is(await queue.depth(), 0);
      assert.equal((await queueKeys(name)).filter((key) => key.includes(':payload:')), [], 'every stored task took its payload with it');
      assert.is(events.events.filter((e) => e.name === 'ArtifactStored').length, 6);
    } finally {
      await raw.close();
      await queue.close();
      storage.destroy();
      await s3.stop();
      await deleteQueueKeys(name);
    }
  });

  test('two workers sharing the queue store each of 30 objects exactly once', async () => {
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const name = uniqueQueueName('shared');
    const first = setup(s3, name, 'worker-a');
    const second = setup(s3, name, 'worker-b');
    const workers: ArtifactWorker[] = [first.worker, second.worker];
    const queues: RedisQueue[] = [first.queue, second.queue];
    try {
      await first.queue.connected();
      const tasks = Array.from({ length: 30 }, (_, i) => task(`mastered/shared-${String(i).padStart(2, '0')}.wav`, 20_000));
      for (const t of tasks) await first.queue.enqueue(t);
      for (const worker of workers) worker.start();
      await waitUntil(() => first.worker.counts.stored + second.worker.counts.stored >= 30, 15_000, () => `${first.worker.counts.stored} + ${second.worker.counts.stored}`);
      await Promise.all(workers.map((worker) => worker.stop()));
      assert.is(first.worker.counts.stored + second.worker.counts.stored, 30, 'no task was stored twice');
      assert.ok(first.worker.counts.stored > 0 && second.worker.counts.stored > 0, 'both workers took a share');
      assert.equal((await s3.listKeys(BUCKET)).sort(), tasks.map((t) => t.object.key));
      assert.is(await first.queue.depth(), 0);
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      first.storage.destroy();
      second.storage.destroy();
      await s3.stop();
      await deleteQueueKeys(name);
    }
  });
}

test.run();
