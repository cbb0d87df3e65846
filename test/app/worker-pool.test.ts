// The worker pool's bookkeeping with scripted workers (no threads): the queue
// bound, arrival order, errors rebuilt from data, a dead worker replaced and
// only its own job failed, workers that cannot start, and closing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createWorkerPool, type PoolWorkerEvents } from '../../core/app/worker-pool.ts';
import type { MasteringJob, MasteringJobResult } from '../../core/app/ports.ts';
import { errorToWire, type WorkerJobMessage } from '../../core/app/worker-protocol.ts';
import { AudoEqError, IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { createRecordingLogger } from '../support/doubles.ts';
import { sampleDiagnostics } from '../support/diagnostics.ts';

/** A worker the test drives by hand. */
interface ScriptedWorker {
  readonly events: PoolWorkerEvents;
  readonly jobs: WorkerJobMessage[];
  terminated: boolean;
  ready(): void;
  succeed(jobId?: number): void;
  fail(error: unknown): void;
  die(reason: string): void;
}

function scriptedWorkers(options: { startReady?: boolean } = {}) {
  const workers: ScriptedWorker[] = [];
  const spawn = (events: PoolWorkerEvents) => {
    const worker: ScriptedWorker = {
      events,
      jobs: [],
      terminated: false,
      ready: () => events.onMessage({ type: 'ready' }),
      succeed(jobId = worker.jobs[worker.jobs.length - 1].jobId) {
        const job = worker.jobs.find((j) => j.jobId === jobId)!;
        events.onMessage({ type: 'result', jobId, result: resultFor(job.job.correlationId) });
      },
      fail(error) {
        events.onMessage({ type: 'failure', jobId: worker.jobs[worker.jobs.length - 1].jobId, error: errorToWire(error) });
      },
      die: (reason) => events.onExit(reason),
    };
    workers.push(worker);
    if (options.startReady !== false) queueMicrotask(() => worker.ready());
    return {
      post: (message: WorkerJobMessage) => void worker.jobs.push(message),
      terminate: () => void (worker.terminated = true),
    };
  };
  return { workers, spawn };
}

function resultFor(correlationId: string): MasteringJobResult {
  return {
    wav: new Uint8Array([1, 2, 3]),
    policies: { policyVersion: 'v1', ingestPolicyId: 'ingest-validation-default', normalizationPolicyId: 'pcm-canonical-default' },
    // The strategy id carries the job's correlation id, so each result shows which job it belongs to.
    diagnostics: sampleDiagnostics({ strategy: { id: correlationId, conditions: {} } }),
    events: [],
  };
}

const job = (id: string): MasteringJob => ({
  correlationId: id,
  target: { bytes: new Uint8Array(16) },
  reference: { bytes: new Uint8Array(16) },
  options: DEFAULT_MASTERING_OPTIONS,
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

test('jobs run one per worker, the rest wait in arrival order, and one beyond the bound is overloaded at once', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 2, maxWaiting: 2, spawn, retryAfterSeconds: 7 });
  await tick();
  const runs = ['a', 'b', 'c', 'd'].map((id) => pool.run(job(id)));
  const refused = await settled(pool.run(job('e')));
  assert.instance((refused as { error: unknown }).error, AudoEqError);
  assert.is(((refused as { error: AudoEqError }).error).code, 'overloaded');
  assert.is(((refused as { error: AudoEqError }).error).details.retry_after_seconds, 7);
  assert.equal(pool.stats(), { workers: 2, running: 2, waiting: 2 });
  assert.equal(workers.map((w) => w.jobs.map((j) => j.job.correlationId)), [['a'], ['b']]);
  workers[1].succeed();
  assert.equal(workers[1].jobs.map((j) => j.job.correlationId), ['b', 'c'], 'the first waiting job goes to the freed worker');
  workers[0].succeed();
  assert.equal(workers[0].jobs.map((j) => j.job.correlationId), ['a', 'd']);
  workers[0].succeed();
  workers[1].succeed();
  const results = await Promise.all(runs);
  assert.equal(results.map((r) => r.diagnostics.strategy.id), ['a', 'b', 'c', 'd']);
  assert.equal(pool.stats(), { workers: 2, running: 0, waiting: 0 });
  await pool.close();
});

test('analysis jobs share the workers, the queue and its bound with mastering jobs, and go as analyze messages', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 1, maxWaiting: 1, spawn });
  await tick();
  const mastering = pool.run(job('m'));
  const analysis = pool.runAnalysis({ correlationId: 'a', file: { bytes: new Uint8Array(8) } });
  const refused = await settled(pool.runAnalysis({ correlationId: 'a2', file: { bytes: new Uint8Array(8) } }));
  assert.is((refused as { error: AudoEqError }).error.code, 'overloaded');
  assert.equal(pool.stats(), { workers: 1, running: 1, waiting: 1 });
  workers[0].succeed();
  assert.equal(workers[0].jobs.map((j) => [j.type, j.job.correlationId]), [['master', 'm'], ['analyze', 'a']]);
  workers[0].succeed();
  await mastering;
  await analysis;
  await pool.close();
});

test('a mastering job sent while another worker idles and nothing waits may borrow its core (spareCore); the job that takes the last idle worker, or leaves others waiting, may not', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 2, maxWaiting: 4, spawn });
  await tick();
  const spareOf = (message: WorkerJobMessage) => (message.type === 'master' ? message.spareCore === true : null);
  const first = pool.run(job('alone'));
  assert.equal(workers.map((w) => w.jobs.map(spareOf)), [[true], []], 'the other worker idles');
  const second = pool.run(job('second'));
  assert.equal(workers.map((w) => w.jobs.map(spareOf)), [[true], [false]], 'no worker is left idle');
  // Two more wait; when a worker frees up, the first of them goes while the other still waits.
  const third = pool.run(job('third'));
  const fourth = pool.run(job('fourth'));
  workers[0].succeed();
  assert.equal(workers[0].jobs.map(spareOf), [true, false]);
  workers[1].succeed();
  assert.equal(workers[1].jobs.map(spareOf), [false, false], 'the last waiting job takes the last idle worker');
  workers[0].succeed();
  workers[1].succeed();
  await Promise.all([first, second, third, fourth]);
  // An analysis job never carries the hint; a one-worker pool never has a spare core.
  const single = scriptedWorkers();
  const one = createWorkerPool({ size: 1, maxWaiting: 0, spawn: single.spawn });
  await tick();
  const lone = one.run(job('lone'));
  assert.equal(single.workers[0].jobs.map(spareOf), [false]);
  single.workers[0].succeed();
  await lone;
  await one.close();
  await pool.close();
});

test('jobs wait for workers that are still starting, within the same bound', async () => {
  const { workers, spawn } = scriptedWorkers({ startReady: false });
  const pool = createWorkerPool({ size: 1, maxWaiting: 0, spawn });
  const first = pool.run(job('early'));
  const second = await settled(pool.run(job('one too many')));
  assert.is((second as { error: AudoEqError }).error.code, 'overloaded');
  workers[0].ready();
  assert.is(workers[0].jobs[0].job.correlationId, 'early');
  workers[0].succeed();
  assert.is((await first).diagnostics.strategy.id, 'early');
  await pool.close();
});

test('a failure reported by a worker is rebuilt with its class and code, and the worker keeps serving', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 1, maxWaiting: 1, spawn });
  await tick();
  const bad = settled(pool.run(job('bad')));
  workers[0].fail(new IngestValidationError('duration_too_long', 'Too long.', { part: 'target', max_seconds: 3600 }));
  const { error } = (await bad) as { error: IngestValidationError };
  assert.instance(error, IngestValidationError);
  assert.equal([error.code, error.details], ['duration_too_long', { part: 'target', max_seconds: 3600 }]);
  const good = pool.run(job('good'));
  workers[0].succeed();
  assert.is((await good).diagnostics.strategy.id, 'good');
  assert.is(workers.length, 1);
  await pool.close();
});

test('a worker that dies mid-job fails that job only, is logged with its correlation id, and is replaced for the next', async () => {
  const { workers, spawn } = scriptedWorkers();
  const logger = createRecordingLogger();
  const pool = createWorkerPool({ size: 1, maxWaiting: 2, spawn, logger });
  await tick();
  const doomed = settled(pool.run(job('doomed')));
  const next = pool.run(job('next'));
  workers[0].die('worker thread exited with code 7');
  const { error } = (await doomed) as { error: Error };
  assert.not.instance(error, AudoEqError, 'an unexpected failure: the app answers 500 internal_error');
  assert.match(error.message, /exited with code 7/);
  const logged = logger.records.find((r) => r.level === 'error');
  assert.is(logged?.fields.correlation_id, 'doomed');
  assert.is(workers.length, 2, 'a replacement was started');
  await tick();
  assert.is(workers[1].jobs[0].job.correlationId, 'next', 'the waiting job runs on the replacement');
  workers[1].succeed();
  assert.is((await next).diagnostics.strategy.id, 'next');
  await pool.close();
});

test('a late message from a replaced worker is ignored', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 1, maxWaiting: 1, spawn });
  await tick();
  const first = settled(pool.run(job('first')));
  const staleEvents = workers[0].events;
  workers[0].die('gone');
  await first;
  await tick();
  const second = pool.run(job('second'));
  staleEvents.onMessage({ type: 'result', jobId: workers[1].jobs[0].jobId, result: resultFor('forged') });
  workers[1].succeed();
  assert.is((await second).diagnostics.strategy.id, 'second');
  await pool.close();
});

test('when no worker can start, waiting jobs fail at once and new ones are refused instead of hanging', async () => {
  const failures: string[] = [];
  const spawn = (events: PoolWorkerEvents) => {
    queueMicrotask(() => events.onExit('Cannot find module tsx'));
    return { post: () => failures.push('posted'), terminate: () => {} };
  };
  const pool = createWorkerPool({ size: 2, maxWaiting: 4, spawn, restartDelayMs: 60_000, logger: createRecordingLogger() });
  const waiting = settled(pool.run(job('w')));
  const outcome = (await waiting) as { error: Error };
  assert.match(outcome.error.message, /no mastering worker could start: Cannot find module tsx/);
  const later = (await settled(pool.run(job('later')))) as { error: Error };
  assert.match(later.error.message, /no mastering worker is running/);
  assert.equal(failures, []);
  await pool.close();
});

test('a spawn function that throws counts as a worker that failed to start', async () => {
  const pool = createWorkerPool({
    size: 1,
    maxWaiting: 1,
    spawn: () => {
      throw new Error('worker entry missing');
    },
    restartDelayMs: 60_000,
  });
  const outcome = (await settled(pool.run(job('x')))) as { error: Error };
  assert.match(outcome.error.message, /worker entry missing/);
  await pool.close();
});

test('closing fails waiting and running jobs with not_ready, stops every worker and refuses new jobs', async () => {
  const { workers, spawn } = scriptedWorkers();
  const pool = createWorkerPool({ size: 1, maxWaiting: 1, spawn });
  await tick();
  const running = settled(pool.run(job('running')));
  const waiting = settled(pool.run(job('waiting')));
  await pool.close();
  for (const outcome of [await running, await waiting, await settled(pool.run(job('after')))]) {
    assert.is((outcome as { error: AudoEqError }).error.code, 'not_ready');
  }
  assert.ok(workers.every((w) => w.terminated));
});

test.run();
