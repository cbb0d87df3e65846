// What the worker pool costs and buys: one 30 s stereo job in-process vs in a
// worker thread (the difference is start-up plus moving bytes across), then
// eight 10 s jobs at once through pools of 1 and 2 workers (throughput), with
// the event loop's worst delay while they run and the process's peak RSS.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInProcessRunner } from '../core/app/in-process-runner.ts';
import type { MasteringJob, MasteringRunner } from '../core/app/ports.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../core/mastering/options.ts';
import { createNodeWorkerPool } from '../runtimes/node/pool.ts';
import { ensureFixtures, fixturePath } from '../test/support/fixtures.ts';
import { loopedWav } from '../test/support/load.ts';

ensureFixtures();
const targetBytes = new Uint8Array(readFileSync(fixturePath('indie_pop/target.wav')));
const referenceBytes = new Uint8Array(readFileSync(fixturePath('indie_pop/reference.wav')));

function job(id: string, seconds: number): MasteringJob {
  return {
    correlationId: id,
    target: { bytes: loopedWav(targetBytes, seconds), filename: 'target.wav' },
    reference: { bytes: loopedWav(referenceBytes, seconds), filename: 'reference.wav' },
    options: DEFAULT_MASTERING_OPTIONS,
  };
}

async function timed(runner: MasteringRunner, jobs: MasteringJob[]): Promise<{ ms: number; worstLoopDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // Sampling starts on the loop's next turn; a job that blocks from the first instant would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  await Promise.all(jobs.map((j) => runner.run(j)));
  const ms = performance.now() - started;
  // Let the sampling timer fire once more: a block that just ended is recorded on its next tick.
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return { ms, worstLoopDelayMs: delay.max / 1e6 };
}

const inProcess = await timed(createInProcessRunner(), [job('in-process', 30)]);
const single = createNodeWorkerPool({ size: 1, maxWaiting: 16 });
await single.run(job('warm-up', 1));
const inWorker = await timed(single, [job('in-worker', 30)]);
await single.close();
console.log(`one 30 s stereo job: in-process ${inProcess.ms.toFixed(0)} ms (event loop blocked up to ${inProcess.worstLoopDelayMs.toFixed(0)} ms), ` +
  `worker thread ${inWorker.ms.toFixed(0)} ms (event loop delay up to ${inWorker.worstLoopDelayMs.toFixed(0)} ms)`);

for (const size of [1, Math.min(2, availableParallelism())]) {
  const pool = createNodeWorkerPool({ size, maxWaiting: 16 });
  await Promise.all(Array.from({ length: size }, (_, i) => pool.run(job(`warm-${i}`, 1))));
  const jobs = Array.from({ length: 8 }, (_, i) => job(`batch-${i}`, 10));
  const { ms, worstLoopDelayMs } = await timed(pool, jobs);
  await pool.close();
  console.log(`eight 10 s stereo jobs, ${size} worker(s): ${ms.toFixed(0)} ms (${((8 * 10) / (ms / 1000)).toFixed(1)}× real time), event loop delay up to ${worstLoopDelayMs.toFixed(0)} ms`);
}
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
