// The shared job API tests against the BullMQ backend on the real Redis:
// the same app, queue and worker in this process, a fresh queue name per
// test, every key of it removed afterwards.
import { createApp } from '../../core/http/app.ts';
import { createMasteringJobProcessor } from '../../core/app/jobs/mastering-job-processor.ts';
import { createBullmqJobQueue, createBullmqJobWorker, type BullmqJobOptions } from '../../adapters/jobs/bullmq.ts';
import { createNodeCallbackTransport, resolveHostAddresses } from '../../adapters/webhooks/node-transport.ts';
import { jobLifecycle } from '../../runtimes/shared/jobs.ts';
import { runJobApiSuite } from '../support/job-api-suite.ts';
import { createRecordingLogger } from '../support/doubles.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'BullMQ job backend')) {
  runJobApiSuite('bullmq', async ({ runner, storage, callbacks, capacity, apiKeys, metrics, resultRetentionSeconds }) => {
    const logger = createRecordingLogger();
    const name = uniqueQueueName('jobs-api');
    const options: BullmqJobOptions = {
      redisUrl: TEST_REDIS_URL,
      name,
      capacity,
      maxAttempts: 2,
      retryBaseMs: 50,
      lockMs: 5000,
      retentionSeconds: 600,
      resultRetentionSeconds,
      timeoutMs: 2000,
      storage,
      logger,
      callbacks,
      transport: createNodeCallbackTransport(callbacks.allowList),
    };
    // Timings are counted in Redis, as a separate worker process would, and /metrics reads them there.
    let lifecycle: ReturnType<typeof jobLifecycle> | null = null;
    const queue = await createBullmqJobQueue(options, { finished: async (record) => void (await lifecycle?.finished?.(record)) });
    lifecycle = jobLifecycle({ storage, timings: queue.timingsRecorder, logger, expireResult: queue.expireResult ?? undefined });
    const processor = createMasteringJobProcessor({ runner, storage, events: { publish() {} }, logger, clock: { now: () => new Date() } });
    const worker = createBullmqJobWorker(options, { processor, lifecycle, concurrency: 1, queue });
    worker.start();
    const app = createApp({ runner, storage, apiKeys, metrics, jobs: { queue, callbacks, resolveHost: resolveHostAddresses } });
    return {
      app,
      async close() {
        await worker.stop({ timeoutMs: 5000 });
        await queue.close();
        await deleteQueueKeys(name);
      },
    };
  });
}
