// The standalone deferred-persistence worker (`npm run worker`): drains the
// Redis queue into storage, next to API processes started with
// AUDO_EQ_DEFERRED_WORKER=false (or alongside their in-process workers; every
// process is its own consumer in the group). Same environment as the API.
//
//   npm run worker                              run until SIGTERM/SIGINT
//   npm run worker -- --requeue-dead-letters    move dead letters back to the queue, then exit
import { hostname } from 'node:os';
import { ConfigError, loadConfig, secretValues, type AppConfig } from '../../core/app/config.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';
import { createTslogLogger, resolveLogFormat } from '../../adapters/events/tslog.ts';
import type { RedisQueue } from '../../adapters/queue/redis.ts';
import { createStorage } from '../shared/compose.ts';
import { consumerName, createQueueFromConfig, createWorkerFromConfig } from '../shared/deferred.ts';

const USAGE = 'usage: npm run worker [-- --requeue-dead-letters]';

/** The configuration, or a ConfigError for what the worker cannot run with. */
function workerConfig(env: Record<string, string | undefined>): AppConfig {
  const config = loadConfig(env);
  if (config.AUDO_EQ_QUEUE_BACKEND !== 'redis') {
    throw new ConfigError(
      'invalid configuration: AUDO_EQ_QUEUE_BACKEND: the standalone worker drains a queue shared with the API; set AUDO_EQ_QUEUE_BACKEND=redis (the memory queue lives inside the API process)',
    );
  }
  if (!config.AUDO_EQ_STORAGE_ENABLED) {
    throw new ConfigError('invalid configuration: AUDO_EQ_STORAGE_ENABLED: the worker stores artifacts; storage must be enabled');
  }
  return config;
}

async function main(argv: string[]): Promise<void> {
  const requeue = argv.includes('--requeue-dead-letters');
  const unknown = argv.filter((arg) => arg !== '--requeue-dead-letters');
  if (unknown.length > 0) {
    console.error(`unknown argument: ${unknown[0]}\n${USAGE}`);
    process.exit(2);
  }
  let config: AppConfig;
  try {
    config = workerConfig(process.env);
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
  const consumer = consumerName(`worker-${hostname()}-${process.pid}`);
  const queue = (await createQueueFromConfig(config, { logger, consumer })) as RedisQueue;

  if (requeue) {
    const moved = await queue.requeueDeadLetters();
    logger.info('Requeued dead-lettered persistence tasks', { queue_name: queue.name, count: moved });
    await queue.close();
    await logger.flush();
    return;
  }

  const storage = (await createStorage(config))!;
  const worker = createWorkerFromConfig(config, { queue, storage, events: createLoggingEventPublisher(logger), logger });
  worker.start();
  // Tests and operators wait for this line.
  logger.info('audo-eq worker started', {
    queue: queue.describe(),
    queue_name: queue.name,
    consumer,
    storage: storage.backend,
    concurrency: config.AUDO_EQ_DEFERRED_WORKER_CONCURRENCY,
    max_attempts: config.AUDO_EQ_QUEUE_MAX_ATTEMPTS,
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    logger.info('audo-eq worker stopping', { consumer });
    // Uploads in flight finish; tasks not yet acknowledged stay in Redis for the next worker.
    await worker.stop();
    await queue.close();
    storage.destroy?.();
    await logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

await main(process.argv.slice(2));
