/**
 * A worker thread a command starts before its own code has loaded
 * (cli/main.ts), kept for the one host that would start it the same way
 * (tap-thread-spawn.ts): booting a thread and loading its modules costs
 * ~0.1–0.25 s of CPU, which then runs while the command loads on the other
 * core. A thread started otherwise is ended unused; one never taken ends
 * with the process (it does not hold it open).
 */
import type { Worker } from 'node:worker_threads';

/** What a thread is started with, and so whom it can serve. */
export interface ThreadSettings {
  /** The SIMD switch as the starting thread has it, so the thread computes what it would. */
  readonly simd: boolean;
  /** The thread's nice value (a pool worker's own); 0 leaves it unchanged. */
  readonly nice: number;
}

export interface StartedAhead<T extends { readonly worker: Worker; readonly settings: ThreadSettings }> {
  /** Starts the thread now (once), returning it. */
  start(settings: ThreadSettings): T;
  /** The thread started, if it was started with `settings` and can still serve (any other is ended); else null. Once. */
  take(settings: ThreadSettings): T | null;
}

/**
 * A slot for one thread `spawn` starts ahead.
 *
 * @example const ahead = startedAhead((settings) => spawnTapWorker(TAP_WORKER_URL, settings)); ahead.start({ simd: true, nice: 0 });
 */
export function startedAhead<T extends { readonly worker: Worker; readonly settings: ThreadSettings }>(
  spawn: (settings: ThreadSettings) => T,
): StartedAhead<T> {
  let started: T | null = null;
  return {
    start(settings) {
      started ??= spawn(settings);
      return started;
    },
    take(settings) {
      const taken = started;
      started = null;
      if (!taken) return null;
      if (taken.settings.simd === settings.simd && taken.settings.nice === settings.nice) return taken;
      void taken.worker.terminate();
      return null;
    },
  };
}
