// The deferred-persistence worker over the real memory queue and in-memory
// storage: store-then-acknowledge, capped exponential backoff, dead letters
// after N attempts (unreadable messages included) without holding up the
// others, the crash-loop guard, draining on stop, and queue outages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createArtifactWorker, retryDelayMs, type ArtifactWorkerOptions } from '../../core/app/artifact-worker.ts';
import type { ArtifactPersistenceTask, ArtifactQueue, ArtifactStorage, QueueDelivery } from '../../core/app/ports.ts';
import { createRecordingPublisher } from '../../core/domain/events.ts';
import { createMemoryQueue } from '../../adapters/queue/memory.ts';
import { createMemoryStorage, createRecordingLogger } from '../support/doubles.ts';
import { waitUntil, withinMs } from '../support/deadline.ts';

function task(key: string): ArtifactPersistenceTask {
  const bytes = new TextEncoder().encode(`RIFF…${key}`);
  return { object: { key, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `c-${key}` } }, correlationId: `c-${key}`, enqueuedAt: new Date().toISOString() };
}

/** Storage that fails for keys `failFor` says, `failures` times each (Infinity: always). */
function flakyStorage(failFor: (key: string) => boolean, failures = Infinity): ArtifactStorage & { objects: Map<string, unknown>; calls: string[] } {
  const inner = createMemoryStorage();
  const seen = new Map<string, number>();
  const calls: string[] = [];
  return {
    ...inner,
    calls,
    async store(object) {
      calls.push(object.key);
      const n = (seen.get(object.key) ?? 0) + 1;
      seen.set(object.key, n);
      if (failFor(object.key) && n <= failures) throw new Error(`connect ECONNREFUSED (attempt ${n})`);
      return inner.store(object);
    },
  };
}

/** The memory queue, recording retry delays, and turning keys that start with `poison` into unreadable deliveries. */
function spyQueue(overrides: Partial<Parameters<typeof createMemoryQueue>[0]> = {}) {
  const inner = createMemoryQueue({ name: 'artifacts', capacity: 100, maxBytes: 1 << 24, visibilityTimeoutMs: 5000, ...overrides });
  const delays: Array<[string, number]> = [];
  const queue: ArtifactQueue & { delays: typeof delays; inner: typeof inner } = {
    ...inner,
    delays,
    inner,
    async consume(options) {
      const deliveries = await inner.consume(options);
      return deliveries.map((d): QueueDelivery => (d.task?.object.key.startsWith('poison') ? { ...d, task: null, problem: 'fields do not parse' } : d));
    },
    async retryLater(delivery, delayMs) {
      delays.push([delivery.task?.object.key ?? delivery.id, delayMs]);
      return inner.retryLater(delivery, delayMs);
    },
  };
  return queue;
}

function workerWith(queue: ArtifactQueue, storage: ArtifactStorage, overrides: Partial<ArtifactWorkerOptions> = {}) {
  const events = createRecordingPublisher();
  const logger = createRecordingLogger();
  const worker = createArtifactWorker({
    queue,
    storage,
    events,
    logger,
    clock: { now: () => new Date() },
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 },
    random: () => 1,
    pollWaitMs: 50,
    ...overrides,
  });
  return { worker, events, logger };
}

test('the retry delay doubles from the base, stops at the cap, and keeps at least half of it under jitter', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000 };
  assert.equal([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(attempt, policy, () => 1)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal([1, 3, 9].map((attempt) => retryDelayMs(attempt, policy, () => 0)), [500, 2000, 15000]);
  for (let i = 0; i < 100; i++) {
    const delayMs = retryDelayMs(4, policy);
    assert.ok(delayMs >= 4000 && delayMs <= 8000, String(delayMs));
  }
});

test('each task is stored under its key, acknowledged, and announced with ArtifactStored', async () => {
  const queue = spyQueue();
  const storage = flakyStorage(() => false);
  const { worker, events } = workerWith(queue, storage);
  for (const key of ['mastered/a.wav', 'mastered/b.wav', 'mastered/c.wav']) await queue.enqueue(task(key));
  worker.start();
  await waitUntil(async () => (await queue.depth()) === 0, 3000, async () => `depth ${await queue.depth()}`);
  await worker.stop();
  assert.equal([...storage.objects.keys()].sort(), ['mastered/a.wav', 'mastered/b.wav', 'mastered/c.wav']);
  const stored = events.events.filter((e) => e.name === 'ArtifactStored');
  assert.is(stored.length, 3);
  const first = stored.find((e) => e.correlationId === 'c-mastered/a.wav')!;
  assert.is(first.payload.destination, 'memory://bucket/mastered/a.wav');
  assert.is(first.payload.queue_name, 'artifacts');
  assert.is(first.payload.attempt, 1);
  assert.is(worker.counts.stored, 3);
});

test('a failing upload is retried with doubling delays up to the cap and stored once storage recovers', async () => {
  const queue = spyQueue();
  const storage = flakyStorage(() => true, 3);
  const { worker, events, logger } = workerWith(queue, storage, { retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 25 } });
  await queue.enqueue(task('mastered/flaky.wav'));
  worker.start();
  await waitUntil(() => worker.counts.stored === 1, 3000, () => JSON.stringify(worker.counts));
  await worker.stop();
  assert.equal(queue.delays, [['mastered/flaky.wav', 10], ['mastered/flaky.wav', 20], ['mastered/flaky.wav', 25]]);
  assert.equal(storage.calls, Array(4).fill('mastered/flaky.wav'));
  assert.is(events.events.filter((e) => e.name === 'ArtifactStored')[0].payload.attempt, 4);
  const warnings = logger.records.filter((r) => r.message === 'Deferred artifact upload failed; retrying later');
  assert.equal(warnings.map((r) => r.fields.attempt), [1, 2, 3]);
  assert.is(warnings[0].fields.object_name, 'mastered/flaky.wav');
  assert.is(warnings[0].fields.correlation_id, 'c-mastered/flaky.wav');
});

test('after the configured attempts a task is dead-lettered with a failure event while the others are stored', async () => {
  const queue = spyQueue();
  const storage = flakyStorage((key) => key.includes('doomed'));
  const { worker, events, logger } = workerWith(queue, storage);
  await queue.enqueue(task('mastered/doomed.wav'));
  for (let i = 0; i < 5; i++) await queue.enqueue(task(`mastered/ok-${i}.wav`));
  worker.start();
  await waitUntil(() => worker.counts.dead_lettered === 1 && worker.counts.stored === 5, 3000, () => JSON.stringify(worker.counts));
  await worker.stop();
  assert.equal(storage.calls.filter((key) => key.includes('doomed')).length, 4, 'exactly maxAttempts uploads');
  assert.equal(queue.inner.deadLetters().map((d) => [d.task?.object.key, d.attempts]), [['mastered/doomed.wav', 4]]);
  assert.match(queue.inner.deadLetters()[0].reason, /ECONNREFUSED \(attempt 4\)/);
  const failure = events.events.find((e) => e.name === 'ArtifactPersistenceFailed')!;
  assert.is(failure.correlationId, 'c-mastered/doomed.wav');
  assert.equal({ ...failure.payload, error: undefined }, { stage: 'deferred', reason: 'dead_lettered', object_key: 'mastered/doomed.wav', attempts: 4, queue_name: 'artifacts', dead_letter: 'memory://artifacts/dead', error: undefined });
  assert.ok(logger.records.some((r) => r.level === 'error' && r.message === 'Deferred artifact persistence gave up; task moved to the dead-letter queue'));
  assert.is(await queue.depth(), 0);
});

test('an unreadable message is retried like a failure, dead-lettered after N attempts, and never blocks the tasks behind it', async () => {
  const queue = spyQueue();
  const storage = flakyStorage(() => false);
  const { worker, events } = workerWith(queue, storage, { concurrency: 1 });
  await queue.enqueue(task('poison/1'));
  for (let i = 0; i < 3; i++) await queue.enqueue(task(`mastered/after-${i}.wav`));
  worker.start();
  await waitUntil(() => worker.counts.dead_lettered === 1 && worker.counts.stored === 3, 3000, () => JSON.stringify(worker.counts));
  await worker.stop();
  assert.not.ok(storage.calls.includes('poison/1'), 'nothing is stored for an unreadable message');
  assert.is(queue.inner.deadLetters()[0].attempts, 4);
  assert.match(queue.inner.deadLetters()[0].reason, /unreadable message: fields do not parse/);
  assert.is(events.events.find((e) => e.name === 'ArtifactPersistenceFailed')!.correlationId, 'unknown');
});

test('a task delivered more often than allowed (its worker kept dying) is dead-lettered without another upload', async () => {
  const queue = spyQueue();
  const storage = flakyStorage(() => false);
  const redelivered: ArtifactQueue = {
    ...queue,
    async consume(options) {
      return (await queue.consume(options)).map((d) => ({ ...d, attempt: 5 }));
    },
  };
  const { worker } = workerWith(redelivered, storage);
  await queue.enqueue(task('mastered/crashy.wav'));
  worker.start();
  await waitUntil(() => worker.counts.dead_lettered === 1, 3000, () => JSON.stringify(worker.counts));
  await worker.stop();
  assert.equal(storage.calls, []);
  assert.match(queue.inner.deadLetters()[0].reason, /delivered 5 times without finishing/);
});

test('stopping drains the memory queue first, and reports what is lost when storage stays down', async () => {
  const healthy = spyQueue();
  const { worker } = workerWith(healthy, flakyStorage(() => false));
  for (let i = 0; i < 4; i++) await healthy.enqueue(task(`mastered/drain-${i}.wav`));
  worker.start();
  assert.equal(await worker.stop({ drainTimeoutMs: 3000 }), { left: 0 });

  const stuck = spyQueue();
  // Storage never comes back and the task is retried without end: only the drain timeout can end stop().
  const down = workerWith(stuck, flakyStorage(() => true), { retry: { maxAttempts: Number.MAX_SAFE_INTEGER, baseDelayMs: 10, maxDelayMs: 20 } });
  await stuck.enqueue(task('mastered/lost.wav'));
  down.worker.start();
  assert.equal(await withinMs(down.worker.stop({ drainTimeoutMs: 200 }), 60_000, 'stop() with storage down'), { left: 1 });
  assert.ok(down.logger.records.some((r) => r.level === 'error' && r.fields.left === 1));
});

test('when the queue cannot be read the worker logs once, waits, and carries on when it answers again', async () => {
  const queue = spyQueue();
  let outages = 3;
  const unreliable: ArtifactQueue = {
    ...queue,
    async consume(options) {
      if (outages-- > 0) throw new Error('Redis at 127.0.0.1:6379 is not reachable');
      return queue.consume(options);
    },
  };
  const storage = flakyStorage(() => false);
  const { worker, logger } = workerWith(unreliable, storage, { random: () => 0 });
  await queue.enqueue(task('mastered/late.wav'));
  worker.start();
  await waitUntil(() => worker.counts.stored === 1, 5000, () => JSON.stringify(worker.counts));
  await worker.stop();
  assert.is(logger.records.filter((r) => r.message === 'Deferred persistence queue read failed; retrying').length, 1);
});

test('stop waits for the upload in flight to finish before it resolves', async () => {
  const queue = spyQueue();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inner = createMemoryStorage();
  let uploading = false;
  const slow: ArtifactStorage = {
    ...inner,
    async store(object) {
      uploading = true;
      await gate;
      return inner.store(object);
    },
  };
  const { worker } = workerWith(queue, slow, { pollWaitMs: 5000 });
  await queue.enqueue(task('mastered/slow.wav'));
  worker.start();
  await waitUntil(() => uploading, 1000, () => 'the upload did not start');
  const stopping = worker.stop();
  setTimeout(release, 50);
  await stopping;
  assert.ok(inner.objects.has('mastered/slow.wav'), 'the upload in flight finished before stop resolved');
  assert.is(await queue.depth(), 0);
});

test.run();
