// A controlled run on real Node worker threads: stages arrive from the
// thread while it computes, and a cancel raised from this thread stops the
// job at its next stage boundary (the thread's event loop is busy, so only
// the shared flag can reach it); a cancel while the job waits for a worker
// takes it out of the queue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MasteringJob } from '../../core/app/ports.ts';
import { isJobCancelled } from '../../core/app/run-control.ts';
import type { JobStage } from '../../core/app/jobs/job-record.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { createNodeWorkerPool } from '../../runtimes/node/pool.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

function job(correlationId: string): MasteringJob {
  return {
    correlationId,
    target: { bytes: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 20 }), filename: 't.wav' },
    reference: { bytes: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 5 }), filename: 'r.wav' },
    options: { ...DEFAULT_MASTERING_OPTIONS },
  };
}

test('stages come back from the worker thread in pipeline order', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 1 });
  try {
    const stages: JobStage[] = [];
    const result = await pool.run(job('stages'), { onStage: (stage) => stages.push(stage) });
    assert.ok(result.wav.byteLength > 44);
    assert.equal(stages, ['decode', 'analysis', 'decision', 'render', 'encode']);
  } finally {
    await pool.close();
  }
});

test('a cancel while running stops the job at its next stage; a cancel while waiting removes it from the queue', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 2 });
  try {
    const running = new AbortController();
    const waiting = new AbortController();
    const stages: JobStage[] = [];
    const first = pool.run(job('running'), {
      signal: running.signal,
      onStage: (stage) => {
        stages.push(stage);
        if (stage === 'analysis') running.abort();
      },
    });
    const second = pool.run(job('waiting'), { signal: waiting.signal });
    waiting.abort();
    const [firstError, secondError] = await Promise.all([first.then(() => null, (e) => e), second.then(() => null, (e) => e)]);
    assert.ok(isJobCancelled(firstError), String(firstError));
    assert.ok(isJobCancelled(secondError), String(secondError));
    assert.not.ok(stages.includes('encode'), `ran on after the cancel: ${stages.join(',')}`);
    // The pool is whole afterwards: the next job runs.
    assert.ok((await pool.run(job('after'))).wav.byteLength > 44);
  } finally {
    await pool.close();
  }
});

test.run();
