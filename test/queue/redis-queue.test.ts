// The BullMQ deferred-persistence queue against a real Redis: binary payloads
// beside small job data, durability across adapter instances, a dead
// consumer's task taken over after the visibility timeout (BullMQ's stalled
// check), retries with attempt counts from BullMQ's attemptsStarted, dead
// letters as failed jobs that keep their bytes and can be requeued, unreadable
// messages, capacity, and bounded failure when Redis is gone or never answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue } from 'bullmq';
import { createRedisQueue, type RedisQueue, type RedisQueueOptions } from '../../adapters/queue/redis.ts';
import { QueueFullError } from '../../adapters/queue/memory.ts';
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';
import { closedPort, startBlackHole } from '../support/s3.ts';
import { closeClient, deleteQueueKeys, queueKeys, redisAnswers, testRedisClient, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';
import { waitUntil, withinMs } from '../support/deadline.ts';

function task(key: string, size = 64): ArtifactPersistenceTask {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + key.length * 17) & 0xff; // every byte value, 0x00 and 0xff included
  return { object: { key, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `c-${key}`, 'profile-id': 'default' } }, correlationId: `c-${key}`, enqueuedAt: new Date().toISOString() };
}

const opened: RedisQueue[] = [];
const names: string[] = [];

function queueOf(overrides: Partial<RedisQueueOptions> = {}): RedisQueue {
  const name = overrides.name ?? uniqueQueueName('redis-queue');
  if (!names.includes(name)) names.push(name);
  const queue = createRedisQueue({ url: TEST_REDIS_URL, name, capacity: 100, visibilityTimeoutMs: 10_000, timeoutMs: 1000, consumerName: 'consumer-a', ...overrides });
  opened.push(queue);
  return queue;
}

/** A plain BullMQ queue of the same name, to look at jobs as BullMQ stores them. */
async function withBullQueue<T>(name: string, run: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix: 'audo-eq' });
  try {
    return await run(queue);
  } finally {
    await queue.close();
  }
}

const payloadKeys = async (name: string) => (await queueKeys(name)).filter((key) => key.startsWith(`audo-eq:${name}:payload:`));

test.after.each(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close()));
  await Promise.all(names.splice(0).map((name) => deleteQueueKeys(name)));
});

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'Redis queue')) {
  test('bytes of every value survive the round trip; the BullMQ job holds only text fields naming the payload', async () => {
    const queue = queueOf();
    await queue.connected();
    const original = task('mastered/a.wav', 3 * 1024 * 1024 + 1);
    await queue.enqueue(original);
    const [job] = await withBullQueue(queue.name, (bull) => bull.getWaiting());
    assert.equal(Object.keys(job.data).sort(), ['content_type', 'correlation_id', 'enqueued_at', 'key', 'metadata', 'payload', 'size', 'v']);
    assert.is(job.data.size, String(3 * 1024 * 1024 + 1));
    assert.is(job.data.payload, `audo-eq:${queue.name}:payload:${job.id}`);
    const [delivery] = await queue.consume({ maxTasks: 5, waitMs: 500 });
    assert.is(delivery.id, job.id);
    assert.is(delivery.attempt, 1);
    assert.is(delivery.problem, null);
    assert.equal(delivery.task!.object.bytes, original.object.bytes);
    assert.equal(delivery.task!.object.metadata, original.object.metadata);
    assert.is(delivery.task!.correlationId, 'c-mastered/a.wav');
    await queue.acknowledge(delivery);
    assert.is(await queue.depth(), 0);
    assert.equal(await payloadKeys(queue.name), [], 'the payload is deleted with its job');
    assert.is(await withBullQueue(queue.name, (bull) => bull.getJob(job.id!)), undefined, 'a stored task leaves no job behind');
  });

  test('a task enqueued by one process is delivered to the next one: the queue is durable', async () => {
    const name = uniqueQueueName('durable');
    const first = queueOf({ name, consumerName: 'api-1' });
    await first.connected();
    await first.enqueue(task('mastered/durable.wav'));
    await first.close();
    const second = queueOf({ name, consumerName: 'api-2' });
    assert.is(second.durable, true);
    const deliveries = await second.consume({ maxTasks: 5, waitMs: 1000 });
    assert.equal(deliveries.map((d) => d.task?.object.key), ['mastered/durable.wav']);
  });

  test('a task held by a consumer that died is taken over by another after the visibility timeout, not before, with attempt 2', async () => {
    const name = uniqueQueueName('reclaim');
    const dying = queueOf({ name, consumerName: 'dying', visibilityTimeoutMs: 600 });
    await dying.connected();
    await dying.enqueue(task('mastered/r.wav'));
    // Measured from before the delivery (its lock starts there and renewals only extend it), so a slow machine can only make it look longer.
    const deliveredFromMs = Date.now();
    assert.is((await dying.consume({ maxTasks: 1, waitMs: 500 })).length, 1);
    await dying.close(); // never acknowledged, its lock no longer renewed
    const survivor = queueOf({ name, consumerName: 'survivor', visibilityTimeoutMs: 600 });
    const early = await survivor.consume({ maxTasks: 1, waitMs: 0 });
    // On a stalled machine the timeout may already be over here; then the task may come back now.
    if (Date.now() - deliveredFromMs < 590) assert.equal(early, [], 'still invisible right after the crash');
    let deliveries = early;
    for (let round = 0; deliveries.length === 0 && round < 20; round++) deliveries = await survivor.consume({ maxTasks: 1, waitMs: 1000 });
    assert.is(deliveries.length, 1);
    assert.is(deliveries[0].attempt, 2);
    assert.is(deliveries[0].task?.object.key, 'mastered/r.wav');
    assert.ok(Date.now() - deliveredFromMs >= 599, `taken over ${Date.now() - deliveredFromMs} ms after its delivery`);
    await survivor.acknowledge(deliveries[0]);
    assert.is(await survivor.depth(), 0);
  });

  test('a task worked on longer than the visibility timeout keeps its lock: nobody else gets it', async () => {
    const name = uniqueQueueName('slow');
    // Renewed every third of the timeout: only a stall of this process over 1.3 s could let the lock lapse.
    const slow = queueOf({ name, consumerName: 'slow', visibilityTimeoutMs: 2000 });
    const other = queueOf({ name, consumerName: 'other', visibilityTimeoutMs: 2000 });
    await slow.connected();
    await slow.enqueue(task('mastered/slow.wav'));
    const [delivery] = await slow.consume({ maxTasks: 1, waitMs: 500 });
    assert.equal(await other.consume({ maxTasks: 1, waitMs: 6000 }), [], 'the renewed lock keeps it with its consumer, three timeouts on');
    await slow.acknowledge(delivery);
    assert.is(await slow.depth(), 0);
  });

  test('retryLater brings the task back after its delay with the next attempt number', async () => {
    const queue = queueOf();
    await queue.connected();
    await queue.enqueue(task('mastered/retry.wav'));
    let [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    for (const expected of [2, 3]) {
      // Measured from before the delay starts, so a slow machine can only make it look longer.
      const retriedFromMs = Date.now();
      await queue.retryLater(delivery, 200);
      const early = await queue.consume({ maxTasks: 1, waitMs: 0 });
      if (Date.now() - retriedFromMs < 200) assert.equal(early, [], 'not before its delay');
      assert.is(await queue.depth(), 1, 'a task waiting for its retry still counts');
      [delivery] = early.length > 0 ? early : await queue.consume({ maxTasks: 1, waitMs: 10_000 });
      assert.ok(Date.now() - retriedFromMs >= 200, `came back after ${Date.now() - retriedFromMs} ms`);
      assert.is(delivery.attempt, expected);
      assert.is(delivery.task?.object.key, 'mastered/retry.wav');
    }
  });

  test('a dead letter is a failed job with its reason and attempts, keeps its payload, is listed, and can be requeued', async () => {
    const queue = queueOf();
    await queue.connected();
    const original = task('mastered/dead.wav', 1000);
    await queue.enqueue(original);
    let [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    await queue.retryLater(delivery, 0);
    [delivery] = await queue.consume({ maxTasks: 1, waitMs: 2000 });
    await queue.deadLetter(delivery, 'storage said no');
    assert.is(await queue.depth(), 0);
    assert.is(await queue.deadLetterDepth(), 1);
    assert.is(queue.deadLetterName, `redis://audo-eq:${queue.name}:failed`);
    const [dead] = await queue.deadLetters();
    assert.is(dead.id, delivery.id);
    assert.is(dead.objectKey, 'mastered/dead.wav');
    assert.is(dead.correlationId, 'c-mastered/dead.wav');
    assert.is(dead.reason, 'storage said no');
    assert.is(dead.attempts, 2);
    assert.is(dead.sizeBytes, 1000);
    assert.ok(dead.deadAt && Date.parse(dead.deadAt) > 0);
    assert.is((await payloadKeys(queue.name)).length, 1, 'the payload stays with the dead letter');
    assert.is(await queue.requeueDeadLetters(), 1);
    assert.is(await queue.deadLetterDepth(), 0);
    const [again] = await queue.consume({ maxTasks: 1, waitMs: 1000 });
    assert.is(again.attempt, 1, 'attempts start over');
    assert.equal(again.task?.object.bytes, original.object.bytes);
  });

  test('a payload whose job is gone (its process died between completing and deleting it) is swept, a held task\'s payload is not', async () => {
    const queue = queueOf({ visibilityTimeoutMs: 1000 });
    await queue.connected();
    await queue.enqueue(task('mastered/kept.wav'));
    const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 1000 }); // the consumer starts its sweep
    const client = await testRedisClient();
    try {
      await client.multi().set(`audo-eq:${queue.name}:payload:ghost`, Buffer.from([1, 2, 3])).sadd(`audo-eq:${queue.name}:payloads`, 'ghost').exec();
    } finally {
      await closeClient(client);
    }
    await waitUntil(async () => (await payloadKeys(queue.name)).length === 1, 15_000, async () => (await payloadKeys(queue.name)).join(', '));
    assert.equal(await payloadKeys(queue.name), [`audo-eq:${queue.name}:payload:${delivery.id}`]);
    await queue.acknowledge(delivery);
    assert.equal(await payloadKeys(queue.name), []);
  });

  test('a job that cannot be read is delivered with its problem instead of a task, next to the good ones', async () => {
    const queue = queueOf();
    await queue.connected();
    await queue.enqueue(task('mastered/good-1.wav'));
    await withBullQueue(queue.name, async (bull) => {
      await bull.add('artifact', { v: '1', key: 'mastered/bad.wav', metadata: '{not json' });
      await bull.add('artifact', { hello: 'world' });
    });
    await queue.enqueue(task('mastered/good-2.wav'));
    const deliveries = await queue.consume({ maxTasks: 10, waitMs: 500 });
    assert.equal(deliveries.map((d) => d.task?.object.key ?? null), ['mastered/good-1.wav', null, null, 'mastered/good-2.wav']);
    assert.match(deliveries[1].problem!, /content type/);
    assert.match(deliveries[2].problem!, /unsupported message version/);
  });

  test('a queue at capacity refuses the next task with QueueFullError and leaves no payload behind', async () => {
    const queue = queueOf({ capacity: 2 });
    await queue.connected();
    await queue.enqueue(task('mastered/1.wav'));
    await queue.enqueue(task('mastered/2.wav'));
    const error = await queue.enqueue(task('mastered/3.wav')).then(() => null, (e: Error) => e);
    assert.instance(error, QueueFullError);
    assert.is(await queue.depth(), 2);
    assert.is((await payloadKeys(queue.name)).length, 2);
  });

  test('depth and oldest age count tasks until they are acknowledged', async () => {
    const queue = queueOf();
    await queue.connected();
    assert.is(await queue.oldestAgeMs(), null);
    const beforeFirstMs = Date.now();
    await queue.enqueue(task('mastered/old.wav'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await queue.enqueue(task('mastered/new.wav'));
    const deliveries = await queue.consume({ maxTasks: 1, waitMs: 500 });
    assert.is(await queue.depth(), 2, 'an in-flight task still counts');
    const ageMs = (await queue.oldestAgeMs())!;
    // At least the wait, at most the time since just before the first enqueue (job timestamps are this machine's clock).
    assert.ok(ageMs >= 59 && ageMs <= Date.now() - beforeFirstMs + 1, `${ageMs} ms`);
    await queue.acknowledge(deliveries[0]);
    assert.is(await queue.depth(), 1);
  });

  test('a task whose acknowledgement failed is delivered again after the visibility timeout', async () => {
    const consumerName = `unacked-${crypto.randomUUID().slice(0, 8)}`;
    const queue = queueOf({ visibilityTimeoutMs: 600, consumerName });
    await queue.connected();
    await queue.enqueue(task('mastered/unacked.wav'));
    const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    // A second consumer completes nothing: only the lock holder may settle a task.
    const client = await testRedisClient();
    try {
      await client.del(`audo-eq:${queue.name}:${delivery.id}:lock`); // the lock is lost (as when Redis dropped it)
    } finally {
      await closeClient(client);
    }
    const error = await queue.acknowledge(delivery).then(() => null, (e: Error) => e);
    assert.ok(error, 'the acknowledgement failed');
    let again = await queue.consume({ maxTasks: 1, waitMs: 5000 });
    if (again.length === 0) again = await queue.consume({ maxTasks: 1, waitMs: 5000 });
    assert.equal(again.map((d) => [d.id, d.attempt]), [[delivery.id, 2]]);
    await queue.acknowledge(again[0]);
    assert.is(await queue.depth(), 0);
    assert.equal(await payloadKeys(queue.name), []);
  });

  test('with nothing listening on the Redis port, enqueue and readiness fail within seconds', async () => {
    const queue = queueOf({ url: `redis://127.0.0.1:${await closedPort()}` });
    // A hang fails the bound; how fast they fail is measured by `npm run bench -- failure-latency`.
    const failures = async () => [
      await queue.enqueue(task('mastered/x.wav')).then(() => null, (e: Error) => e),
      await queue.checkReady().then(() => null, (e: Error) => e),
      await queue.consume({ maxTasks: 1, waitMs: 100 }).then(() => null, (e: Error) => e),
    ];
    const [enqueueError, readyError, consumeError] = await withinMs(failures(), 60_000, 'enqueue, readiness and consume with nothing listening');
    assert.match(enqueueError!.message, /Redis at 127\.0\.0\.1:\d+ (is not reachable|did not answer)/);
    assert.ok(readyError && consumeError);
  });

  test('a server that accepts connections and never answers costs the timeout, not a hang', async () => {
    const hole = await startBlackHole();
    try {
      const queue = queueOf({ url: `redis://127.0.0.1:${hole.port}`, timeoutMs: 500 });
      const error = await withinMs(queue.enqueue(task('mastered/x.wav')).then(() => null, (e: Error) => e), 60_000, 'enqueue to a server that never answers');
      assert.match(error!.message, /did not answer within 500 ms|not reachable/);
      await queue.close();
    } finally {
      await hole.stop();
    }
  });
}

test.run();
