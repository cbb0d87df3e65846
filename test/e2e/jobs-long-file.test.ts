// A 20-minute stereo file through the job path on real processes (an API, a
// `npm run worker` process with one mastering thread, BullMQ on the real
// Redis, an S3-compatible server): the job succeeds, its progress only ever
// moves forward, and the worker process's peak resident memory (VmHWM from
// /proc, threads included) stays under the bound the README states.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../support/deadline.ts';
import { hasFfmpeg } from '../support/ffmpeg.ts';
import { multipartForm } from '../support/doubles.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { startS3rver, s3rverEnv } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';
import { startWorkerProcess } from '../support/worker-process.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

/** The bound the README states for a job worker with one mastering thread on a 20-minute stereo 44.1 kHz file. */
export const WORKER_PEAK_RSS_BOUND_MIB = 1536;
const BUCKET = 'jobs-long';

/** Peak and current resident memory of a process, MiB (VmHWM, VmRSS). */
function residentMib(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), '20-minute job') && requireTool('ffmpeg', hasFfmpeg(), '20-minute job')) {
  test(`a 20-minute stereo job succeeds with forward-only progress and the worker's peak RSS under ${WORKER_PEAK_RSS_BOUND_MIB} MiB`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-long-job-'));
    const targetPath = join(dir, 'long.flac');
    // Two detuned tones with a slow tremolo, 20 minutes, 44.1 kHz stereo, as FLAC (a few MB to upload).
    const made = spawnSync('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=44100:duration=1200',
      '-f', 'lavfi', '-i', 'sine=frequency=331:sample_rate=44100:duration=1200',
      '-filter_complex', '[0][1]amerge=inputs=2,tremolo=f=0.5:d=0.4,volume=0.5',
      '-c:a', 'flac', '-sample_fmt', 's16', targetPath,
    ], { encoding: 'utf8' });
    assert.is(made.status, 0, made.stderr);
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const name = uniqueQueueName('jobs-long');
    const env = {
      AUDO_EQ_LOG_FORMAT: 'json',
      AUDO_EQ_JOBS_BACKEND: 'redis',
      AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
      AUDO_EQ_JOBS_QUEUE_NAME: name,
      AUDO_EQ_WORKERS: '1',
      AUDO_EQ_JOBS_CONCURRENCY: '1',
      ...s3rverEnv(s3.endpoint, BUCKET, { timeoutMs: 60_000, maxAttempts: 2 }),
    };
    const [command, args] = nodeServerCommand();
    const api = await startServer(command, args, { ...env, AUDO_EQ_JOBS_WORKER: 'false' });
    const worker = await startWorkerProcess(env, 60_000);
    try {
      const form = multipartForm({ target: new Uint8Array(readFileSync(targetPath)), reference: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 30 }) }, { target: 'long.flac' });
      const response = await fetch(`${api.baseUrl}/jobs`, { method: 'POST', body: form });
      assert.is(response.status, 202, await response.clone().text());
      const { job_id } = await response.json();
      const progress: number[] = [];
      let doc: any = null;
      await waitUntil(
        async () => {
          doc = await (await fetch(`${api.baseUrl}/jobs/${job_id}`)).json();
          progress.push(doc.progress);
          return doc.status === 'succeeded' || doc.status === 'failed';
        },
        900_000,
        () => JSON.stringify(doc),
        250,
      );
      const memory = residentMib(worker.process.pid!);
      console.log(`20-minute stereo job: worker peak RSS ${memory.peak.toFixed(0)} MiB (now ${memory.now.toFixed(0)} MiB), progress seen ${[...new Set(progress)].join(' → ')}`);
      assert.is(doc.status, 'succeeded', JSON.stringify(doc.error));
      assert.ok(progress.every((value, i) => i === 0 || value >= progress[i - 1]), `progress went back: ${progress.join(',')}`);
      assert.ok(new Set(progress).size >= 4, `progress moved through the stages: ${[...new Set(progress)].join(',')}`);
      assert.is(progress[progress.length - 1], 100);
      assert.ok(Math.abs(doc.diagnostics.output_lufs - doc.diagnostics.reference_lufs) < 1, JSON.stringify(doc.diagnostics).slice(0, 300));
      assert.ok(memory.peak < WORKER_PEAK_RSS_BOUND_MIB, `worker peak RSS ${memory.peak.toFixed(0)} MiB`);
      const result = await fetch(`${api.baseUrl}/jobs/${job_id}/result`);
      assert.is(result.status, 200);
      // 20 minutes of 24-bit stereo at 44.1 kHz plus the header.
      assert.ok(Number(result.headers.get('content-length')) > 1200 * 44_100 * 6);
      await result.body?.cancel();
    } finally {
      await Promise.all([api.stop(), worker.stop()]);
      await s3.stop();
      await deleteQueueKeys(name);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
