// Options every runtime's worker pool takes (Node worker threads, Web Workers in Deno and Bun).
import { ingestPolicyFromConfig, type AppConfig } from '../../core/app/config.ts';
import type { AppLogger } from '../../core/app/ports.ts';
import type { IngestPolicy } from '../../core/domain/policies.ts';

export interface RuntimePoolOptions {
  /** Workers; default one per CPU. */
  readonly size?: number;
  /** Jobs that may wait for a free worker; one more is `overloaded`. Default `DEFAULT_LIMITS.maxPending` (8). */
  readonly maxWaiting?: number;
  readonly ingestPolicy?: IngestPolicy;
  readonly logger?: AppLogger;
  /** Nice value of the worker threads (0–19, Linux); default 10, below the event loop. */
  readonly workerNice?: number;
  /** The worker entry; default the runtime's own worker module beside the pool. Tests swap it. */
  readonly workerUrl?: URL;
}

/**
 * What a server or worker process gives its pool from the configuration:
 * workers, waiting room, nice value, and the configured ingest policy (so the
 * duration and byte limits the operator set are what the workers enforce).
 *
 * @example createNodeWorkerPool(poolOptionsFromConfig(config, logger))
 */
export function poolOptionsFromConfig(config: AppConfig, logger: AppLogger): RuntimePoolOptions {
  return {
    size: config.AUDO_EQ_WORKERS,
    maxWaiting: config.AUDO_EQ_MAX_PENDING,
    workerNice: config.AUDO_EQ_WORKER_NICE,
    ingestPolicy: ingestPolicyFromConfig(config),
    logger,
  };
}
