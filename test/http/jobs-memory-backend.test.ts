// The shared job API tests against the in-memory backend: one process, no Redis.
import { createApp } from '../../core/http/app.ts';
import { createMasteringJobProcessor } from '../../core/app/jobs/mastering-job-processor.ts';
import { createMemoryJobQueue } from '../../adapters/jobs/memory.ts';
import { createTimerResultExpiry } from '../../core/app/jobs/result-expiry.ts';
import { createNodeCallbackTransport, resolveHostAddresses } from '../../adapters/webhooks/node-transport.ts';
import { jobLifecycle } from '../../runtimes/shared/jobs.ts';
import { runJobApiSuite } from '../support/job-api-suite.ts';
import { createRecordingLogger } from '../support/doubles.ts';

runJobApiSuite('memory', async ({ runner, storage, callbacks, capacity, apiKeys, metrics, resultRetentionSeconds }) => {
  const logger = createRecordingLogger();
  const queue = createMemoryJobQueue({
    name: 'jobs-test',
    capacity,
    retentionMs: 60_000,
    maxAttempts: 2,
    retryDelayMs: () => 50,
    callbacks: { transport: createNodeCallbackTransport(callbacks.allowList), settings: callbacks },
    logger,
  });
  const processor = createMasteringJobProcessor({ runner, storage, events: { publish() {} }, logger, clock: { now: () => new Date() } });
  const expiry = resultRetentionSeconds > 0 ? createTimerResultExpiry(storage, resultRetentionSeconds * 1000, logger) : null;
  const worker = queue.createWorker(processor, { concurrency: 1, lifecycle: jobLifecycle({ storage, timings: metrics, logger, expireResult: expiry?.expire }) });
  worker.start();
  const app = createApp({ runner, storage, apiKeys, metrics, jobs: { queue, callbacks, resolveHost: resolveHostAddresses } });
  return {
    app,
    async close() {
      await worker.stop({ timeoutMs: 5000 });
      await queue.close();
      expiry?.close();
    },
  };
});
