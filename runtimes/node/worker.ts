// The standalone worker (`npm run worker`, the compose `worker` service):
// takes mastering jobs from the BullMQ job queue (AUDO_EQ_JOBS_BACKEND=redis)
// and runs them on its own mastering worker threads, and drains the BullMQ
// deferred-persistence queue (AUDO_EQ_QUEUE_BACKEND=redis), next to API
// processes started with AUDO_EQ_JOBS_WORKER=false / AUDO_EQ_DEFERRED_WORKER=false
// (or alongside their in-process workers). Same environment as the API; run
// as many as you like, on any machine that reaches Redis and storage.
//
//   npm run worker                              run until SIGTERM/SIGINT
//   npm run worker -- --list-dead-letters       print the dead letters (one JSON line each), then exit
//   npm run worker -- --requeue-dead-letters    move dead letters back to the queue, then exit
import { hostname } from 'node:os';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { ConfigError, loadConfig, secretValues, type AppConfig } from '../../core/app/config.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';
import { createTslogLogger, resolveLogFormat } from '../../adapters/events/tslog.ts';
import type { RedisQueue } from '../../adapters/queue/redis.ts';
import { createStorage } from '../shared/compose.ts';
import { consumerName, createQueueFromConfig, createWorkerFromConfig } from '../shared/deferred.ts';
import { createJobSystem } from '../shared/jobs.ts';
import { createNodeWorkerPool } from './pool.ts';
import { poolOptionsFromConfig } from '../shared/pool-options.ts';
import { UsageError, parseCommandArgs } from './cli/args.ts';
import { routeProcessWarnings } from './process-warnings.ts';

const USAGE = 'usage: npm run worker [-- --list-dead-letters | --requeue-dead-letters]';

/** The configuration, or a ConfigError for what the worker cannot run with. */
function workerConfig(env: Record<string, string | undefined>, deadLetterCommand: boolean): AppConfig {
  const config = loadConfig(env);
  setSimdEnabled(config.AUDO_EQ_SIMD === 'on');
  const deferred = config.AUDO_EQ_QUEUE_BACKEND === 'redis';
  const jobs = config.AUDO_EQ_JOBS_BACKEND === 'redis';
  if (deadLetterCommand && !deferred) {
    throw new ConfigError('invalid configuration: AUDO_EQ_QUEUE_BACKEND: dead letters live in the Redis deferred queue; set AUDO_EQ_QUEUE_BACKEND=redis');
  }
  if (!deferred && !jobs) {
    throw new ConfigError(
      'invalid configuration: AUDO_EQ_JOBS_BACKEND: the standalone worker takes work from queues shared with the API; set AUDO_EQ_JOBS_BACKEND=redis (mastering jobs) and/or AUDO_EQ_QUEUE_BACKEND=redis (deferred persistence) — memory queues live inside the API process',
    );
  }
  if (!config.AUDO_EQ_STORAGE_ENABLED) {
    throw new ConfigError('invalid configuration: AUDO_EQ_STORAGE_ENABLED: the worker reads job inputs and stores results; storage must be enabled');
  }
  return config;
}

async function main(argv: string[]): Promise<void> {
  let requeue: boolean;
  let list: boolean;
  try {
    const { values } = parseCommandArgs(argv, { 'requeue-dead-letters': { type: 'boolean' }, 'list-dead-letters': { type: 'boolean' } });
    requeue = values['requeue-dead-letters'] === true;
    list = values['list-dead-letters'] === true;
    if (requeue && list) throw new UsageError('--list-dead-letters and --requeue-dead-letters are separate commands');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  let config: AppConfig;
  try {
    config = workerConfig(process.env, requeue || list);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createTslogLogger({
    format: resolveLogFormat(config.AUDO_EQ_LOG_FORMAT, process.stdout.isTTY === true),
    level: config.AUDO_EQ_LOG_LEVEL,
    secretValues: secretValues(config),
  });
  // Before the AWS SDK loads: its multi-line Node-version warning becomes one log record.
  routeProcessWarnings().attach(logger);
  const consumer = consumerName(`worker-${hostname()}-${process.pid}`);

  if (list) {
    const queue = (await createQueueFromConfig(config, { logger, consumer })) as RedisQueue;
    // One JSON line per dead letter on stdout (no log framing), oldest first, for jq and scripts.
    for (const dead of await queue.deadLetters(10_000)) console.log(JSON.stringify({ id: dead.id, object_key: dead.objectKey, correlation_id: dead.correlationId, reason: dead.reason, attempts: dead.attempts, dead_at: dead.deadAt, size_bytes: dead.sizeBytes }));
    await queue.close();
    await logger.flush();
    return;
  }
  if (requeue) {
    const queue = (await createQueueFromConfig(config, { logger, consumer })) as RedisQueue;
    const moved = await queue.requeueDeadLetters();
    logger.info('Requeued dead-lettered persistence tasks', { queue_name: queue.name, count: moved });
    await queue.close();
    await logger.flush();
    return;
  }

  const storage = (await createStorage(config))!;
  const events = createLoggingEventPublisher(logger);
  const deferredQueue = config.AUDO_EQ_QUEUE_BACKEND === 'redis' ? ((await createQueueFromConfig(config, { logger, consumer })) as RedisQueue) : null;
  const deferredWorker = deferredQueue ? createWorkerFromConfig(config, { queue: deferredQueue, storage, events, logger }) : null;
  deferredWorker?.start();
  const runner =
    config.AUDO_EQ_JOBS_BACKEND === 'redis'
      ? createNodeWorkerPool(poolOptionsFromConfig(config, logger))
      : null;
  const jobs = runner ? await createJobSystem(config, { storage, runner, events, logger, runWorker: true }) : null;
  // Tests and operators wait for this line.
  logger.info('audo-eq worker started', {
    consumer,
    pid: process.pid,
    storage: storage.backend,
    jobs: jobs ? `${jobs.queue.backend}:${jobs.queue.name}` : 'none',
    job_concurrency: jobs ? (config.AUDO_EQ_JOBS_CONCURRENCY ?? runner?.concurrency ?? 1) : 0,
    deferred_queue: deferredQueue ? deferredQueue.describe() : 'none',
    ...(deferredQueue ? { queue: deferredQueue.describe(), queue_name: deferredQueue.name } : {}),
    concurrency: config.AUDO_EQ_DEFERRED_WORKER_CONCURRENCY,
    max_attempts: config.AUDO_EQ_QUEUE_MAX_ATTEMPTS,
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    logger.info('audo-eq worker stopping', { consumer });
    // Running jobs finish (up to AUDO_EQ_SHUTDOWN_TIMEOUT_MS); jobs not started stay queued for the other workers.
    // Uploads in flight finish; tasks not yet acknowledged stay in Redis for the next worker.
    await Promise.all([jobs?.close({ timeoutMs: config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS }), deferredWorker?.stop()]);
    await runner?.close();
    await deferredQueue?.close();
    storage.destroy?.();
    logger.info('audo-eq worker stopped', { consumer });
    await logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

await main(process.argv.slice(2));
