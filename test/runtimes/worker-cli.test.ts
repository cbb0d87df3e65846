// `npm run worker` as a process: it refuses configurations it cannot serve
// with one line, rejects unknown arguments, and lists dead letters or moves
// them back to the queue on request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createRedisQueue } from '../../adapters/queue/redis.ts';
import { repoRoot } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';

function runWorker(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'runtimes/node/worker.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', AUDO_EQ_LOG_FORMAT: 'json', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.split('\n').filter((line) => line && !/Warning|node --trace/.test(line)).join('\n') };
}

test('the worker refuses memory queues with one line naming the variable: they live inside the API process', () => {
  const { status, stderr } = runWorker([], { AUDO_EQ_QUEUE_BACKEND: 'memory', AUDO_EQ_JOBS_BACKEND: 'memory' });
  assert.is(status, 1);
  assert.match(stderr, /^invalid configuration: AUDO_EQ_JOBS_BACKEND: the standalone worker takes work from queues shared with the API; set AUDO_EQ_JOBS_BACKEND=redis .* and\/or AUDO_EQ_QUEUE_BACKEND=redis .*memory queues live inside the API process$/);
  const requeue = runWorker(['--requeue-dead-letters'], { AUDO_EQ_QUEUE_BACKEND: 'memory', AUDO_EQ_JOBS_BACKEND: 'redis' });
  assert.is(requeue.status, 1);
  assert.match(requeue.stderr, /^invalid configuration: AUDO_EQ_QUEUE_BACKEND: dead letters live in the Redis deferred queue/);
});

test('the worker refuses disabled storage and bad values like the API does', () => {
  assert.match(runWorker([], { AUDO_EQ_QUEUE_BACKEND: 'redis', AUDO_EQ_STORAGE_ENABLED: 'false' }).stderr, /^invalid configuration: AUDO_EQ_STORAGE_ENABLED: /);
  const bad = runWorker([], { AUDO_EQ_QUEUE_BACKEND: 'redis', AUDO_EQ_QUEUE_MAX_ATTEMPTS: 'lots' });
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^invalid configuration: AUDO_EQ_QUEUE_MAX_ATTEMPTS: /);
});

test('an unknown argument is a usage error with exit code 2', () => {
  const { status, stderr } = runWorker(['--frobnicate'], { AUDO_EQ_QUEUE_BACKEND: 'redis' });
  assert.is(status, 2);
  assert.match(stderr, /^unknown option '--frobnicate'\nusage: npm run worker/);
});

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'worker --requeue-dead-letters')) {
  test('--list-dead-letters prints each dead letter as a JSON line; --requeue-dead-letters moves them back to the queue; both exit', async () => {
    const name = uniqueQueueName('requeue');
    const queue = createRedisQueue({ url: TEST_REDIS_URL, name, capacity: 100, visibilityTimeoutMs: 5000, timeoutMs: 1000, consumerName: 'test' });
    try {
      await queue.connected();
      for (let i = 0; i < 3; i++) {
        const bytes = new Uint8Array([i, 255, 0]);
        await queue.enqueue({ object: { key: `mastered/${i}.wav`, bytes, contentType: 'audio/wav', metadata: {} }, correlationId: `r-${i}`, enqueuedAt: new Date().toISOString() });
      }
      for (const delivery of await queue.consume({ maxTasks: 3, waitMs: 500 })) await queue.deadLetter(delivery, 'storage down for too long');
      assert.is(await queue.deadLetterDepth(), 3);
      const listed = runWorker(['--list-dead-letters'], { AUDO_EQ_QUEUE_BACKEND: 'redis', AUDO_EQ_REDIS_URL: TEST_REDIS_URL, AUDO_EQ_QUEUE_NAME: name, AUDO_EQ_LOG_LEVEL: 'warn' });
      assert.is(listed.status, 0, listed.stderr);
      const lines = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));
      assert.equal(lines.map((line) => line.object_key).sort(), ['mastered/0.wav', 'mastered/1.wav', 'mastered/2.wav']);
      for (const line of lines) {
        assert.is(line.reason, 'storage down for too long');
        assert.is(line.attempts, 1);
        assert.is(line.size_bytes, 3);
        assert.ok(Date.parse(line.dead_at) > 0);
      }
      assert.is(await queue.deadLetterDepth(), 3, 'listing moves nothing');
      const { status, stdout } = runWorker(['--requeue-dead-letters'], { AUDO_EQ_QUEUE_BACKEND: 'redis', AUDO_EQ_REDIS_URL: TEST_REDIS_URL, AUDO_EQ_QUEUE_NAME: name });
      assert.is(status, 0, stdout);
      assert.match(stdout, /"message":"Requeued dead-lettered persistence tasks".*"count":3/);
      assert.is(await queue.deadLetterDepth(), 0);
      const again = await queue.consume({ maxTasks: 5, waitMs: 500 });
      assert.equal(again.map((d) => [d.task?.object.key, d.attempt]).sort(), [['mastered/0.wav', 1], ['mastered/1.wav', 1], ['mastered/2.wav', 1]]);
    } finally {
      await queue.close();
      await deleteQueueKeys(name);
    }
  });
}

test.run();
