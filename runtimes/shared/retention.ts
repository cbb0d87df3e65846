/**
 * Artifact retention from configuration (`AUDO_EQ_ARTIFACT_RETENTION_DAYS`):
 * the filesystem backend is swept at start-up and then hourly (sooner while a
 * bounded sweep leaves work behind); S3 gets a bucket lifecycle rule once at
 * start-up, and a server without lifecycle support (s3rver, some gateways) is
 * reported in one warning line, artifacts then kept until removed by hand.
 * Nothing here blocks start-up: the work runs in the background and logs.
 */
import type { AppConfig } from '../../core/app/config.ts';
import type { AppLogger, ArtifactStorage } from '../../core/app/ports.ts';
import { describeStorageFailure } from '../../core/app/storage-failure.ts';
import { sweepExpiredArtifacts } from '../../adapters/storage/filesystem-retention.ts';
import type { RetentionRuleOutcome } from '../../adapters/storage/s3.ts';

const DAY_MS = 86_400_000;
/** Time between sweeps when the last one finished its folder. */
export const SWEEP_INTERVAL_MS = 3_600_000;
/** Time before the next sweep when the last one stopped at a bound. */
const CATCH_UP_DELAY_MS = 10_000;

export interface ArtifactRetention {
  /** Stops further sweeps and waits for a running one. */
  stop(): Promise<void>;
}

type StorageWithRetention = ArtifactStorage & { applyRetentionRule?(days: number): Promise<RetentionRuleOutcome> };

/**
 * Starts retention for `storage` when the configuration asks for it; returns null otherwise.
 *
 * @example const retention = startArtifactRetention(config, storage, logger); … await retention?.stop();
 */
export function startArtifactRetention(config: AppConfig, storage: StorageWithRetention | null, logger: AppLogger): ArtifactRetention | null {
  const days = config.AUDO_EQ_ARTIFACT_RETENTION_DAYS;
  if (days === undefined || storage === null) return null;

  if (storage.backend === 's3' && storage.applyRetentionRule) {
    const applying = storage
      .applyRetentionRule(days)
      .then((outcome) => {
        if (outcome.status === 'applied') logger.info('Artifact retention rule set on the bucket', { bucket: config.AUDO_EQ_S3_BUCKET, prefix: 'mastered/', days });
        else
          logger.warn('Artifact retention not applied: the S3 server does not support lifecycle rules; old artifacts stay until removed by hand', {
            bucket: config.AUDO_EQ_S3_BUCKET,
            days,
            detail: outcome.detail,
          });
      })
      .catch((error) => {
        const failure = describeStorageFailure(error, 's3');
        logger.warn('Artifact retention rule could not be set; it is tried again at the next start', { days, storage_error: failure.code, check: failure.check, error });
      });
    return { stop: () => applying };
  }

  if (storage.backend !== 'filesystem') return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = async () => {
    let delayMs = SWEEP_INTERVAL_MS;
    try {
      const result = await sweepExpiredArtifacts({ dataDir: config.AUDO_EQ_DATA_DIR, maxAgeMs: days * DAY_MS });
      logger.info('Artifact retention sweep', { data_dir: config.AUDO_EQ_DATA_DIR, days, ...result });
      if (result.truncated) delayMs = CATCH_UP_DELAY_MS;
    } catch (error) {
      const failure = describeStorageFailure(error, 'filesystem');
      logger.warn('Artifact retention sweep failed; it runs again later', { data_dir: config.AUDO_EQ_DATA_DIR, storage_error: failure.code, check: failure.check, error });
    }
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep();
    }, delayMs);
    // A pending sweep never keeps a finished process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  running = sweep();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
