// A job whose worker dies is taken over by the next worker (stalled-job
// recovery), and a job that keeps losing its workers ends `failed` with
// `worker_lost` after AUDO_EQ_JOBS_MAX_ATTEMPTS runs — never run again after
// that. A worker "dies" here by being closed by force mid-job: its lock is
// no longer renewed, exactly as when its process is killed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JobProcessor } from '../../core/app/jobs/job-queue.ts';
import type { JobSubmission } from '../../core/app/jobs/job-record.ts';
import { parseAllowList } from '../../core/app/jobs/address-policy.ts';
import { createBullmqJobQueue, createBullmqJobWorker, type BullmqJobOptions } from '../../adapters/jobs/bullmq.ts';
import { createNodeCallbackTransport } from '../../adapters/webhooks/node-transport.ts';
import { waitUntil } from '../support/deadline.ts';
import { createMemoryStorage, createRecordingLogger } from '../support/doubles.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';
import { sampleDiagnostics } from '../support/diagnostics.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';

function submission(id: string): JobSubmission {
  return { id, owner: 'anonymous', correlationId: `c-${id}`, options: DEFAULT_MASTERING_OPTIONS, inputs: {}, callbackUrl: null, submittedAt: new Date().toISOString() };
}

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'BullMQ worker loss')) {
  test('a job whose worker dies is finished by the next one; one that keeps killing its workers ends failed (worker_lost) after the configured runs', async () => {
    const name = uniqueQueueName('worker-loss');
    const callbacks = { secret: null, allowList: parseAllowList([]), maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 1000 };
    const options: BullmqJobOptions = {
      redisUrl: TEST_REDIS_URL,
      name,
      capacity: 10,
      maxAttempts: 2,
      retryBaseMs: 10,
      lockMs: 1000,
      retentionSeconds: 600,
      timeoutMs: 2000,
      storage: createMemoryStorage(),
      logger: createRecordingLogger(),
      callbacks,
      transport: createNodeCallbackTransport(callbacks.allowList),
    };
    const queue = await createBullmqJobQueue(options);
    const runs = new Map<string, number>();
    let started: () => void = () => {};
    // 'deadly' never finishes (its worker is closed by force under it); 'survivor' finishes on its second run.
    const processor: JobProcessor = async (record) => {
      const id = record.submission.id;
      runs.set(id, (runs.get(id) ?? 0) + 1);
      started();
      if (id === 'survivor' && runs.get(id)! >= 2) {
        return { key: `mastered/${id}.wav`, destination: 'memory://x', sizeBytes: 1, profileId: 'default', policies: {}, diagnostics: sampleDiagnostics(), warnings: [], masteringSeconds: 0 };
      }
      return new Promise(() => {});
    };
    const kill = async () => {
      const worker = createBullmqJobWorker(options, { processor, lifecycle: {}, concurrency: 1, queue });
      const running = new Promise<void>((resolve) => (started = resolve));
      worker.start();
      await running;
      await worker.stop({ timeoutMs: 0 });
    };
    try {
      await queue.submit(submission('survivor'));
      await kill();
      const rescuer = createBullmqJobWorker(options, { processor, lifecycle: {}, concurrency: 1, queue });
      rescuer.start();
      await waitUntil(async () => (await queue.get('survivor'))?.status === 'succeeded', 20_000, async () => JSON.stringify(await queue.get('survivor')));
      assert.is(runs.get('survivor'), 2);
      assert.is((await queue.get('survivor'))!.attempts, 2);
      await rescuer.stop({ timeoutMs: 1000 });

      await queue.submit(submission('deadly'));
      await kill();
      await kill();
      // A third worker sees the job has used up its runs: it fails it without running it.
      const last = createBullmqJobWorker(options, { processor, lifecycle: {}, concurrency: 1, queue });
      last.start();
      await waitUntil(async () => (await queue.get('deadly'))?.status === 'failed', 20_000, async () => JSON.stringify(await queue.get('deadly')));
      const record = (await queue.get('deadly'))!;
      assert.is(record.error?.code, 'worker_lost');
      assert.is(runs.get('deadly'), 2, 'never run again after its runs were used up');
      await last.stop({ timeoutMs: 1000 });
    } finally {
      await queue.close();
      await deleteQueueKeys(name);
      // The workers closed by force still hold their never-ending job and tick their stalled
      // checks for a moment; remove what they wrote after the first clean-up too.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await deleteQueueKeys(name);
    }
  });
}

test.run();
