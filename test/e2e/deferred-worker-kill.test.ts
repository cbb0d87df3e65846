// A standalone worker process is SIGKILLed while uploads are in the middle
// (a slow proxy holds each request before s3rver sees it); a new worker
// takes over everything the dead one held once its locks lapse (BullMQ's
// stalled-job check). Every task ends up stored once as an object with its own
// bytes, and nothing is left in the queue, the dead letters or Redis.
import { test } from 'uvu';
import { Queue } from 'bullmq';
import * as assert from 'uvu/assert';
import { createRedisQueue } from '../../adapters/queue/redis.ts';
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';
import { waitUntil, withinMs } from '../support/deadline.ts';
import { jsonLogRecords } from '../support/http-client.ts';
import { deleteQueueKeys, queueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { startS3rver, s3rverEnv } from '../support/s3.ts';
import { startSlowProxy } from '../support/slow-proxy.ts';
import { requireTool } from '../support/tools.ts';
import { startWorkerProcess, type RunningWorker } from '../support/worker-process.ts';

const BUCKET = 'worker-kill';
const TASKS = 20;
const CONCURRENCY = 4;

function task(index: number): ArtifactPersistenceTask {
  const key = `mastered/kill-${String(index).padStart(2, '0')}.wav`;
  const bytes = new Uint8Array(200_000 + index * 1000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * (index + 3) + (i >> 8)) & 0xff;
  return { object: { key, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `kill-${index}`, 'profile-id': 'default' } }, correlationId: `kill-${index}`, enqueuedAt: new Date().toISOString() };
}

/** Tasks a worker holds (active jobs, locked until their worker stops renewing). */
async function heldCount(name: string): Promise<number> {
  const queue = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix: 'audo-eq' });
  try {
    return (await queue.getJobCounts('active')).active;
  } finally {
    await queue.close();
  }
}

const storedLines = (worker: RunningWorker) => jsonLogRecords(worker.output()).filter((r) => r.message === 'Stored queued mastered artifact');

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'worker kill')) {
  test('a worker killed mid-upload loses nothing: a new worker reclaims its tasks and every object is stored once with its bytes', async () => {
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const proxy = await startSlowProxy(s3.port, 400);
    const name = uniqueQueueName('kill');
    const env = {
      AUDO_EQ_QUEUE_BACKEND: 'redis',
      AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
      AUDO_EQ_QUEUE_NAME: name,
      AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '4000',
      AUDO_EQ_QUEUE_RETRY_BASE_MS: '100',
      AUDO_EQ_QUEUE_RETRY_MAX_MS: '1000',
      AUDO_EQ_DEFERRED_WORKER_CONCURRENCY: String(CONCURRENCY),
      ...s3rverEnv(proxy.endpoint, BUCKET, { timeoutMs: 3000 }),
    };
    const producer = createRedisQueue({ url: TEST_REDIS_URL, name, capacity: 1000, visibilityTimeoutMs: 4000, timeoutMs: 2000, consumerName: 'test-producer' });
    const workers: RunningWorker[] = [];
    try {
      await producer.connected();
      const tasks = Array.from({ length: TASKS }, (_, i) => task(i));
      for (const t of tasks) await producer.enqueue(t);

      const doomed = await startWorkerProcess(env);
      workers.push(doomed);
      // Kill once a few objects are stored and uploads are held in the proxy.
      await waitUntil(() => storedLines(doomed).length >= 3 && proxy.inFlight() >= 1, 20_000, () => `stored ${storedLines(doomed).length}, in flight ${proxy.inFlight()}`, 10);
      const inFlightAtKill = proxy.inFlight();
      doomed.process.kill('SIGKILL');
      await withinMs(doomed.stop(), 5000, 'killed worker exits');
      const storedByFirst = storedLines(doomed).length;
      assert.ok((await heldCount(name)) >= 1, 'the dead worker left tasks it held behind');
      assert.ok(storedByFirst < TASKS, `the first worker finished everything (${storedByFirst}) before the kill`);

      const successor = await startWorkerProcess(env);
      workers.push(successor);
      await waitUntil(async () => (await producer.depth()) === 0, 30_000, async () => `queue depth ${await producer.depth()}`);

      const keys = (await s3.listKeys(BUCKET)).sort();
      assert.equal(keys, tasks.map((t) => t.object.key), 'every task stored, nothing extra');
      for (const t of tasks) assert.equal((await s3.getObject(BUCKET, t.object.key)).bytes, t.object.bytes, t.object.key);
      assert.is(await producer.deadLetterDepth(), 0);
      // A kill between a job's completion and its payload's deletion leaves a payload the successor's sweep removes.
      const payloads = async () => (await queueKeys(name)).filter((key) => key.includes(':payload:'));
      await waitUntil(async () => (await payloads()).length === 0, 30_000, async () => `payloads left: ${(await payloads()).join(', ')}`);

      // The successor took over the dead worker's tasks: delivered a second time.
      const reclaimed = storedLines(successor).filter((r) => Number(r.attempt) >= 2);
      assert.ok(reclaimed.length >= 1, 'some tasks were reclaimed from the dead consumer');
      const storedTotal = storedByFirst + storedLines(successor).length;
      // At-least-once: only an upload that reached S3 before the kill, but was never acknowledged, may be stored again
      // (same key, same bytes). The killed worker may also die after acknowledging a task and before logging it, at most
      // one per upload slot: the PUT count below and the keys above are what prove every task stored.
      assert.ok(storedTotal >= TASKS - CONCURRENCY && storedTotal <= TASKS + inFlightAtKill, `stored ${storedTotal} times for ${TASKS} tasks, ${inFlightAtKill} in flight at the kill`);
      const puts = [...proxy.puts.values()].reduce((sum, n) => sum + n, 0);
      assert.ok(puts >= TASKS && puts <= TASKS + inFlightAtKill, `${puts} PUTs reached S3`);

      assert.is(await withinMs(successor.stop('SIGTERM'), 15_000, 'successor stops on SIGTERM'), 0);
    } finally {
      for (const worker of workers) await worker.stop('SIGKILL');
      await producer.close();
      await proxy.stop();
      await s3.stop();
      await deleteQueueKeys(name);
    }
  });
}

test.run();
