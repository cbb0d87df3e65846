// Jobs across real processes: two API processes (no job worker of their own)
// and two `npm run worker` processes share a BullMQ queue on the real Redis
// and an S3-compatible server. Results must equal synchronous /master byte
// for byte, work must spread over both workers, and a worker SIGKILLed in the
// middle of a job must lose nothing: the other worker finishes it, and no job
// is stored or finished twice. A worker stopped with SIGTERM finishes its
// running job and leaves the rest queued for the next worker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitUntil, withinMs } from '../support/deadline.ts';
import { jsonLogRecords } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { startS3rver, s3rverEnv, type TestS3Server } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';
import { startWorkerProcess, type RunningWorker } from '../support/worker-process.ts';
import { buildPcmWav } from '../support/wav-builder.ts';
import { multipartForm } from '../support/doubles.ts';

const BUCKET = 'jobs-distributed';

interface Stack {
  readonly apis: RunningServer[];
  readonly workers: RunningWorker[];
  readonly s3: TestS3Server;
  readonly name: string;
  readonly env: Record<string, string>;
}

async function startStack(label: string, workerCount: number, lockMs: number): Promise<Stack> {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const name = uniqueQueueName(label);
  const env = {
    AUDO_EQ_LOG_FORMAT: 'json',
    AUDO_EQ_JOBS_BACKEND: 'redis',
    AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
    AUDO_EQ_JOBS_QUEUE_NAME: name,
    AUDO_EQ_JOBS_LOCK_MS: String(lockMs),
    AUDO_EQ_JOBS_RETRY_BASE_MS: '200',
    AUDO_EQ_WORKERS: '1',
    AUDO_EQ_JOBS_CONCURRENCY: '1',
    ...s3rverEnv(s3.endpoint, BUCKET, { timeoutMs: 10_000, maxAttempts: 2 }),
  };
  const [command, args] = nodeServerCommand();
  const apis = await Promise.all([0, 1].map(() => startServer(command, args, { ...env, AUDO_EQ_JOBS_WORKER: 'false' })));
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorkerProcess(env, 60_000)));
  return { apis, workers, s3, name, env };
}

async function stopStack(stack: Stack): Promise<void> {
  await Promise.all([...stack.apis, ...stack.workers].map((p) => p.stop('SIGTERM')));
  await stack.s3.stop();
  await deleteQueueKeys(stack.name);
}

const records = (processes: Array<{ output(): string }>) => processes.flatMap((p) => jsonLogRecords(p.output()));

async function submit(api: RunningServer, query: string, target: Uint8Array, reference: Uint8Array): Promise<string> {
  const response = await fetch(`${api.baseUrl}/jobs${query}`, { method: 'POST', body: multipartForm({ target, reference }) });
  assert.is(response.status, 202, await response.clone().text());
  return (await response.json()).job_id;
}

async function statusOf(api: RunningServer, id: string) {
  return (await fetch(`${api.baseUrl}/jobs/${id}`)).json();
}

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'distributed jobs')) {
  test('20 jobs submitted across two APIs all succeed, spread over two workers, each byte-identical to synchronous /master', async () => {
    // A lock long enough that a busy shared machine never lets one expire under a live worker.
    const stack = await startStack('jobs-2x2', 2, 15_000);
    try {
      const pairs = [
        { target: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 2 }), reference: buildPcmWav({ sampleRateHz: 48_000, channels: 2, frames: 48_000 * 2 }) },
        { target: buildPcmWav({ sampleRateHz: 48_000, channels: 1, frames: 48_000 * 2 }), reference: buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 }) },
      ];
      const queries = ['?eq_mode=reference-match&bit_depth=16', '?eq_preset=warm&target_lufs=-16'];
      const submitted: Array<{ id: string; combo: string }> = [];
      for (let i = 0; i < 20; i++) {
        const pair = i % 2;
        const query = Math.floor(i / 2) % 2;
        submitted.push({ id: await submit(stack.apis[i % 2], queries[query], pairs[pair].target, pairs[pair].reference), combo: `${pair}:${query}` });
      }
      // Read each job through the other API: the state is shared.
      await waitUntil(
        async () => (await Promise.all(submitted.map(({ id }, i) => statusOf(stack.apis[(i + 1) % 2], id)))).every((doc) => doc.status === 'succeeded' || doc.status === 'failed'),
        240_000,
        async () => JSON.stringify(await Promise.all(submitted.map(({ id }) => statusOf(stack.apis[0], id).then((d) => d.status)))),
        250,
      );
      const expected = new Map<string, Uint8Array>();
      for (const pair of [0, 1]) {
        for (const query of [0, 1]) {
          const response = await fetch(`${stack.apis[0].baseUrl}/master${queries[query]}`, { method: 'POST', body: multipartForm(pairs[pair]) });
          assert.is(response.status, 200);
          expected.set(`${pair}:${query}`, new Uint8Array(await response.arrayBuffer()));
        }
      }
      for (const [i, { id, combo }] of submitted.entries()) {
        const doc = await statusOf(stack.apis[i % 2], id);
        assert.is(doc.status, 'succeeded', JSON.stringify(doc.error));
        const result = await fetch(`${stack.apis[(i + 1) % 2].baseUrl}/jobs/${id}/result`);
        assert.is(result.status, 200);
        assert.ok(Buffer.from(await result.arrayBuffer()).equals(Buffer.from(expected.get(combo)!)), `job ${i} (${combo}) differs from /master`);
      }
      const finishedLines = records(stack.workers).filter((r) => r.message === 'Mastering job finished');
      for (const { id } of submitted) assert.is(finishedLines.filter((r) => r.job_id === id).length, 1, `${id} finished once`);
      const finishedBy = stack.workers.map((worker) => jsonLogRecords(worker.output()).filter((r) => r.message === 'Mastering job finished').length);
      assert.ok(finishedBy.every((count) => count > 0), `work spread: ${finishedBy.join(' / ')}`);
      // Inputs are gone, one result per job is left (beside the four /master artifacts).
      const keys = await stack.s3.listKeys(BUCKET);
      assert.equal(keys.filter((key) => key.startsWith('jobs/')), []);
      for (const { id } of submitted) assert.ok(keys.includes(`mastered/${id}.wav`), `result of ${id} stored`);
      assert.is(keys.filter((key) => key.startsWith('mastered/')).length, 20 + 4);
      // Neither API ran a job, yet each one's /metrics shows all 20: the workers count timings in Redis.
      for (const api of stack.apis) {
        const metricsOf = async () => (await fetch(`${api.baseUrl}/metrics`)).text();
        await waitUntil(async () => /^audo_eq_job_duration_seconds_count\{status="succeeded"\} 20$/m.test(await metricsOf()), 10_000, metricsOf);
        const text = await metricsOf();
        assert.match(text, /^audo_eq_job_queue_wait_seconds_count 20$/m);
        assert.match(text, /^audo_eq_job_queue_wait_seconds_bucket\{le="\+Inf"\} 20$/m);
        assert.match(text, /^audo_eq_job_duration_seconds_bucket\{status="succeeded",le="3600"\} 20$/m);
        assert.ok(Number(/^audo_eq_job_duration_seconds_sum\{status="succeeded"\} (\S+)$/m.exec(text)![1]) > 0);
        assert.match(text, /^audo_eq_jobs\{state="succeeded"\} 20$/m);
      }
    } finally {
      await stopStack(stack);
    }
  });

  test('a worker SIGKILLed mid-job loses nothing: the other worker finishes its job, and no job is stored or finished twice', async () => {
    // A short lock: the dead worker's job is taken over within seconds.
    const stack = await startStack('jobs-kill', 2, 3000);
    try {
      const target = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 90 });
      const reference = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 10 });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await submit(stack.apis[i % 2], '?eq_mode=reference-match', target, reference));
      const [doomed, survivor] = stack.workers;
      // Kill the first worker once it has started a job and that job is running.
      let victim = '';
      await waitUntil(
        async () => {
          const started = jsonLogRecords(doomed.output()).find((r) => r.message === 'Mastering job started');
          if (!started) return false;
          victim = String(started.job_id);
          const doc = await statusOf(stack.apis[0], victim);
          return doc.status === 'running' && doc.progress >= 5;
        },
        60_000,
        () => doomed.output().slice(-2000),
        20,
      );
      doomed.process.kill('SIGKILL');
      await withinMs(doomed.stop(), 10_000, 'killed worker exits');
      await waitUntil(
        async () => (await Promise.all(ids.map((id) => statusOf(stack.apis[1], id)))).every((doc) => doc.status === 'succeeded' || doc.status === 'failed'),
        300_000,
        async () => JSON.stringify(await Promise.all(ids.map((id) => statusOf(stack.apis[1], id).then((d) => [d.status, d.progress, d.attempts])))),
        250,
      );
      for (const id of ids) {
        const doc = await statusOf(stack.apis[0], id);
        assert.is(doc.status, 'succeeded', `${id}: ${JSON.stringify(doc.error)}`);
      }
      const victimDoc = await statusOf(stack.apis[0], victim);
      assert.is(victimDoc.attempts, 2, 'the victim job was started again after its worker died');
      const all = records(stack.workers);
      const finished = all.filter((r) => r.message === 'Mastering job finished');
      for (const id of ids) assert.is(finished.filter((r) => r.job_id === id).length, 1, `${id} finished once`);
      assert.ok(jsonLogRecords(survivor.output()).some((r) => r.message === 'Mastering job finished' && r.job_id === victim), 'the survivor finished the victim job');
      const stored = all.filter((r) => r.message === 'domain_event_emitted' && r.event_name === 'ArtifactStored');
      const correlationIds = await Promise.all(ids.map(async (id) => (await statusOf(stack.apis[0], id)).correlation_id));
      for (const correlationId of correlationIds) assert.is(stored.filter((r) => r.correlation_id === correlationId).length, 1, `${correlationId} stored once`);
      const keys = await stack.s3.listKeys(BUCKET);
      assert.equal(keys.filter((key) => key.startsWith('mastered/')).sort(), ids.map((id) => `mastered/${id}.wav`).sort());
      assert.equal(keys.filter((key) => key.startsWith('jobs/')), []);
    } finally {
      await stopStack(stack);
    }
  });

  test('SIGTERM lets a worker finish its running job and exit 0; the jobs it had not started stay queued for the next worker', async () => {
    const stack = await startStack('jobs-term', 1, 15_000);
    try {
      const target = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 60 });
      const reference = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 10 });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await submit(stack.apis[0], '', target, reference));
      const [first] = stack.workers;
      await waitUntil(async () => (await statusOf(stack.apis[0], ids[0])).status === 'running', 60_000, () => first.output().slice(-1000), 50);
      // One SIGTERM only (a second one is the operator insisting: the process would die at once).
      const exited = new Promise<number | null>((resolve) => first.process.once('exit', (code) => resolve(code)));
      first.process.kill('SIGTERM');
      assert.is(await withinMs(exited, 120_000, 'the worker exits after its running job'), 0);
      const after = await Promise.all(ids.map((id) => statusOf(stack.apis[0], id)));
      assert.equal(after.map((doc) => doc.status), ['succeeded', 'queued', 'queued']);
      assert.is(after[0].attempts, 1);
      const messages = jsonLogRecords(first.output()).map((r) => r.message);
      assert.ok(messages.indexOf('audo-eq worker stopping') < messages.indexOf('audo-eq worker stopped'));
      const next = await startWorkerProcess(stack.env, 60_000);
      stack.workers.push(next);
      await waitUntil(async () => (await Promise.all(ids.map((id) => statusOf(stack.apis[0], id)))).every((doc) => doc.status === 'succeeded'), 240_000, () => next.output().slice(-1000), 250);
    } finally {
      await stopStack(stack);
    }
  });
}

test.run();
