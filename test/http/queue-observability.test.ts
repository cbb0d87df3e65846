// The deferred queue as operators see it: `/ready` lists the queue check with
// its depth, oldest task age and dead letters; `/metrics` exposes them as
// gauges next to the worker's outcomes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import { createMetrics } from '../../core/http/metrics.ts';
import type { ArtifactQueue } from '../../core/app/ports.ts';
import { createMemoryQueue } from '../../adapters/queue/memory.ts';
import { createEchoRunner, createMemoryStorage, multipartForm, tinyWav } from '../support/doubles.ts';

const deferred = { mode: 'deferred', guarantee: 'best-effort' } as const;
const memoryQueue = () => createMemoryQueue({ name: 'artifacts', capacity: 10, maxBytes: 1 << 20, visibilityTimeoutMs: 60_000 });
const masterRequest = () => new Request('http://local/master', { method: 'POST', body: multipartForm({ target: tinyWav(), reference: tinyWav() }) });

test('/ready lists the queue with its depth, oldest task age and dead letters, and stays ready with a backlog', async () => {
  const queue = memoryQueue();
  const app = createApp({ runner: createEchoRunner(), storage: createMemoryStorage(), queue, persistence: deferred });
  const beforeFirstMs = Date.now();
  for (let i = 0; i < 2; i++) assert.is((await app(masterRequest())).headers.get('x-artifact-persistence-status'), 'deferred');
  const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  await queue.deadLetter(delivery, 'test');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 200);
  const { checks } = await response.json();
  assert.equal({ ...checks.queue, oldest_age_seconds: undefined }, { status: 'ok', backend: 'memory', name: 'artifacts', depth: 1, oldest_age_seconds: undefined, dead_letters: 1 });
  // Older than the wait, no older than the time since just before the first request.
  assert.ok(checks.queue.oldest_age_seconds > 0 && checks.queue.oldest_age_seconds <= (Date.now() - beforeFirstMs) / 1000, String(checks.queue.oldest_age_seconds));
});

test('/ready is 503 with the queue check failed when the queue does not answer', async () => {
  const queue: ArtifactQueue = { ...memoryQueue(), checkReady: async () => Promise.reject(new Error('Redis at 127.0.0.1:6379 is not reachable')) };
  const app = createApp({ runner: createEchoRunner(), storage: createMemoryStorage(), queue, persistence: deferred });
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 503);
  const { detail } = await response.json();
  assert.equal(detail.checks.queue, { status: 'unavailable', backend: 'memory', name: 'artifacts', error: 'Redis at 127.0.0.1:6379 is not reachable' });
});

test('/metrics exposes queue depth, oldest age, dead letters and the worker outcomes', async () => {
  const queue = memoryQueue();
  const metrics = createMetrics();
  const app = createApp({ runner: createEchoRunner(), storage: createMemoryStorage(), queue, persistence: deferred, metrics });
  await app(masterRequest());
  metrics.countDeferredOutcome('retried');
  metrics.countDeferredOutcome('stored');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const text = await (await app(new Request('http://local/metrics'))).text();
  assert.match(text, /^audo_eq_persistence_queue_depth 1$/m);
  assert.match(text, /^audo_eq_persistence_queue_dead_letters 0$/m);
  assert.match(text, /^audo_eq_artifact_persistence_total\{status="deferred"\} 1$/m);
  assert.match(text, /^audo_eq_deferred_persistence_total\{outcome="retried"\} 1$/m);
  assert.match(text, /^audo_eq_deferred_persistence_total\{outcome="stored"\} 1$/m);
  const age = Number(/^audo_eq_persistence_queue_oldest_age_seconds (\S+)$/m.exec(text)![1]);
  assert.ok(age > 0 && age < 5, String(age));
  const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 0 });
  await queue.acknowledge(delivery);
  assert.match(await (await app(new Request('http://local/metrics'))).text(), /^audo_eq_persistence_queue_oldest_age_seconds 0$/m);
});

test.run();
