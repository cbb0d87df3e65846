// The in-memory queue: FIFO deliveries with leases, retries after their
// delay, dead letters, and the bounds that make a full queue refuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryQueue, QueueFullError } from '../../adapters/queue/memory.ts';
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';

function task(key: string, size = 16): ArtifactPersistenceTask {
  const bytes = new Uint8Array(size).map((_, i) => (i * 7 + key.length) & 0xff);
  return { object: { key, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `c-${key}` } }, correlationId: `c-${key}`, enqueuedAt: new Date().toISOString() };
}

const queueOf = (overrides: Partial<Parameters<typeof createMemoryQueue>[0]> = {}) =>
  createMemoryQueue({ name: 'artifacts', capacity: 10, maxBytes: 1 << 20, visibilityTimeoutMs: 10_000, ...overrides });

test('tasks come out in the order they went in, each with attempt 1 and its own bytes', async () => {
  const queue = queueOf();
  for (const key of ['a', 'b', 'c']) await queue.enqueue(task(key));
  const deliveries = await queue.consume({ maxTasks: 10, waitMs: 0 });
  assert.equal(deliveries.map((d) => d.task?.object.key), ['a', 'b', 'c']);
  assert.equal(deliveries.map((d) => d.attempt), [1, 1, 1]);
  assert.equal(deliveries[1].task?.object.bytes, task('b').object.bytes);
  assert.is(deliveries[0].problem, null);
  assert.is(queue.durable, false);
  assert.is(queue.backend, 'memory');
});

test('a delivered task is leased: nobody else gets it until it is acknowledged, and then it is gone', async () => {
  const queue = queueOf();
  await queue.enqueue(task('a'));
  const [first] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  assert.equal(await queue.consume({ maxTasks: 1, waitMs: 0 }), []);
  assert.is(await queue.depth(), 1);
  await queue.acknowledge(first);
  assert.is(await queue.depth(), 0);
  assert.is(await queue.oldestAgeMs(), null);
});

test('a lease that runs out (its consumer died) delivers the task again with the next attempt number', async () => {
  const queue = queueOf({ visibilityTimeoutMs: 60 });
  await queue.enqueue(task('a'));
  await queue.consume({ maxTasks: 1, waitMs: 0 });
  const again = await queue.consume({ maxTasks: 1, waitMs: 1000 });
  assert.is(again.length, 1);
  assert.is(again[0].attempt, 2);
});

test('retryLater hides the task for the delay, then delivers it with attempt 2 while later tasks go first', async () => {
  const queue = queueOf();
  await queue.enqueue(task('a'));
  const [first] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  // Measured from before the delay starts, so a slow machine can only make it look longer.
  const retriedFromMs = Date.now();
  await queue.retryLater(first, 120);
  await queue.enqueue(task('b'));
  const [second] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  assert.is(second.task?.object.key, 'b');
  const [retried] = await queue.consume({ maxTasks: 1, waitMs: 5000 });
  assert.is(retried.task?.object.key, 'a');
  assert.is(retried.attempt, 2);
  assert.ok(Date.now() - retriedFromMs >= 120, `came back after ${Date.now() - retriedFromMs} ms`);
});

test('a waiting consume wakes up as soon as a task is enqueued', async () => {
  const queue = queueOf();
  const pending = queue.consume({ maxTasks: 1, waitMs: 5000 });
  setTimeout(() => void queue.enqueue(task('late')), 30);
  const deliveries = await pending;
  assert.is(deliveries[0]?.task?.object.key, 'late');
});

test('an aborted consume returns at once with nothing', async () => {
  const queue = queueOf();
  const controller = new AbortController();
  const pending = queue.consume({ maxTasks: 1, waitMs: 5000, signal: controller.signal });
  controller.abort();
  assert.equal(await pending, []);
});

test('the queue refuses a task past its capacity in tasks or in bytes, and accepts again once one is done', async () => {
  const queue = queueOf({ capacity: 2, maxBytes: 100 });
  await queue.enqueue(task('a', 40));
  await queue.enqueue(task('b', 40));
  const full = await queue.enqueue(task('c', 1)).then(() => null, (error: Error) => error);
  assert.instance(full, QueueFullError);
  assert.match(full!.message, /full \(2 of 2 tasks\)/);
  const [first] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  await queue.acknowledge(first);
  const tooBig = await queue.enqueue(task('d', 61)).then(() => null, (error: Error) => error);
  assert.match(tooBig!.message, /bytes exceeds 100/);
  await queue.enqueue(task('e', 60));
  assert.is(await queue.depth(), 2);
});

test('dead-lettered tasks leave the queue and are kept, with the reason and attempts, in a bounded list', async () => {
  const queue = queueOf({ deadLetterCapacity: 2 });
  for (const key of ['a', 'b', 'c']) await queue.enqueue(task(key));
  for (const delivery of await queue.consume({ maxTasks: 3, waitMs: 0 })) await queue.deadLetter(delivery, `gave up on ${delivery.task?.object.key}`);
  assert.is(await queue.depth(), 0);
  assert.is(await queue.deadLetterDepth(), 2);
  assert.equal(queue.deadLetters().map((d) => [d.task?.object.key, d.reason, d.attempts]), [['b', 'gave up on b', 1], ['c', 'gave up on c', 1]]);
});

test('oldestAgeMs is the age of the first task still held', async () => {
  const queue = queueOf();
  const beforeFirstMs = Date.now();
  await queue.enqueue(task('a'));
  // Waited on the clock the queue reads: a 40 ms timer can fire a millisecond before Date.now() says 40 ms passed.
  const afterFirstMs = Date.now();
  while (Date.now() - afterFirstMs < 40) await new Promise((resolve) => setTimeout(resolve, 5));
  await queue.enqueue(task('b'));
  const ageMs = (await queue.oldestAgeMs())!;
  // The first task's age: at least the wait, at most the time since just before it was enqueued.
  assert.ok(ageMs >= 40 && ageMs <= Date.now() - beforeFirstMs, `${ageMs} ms`);
});

test('a closed queue refuses tasks, delivers nothing and is not ready', async () => {
  const queue = queueOf();
  await queue.enqueue(task('a'));
  await queue.close();
  const refused = await queue.enqueue(task('b')).then(() => null, (error: Error) => error);
  assert.match(refused!.message, /closed/);
  assert.equal(await queue.consume({ maxTasks: 1, waitMs: 1000 }), []);
  const notReady = await queue.checkReady().then(() => null, (error: Error) => error);
  assert.match(notReady!.message, /closed/);
});

test.run();
