/**
 * Result retention: a succeeded job's mastered WAV is removed from storage a
 * set time after the job finished (`AUDO_EQ_JOBS_RESULT_RETENTION_SECONDS`;
 * 0 keeps it like any artifact, `AUDO_EQ_ARTIFACT_RETENTION_DAYS`). Afterwards
 * `GET /jobs/{id}/result` answers that the result is no longer in storage.
 * The BullMQ backend schedules the removal as a delayed job (it survives
 * restarts); this timer version serves the in-memory backend, whose jobs
 * last only as long as the server holding them.
 */
import type { AppLogger, ArtifactStorage } from '../ports.ts';

/** Schedules the removal of one result object. */
export type ResultExpiry = (key: string) => Promise<void>;

/**
 * Removals on timers of this process; `close()` cancels the ones not yet due.
 *
 * @example const expiry = createTimerResultExpiry(storage, 86_400_000, logger); await expiry.expire('mastered/j1.wav');
 */
export function createTimerResultExpiry(storage: ArtifactStorage, retentionMs: number, logger: AppLogger): { expire: ResultExpiry; close(): void } {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    async expire(key) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        storage.remove(key).then(
          () => logger.info('Job result removed (retention)', { object_key: key }),
          (error: unknown) => logger.warn('Could not remove an expired job result', { object_key: key, error }),
        );
      }, retentionMs);
      timers.add(timer);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
