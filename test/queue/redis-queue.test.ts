// The Redis Streams queue against a real Redis: binary payloads, durability
// across adapter instances, reclaiming from a dead consumer after the
// visibility timeout, retries and attempt counts from XPENDING, dead letters,
// capacity, and bounded failure when Redis is gone or never answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedisQueue, type RedisQueue, type RedisQueueOptions } from '../../adapters/queue/redis.ts';
import { QueueFullError } from '../../adapters/queue/memory.ts';
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';
import { closedPort, startBlackHole } from '../support/s3.ts';
import { deleteQueueKeys, redisAnswers, testRedisClient, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';
import { withinMs } from '../support/deadline.ts';

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

test.after.each(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close()));
  await Promise.all(names.splice(0).map((name) => deleteQueueKeys(name)));
});

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'Redis queue')) {
  test('bytes of every value survive the round trip; the stream entry holds only text fields naming the payload', async () => {
    const queue = queueOf();
    await queue.connected();
    const original = task('mastered/a.wav', 3 * 1024 * 1024 + 1);
    await queue.enqueue(original);
    const client = await testRedisClient();
    try {
      const [entry] = (await client.xRange(queue.stream, '-', '+'))!;
      assert.equal(Object.keys(entry.message).sort(), ['content_type', 'correlation_id', 'enqueued_at', 'key', 'metadata', 'payload', 'size', 'v']);
      assert.is(entry.message.size, String(3 * 1024 * 1024 + 1));
      const [delivery] = await queue.consume({ maxTasks: 5, waitMs: 500 });
      assert.is(delivery.attempt, 1);
      assert.is(delivery.problem, null);
      assert.equal(delivery.task!.object.bytes, original.object.bytes);
      assert.equal(delivery.task!.object.metadata, original.object.metadata);
      assert.is(delivery.task!.correlationId, 'c-mastered/a.wav');
      await queue.acknowledge(delivery);
      assert.is(await client.xLen(queue.stream), 0);
      assert.is(await client.exists(entry.message.payload), 0, 'the payload is deleted with its entry');
      assert.is((await client.xPending(queue.stream, 'workers')).pending, 0);
    } finally {
      await client.close();
    }
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

  test('a task held by a consumer that died is reclaimed by another after the visibility timeout, not before, with attempt 2', async () => {
    const name = uniqueQueueName('reclaim');
    const dying = queueOf({ name, consumerName: 'dying', visibilityTimeoutMs: 400 });
    await dying.connected();
    await dying.enqueue(task('mastered/r.wav'));
    // Measured from before the first delivery (Redis counts idle time from it), so a slow machine can only make it look longer.
    const deliveredFromMs = Date.now();
    assert.is((await dying.consume({ maxTasks: 1, waitMs: 500 })).length, 1);
    await dying.close(); // never acknowledged
    const survivor = queueOf({ name, consumerName: 'survivor', visibilityTimeoutMs: 400 });
    const early = await survivor.consume({ maxTasks: 1, waitMs: 0 });
    // On a stalled machine the timeout may already be over here; then the task must come back now.
    if (Date.now() - deliveredFromMs < 390) assert.equal(early, [], 'still invisible right after the crash');
    const deliveries = early.length > 0 ? early : await survivor.consume({ maxTasks: 1, waitMs: 10_000 });
    assert.is(deliveries.length, 1);
    assert.is(deliveries[0].attempt, 2);
    // Redis's clock and ours are the same machine's, read at millisecond resolution.
    assert.ok(Date.now() - deliveredFromMs >= 399, `reclaimed ${Date.now() - deliveredFromMs} ms after its delivery`);
    const client = await testRedisClient();
    try {
      const [pending] = await client.xPendingRange(survivor.stream, 'workers', '-', '+', 10);
      assert.is(pending.consumer, 'survivor');
      assert.is(pending.deliveriesCounter, 2);
    } finally {
      await client.close();
    }
  });

  test('retryLater brings the task back after its delay with the delivery count as attempt', async () => {
    const queue = queueOf();
    await queue.connected();
    await queue.enqueue(task('mastered/retry.wav'));
    let [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    for (const expected of [2, 3]) {
      // Measured from before the delay starts, so a slow machine can only make it look longer.
      const retriedFromMs = Date.now();
      await queue.retryLater(delivery, 150);
      const early = await queue.consume({ maxTasks: 1, waitMs: 0 });
      if (Date.now() - retriedFromMs < 150) assert.equal(early, [], 'not before its delay');
      [delivery] = early.length > 0 ? early : await queue.consume({ maxTasks: 1, waitMs: 10_000 });
      assert.ok(Date.now() - retriedFromMs >= 150, `came back after ${Date.now() - retriedFromMs} ms`);
      assert.is(delivery.attempt, expected);
      assert.is(delivery.task?.object.key, 'mastered/retry.wav');
    }
  });

  test('a dead letter leaves the queue for the dead stream with its reason, attempts and payload, and can be requeued', async () => {
    const queue = queueOf();
    await queue.connected();
    const original = task('mastered/dead.wav', 1000);
    await queue.enqueue(original);
    const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    await queue.deadLetter(delivery, 'storage said no');
    assert.is(await queue.depth(), 0);
    assert.is(await queue.deadLetterDepth(), 1);
    assert.is(queue.deadLetterName, `redis://${queue.deadStream}`);
    const client = await testRedisClient();
    try {
      const [dead] = (await client.xRange(queue.deadStream, '-', '+'))!;
      assert.is(dead.message.reason, 'storage said no');
      assert.is(dead.message.attempts, '1');
      assert.is(dead.message.original_id, delivery.id);
      assert.is(dead.message.key, 'mastered/dead.wav');
      assert.is(await client.exists(dead.message.payload), 1, 'the payload stays with the dead letter');
    } finally {
      await client.close();
    }
    assert.is(await queue.requeueDeadLetters(), 1);
    assert.is(await queue.deadLetterDepth(), 0);
    const [again] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    assert.is(again.attempt, 1);
    assert.equal(again.task?.object.bytes, original.object.bytes);
  });

  test('an entry that cannot be read is delivered with its problem instead of a task, next to the good ones', async () => {
    const queue = queueOf();
    await queue.connected();
    await queue.enqueue(task('mastered/good-1.wav'));
    const client = await testRedisClient();
    try {
      await client.xAdd(queue.stream, '*', { v: '1', key: 'mastered/bad.wav', metadata: '{not json' });
      await client.xAdd(queue.stream, '*', { hello: 'world' });
    } finally {
      await client.close();
    }
    await queue.enqueue(task('mastered/good-2.wav'));
    const deliveries = await queue.consume({ maxTasks: 10, waitMs: 500 });
    assert.equal(deliveries.map((d) => d.task?.object.key ?? null), ['mastered/good-1.wav', null, null, 'mastered/good-2.wav']);
    assert.match(deliveries[1].problem!, /content type/);
    assert.match(deliveries[2].problem!, /unsupported message version/);
  });

  test('a queue at capacity refuses the next task with QueueFullError', async () => {
    const queue = queueOf({ capacity: 2 });
    await queue.connected();
    await queue.enqueue(task('mastered/1.wav'));
    await queue.enqueue(task('mastered/2.wav'));
    const error = await queue.enqueue(task('mastered/3.wav')).then(() => null, (e: Error) => e);
    assert.instance(error, QueueFullError);
    assert.is(await queue.depth(), 2);
  });

  test('depth and oldest age count tasks until they are acknowledged, on Redis time', async () => {
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
    // At least the wait, at most the time since just before the first enqueue (Redis's clock is this machine's; 1 ms for rounding).
    assert.ok(ageMs >= 59 && ageMs <= Date.now() - beforeFirstMs + 1, `${ageMs} ms`);
    await queue.acknowledge(deliveries[0]);
    assert.is(await queue.depth(), 1);
  });

  test('the stream deleted under a running consumer is recreated with its group', async () => {
    const queue = queueOf();
    await queue.connected();
    await queue.enqueue(task('mastered/before.wav'));
    await deleteQueueKeys(names[names.length - 1]);
    await queue.enqueue(task('mastered/after.wav'));
    const deliveries = await queue.consume({ maxTasks: 5, waitMs: 500 });
    assert.equal(deliveries.map((d) => d.task?.object.key), ['mastered/after.wav']);
  });

  test('a task whose acknowledgement failed is delivered again after the visibility timeout', async () => {
    const consumerName = `unacked-${crypto.randomUUID().slice(0, 8)}`;
    const queue = queueOf({ visibilityTimeoutMs: 500, consumerName });
    await queue.connected();
    await queue.enqueue(task('mastered/unacked.wav'));
    const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 500 });
    const client = await testRedisClient();
    try {
      // Cut the consumer's connection: the acknowledgement cannot reach Redis.
      const clients = String(await client.sendCommand(['CLIENT', 'LIST']));
      const id = new RegExp(`id=(\\d+) [^\\n]*name=${consumerName}:consumer`).exec(clients)![1];
      await client.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    } finally {
      await client.close();
    }
    const error = await queue.acknowledge(delivery).then(() => null, (e: Error) => e);
    assert.ok(error, 'the acknowledgement failed');
    const again = await queue.consume({ maxTasks: 1, waitMs: 5000 }).catch(async () => {
      // The connection may still be coming back; the worker would simply read again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return queue.consume({ maxTasks: 1, waitMs: 5000 });
    });
    assert.equal(again.map((d) => [d.id, d.attempt]), [[delivery.id, 2]]);
    await queue.acknowledge(again[0]);
    assert.is(await queue.depth(), 0);
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
