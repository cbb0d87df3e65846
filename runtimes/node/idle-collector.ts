// Full garbage collection of a worker thread once it falls idle. A job leaves
// tens of megabytes of typed arrays behind (decoded channels, gain curves,
// envelopes); V8 frees them at its next collection, which an idle worker may
// not run for minutes, so the process's RSS would stay at the job's level.
// Collecting when the last job is answered returns it to the baseline, off
// the event loop's thread and only between jobs.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseScratch } from '../../core/dsp/scratch-memory.ts';

/**
 * A function to call after each job: when no job is running on the next turn
 * of the event loop, it collects. A no-op where the engine refuses the flag.
 *
 * @example const idle = createIdleCollector(); onJobStart(idle.busy); onJobEnd(idle.done);
 */
export function createIdleCollector(): { busy(): void; done(): void } {
  let collect: (() => void) | null = null;
  try {
    v8.setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  let running = 0;
  return {
    busy() {
      running++;
    },
    done() {
      running--;
      // After this turn, so the finished job's buffers are unreachable and its reply is on its way.
      setTimeout(() => {
        if (running !== 0) return;
        // Scratch memory a job handed back for its own later phases goes too.
        releaseScratch();
        collect?.();
      }, 0);
    },
  };
}
