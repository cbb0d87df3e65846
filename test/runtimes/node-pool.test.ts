// The Node worker-thread pool for real: same output as the in-process runner,
// uploads moved (not copied) into workers, errors rebuilt with their codes, a
// dead worker replaced and its request answered 500 without hanging.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runAnalysisJob } from '../../core/app/in-process-analysis-runner.ts';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import type { MasteringJob, MasteringUploadFile } from '../../core/app/ports.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { createApp } from '../../core/http/app.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { createNodeWorkerPool } from '../../runtimes/node/pool.ts';
import { createRecordingLogger, multipartForm } from '../support/doubles.ts';
import { fixtureHead, fixturePath } from '../support/fixtures.ts';
import { withoutTimings } from '../support/without-timings.ts';
import { repoRoot } from '../support/processes.ts';

const CRASHING_WORKER = new URL('./workers/crashing-mastering-worker.mjs', import.meta.url);
const seconds = 3;
const fixture = (path: string) => fixtureHead(path, seconds);

function jobFor(correlationId: string, eqMode: 'fixed' | 'reference-match' = 'reference-match'): MasteringJob & { reference: MasteringUploadFile } {
  return {
    correlationId,
    target: { bytes: fixture('synthwave_48k_24bit/target.wav'), filename: 'target.wav' },
    reference: { bytes: fixture('synthwave_48k_24bit/reference.wav'), filename: 'reference.wav' },
    options: { ...DEFAULT_MASTERING_OPTIONS, eqMode },
  };
}

test('a job run in a worker thread gives the same WAV bytes, diagnostics and events as the in-process runner', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 0 });
  try {
    const inWorker = await pool.run(jobFor('same-1'));
    const inProcess = await createInProcessRunner().run(jobFor('same-1'));
    assert.ok(inWorker.wav.byteLength > 44);
    assert.ok(Buffer.from(inWorker.wav).equals(Buffer.from(inProcess.wav)), 'byte-identical WAV');
    assert.equal(inWorker.policies, inProcess.policies);
    assert.equal(withoutTimings(inWorker.diagnostics), withoutTimings(inProcess.diagnostics));
    assert.equal(withoutTimings(inWorker.events), withoutTimings(inProcess.events));
    assert.equal(inWorker.events.map((e) => e.name), ['IngestValidated', 'TrackAnalyzed', 'TrackAnalyzed', 'MasteringDecided', 'MasteringRendered']);
  } finally {
    await pool.close();
  }
});

test('uploads that own their buffers are moved into the worker; a view into a shared buffer is copied and left intact', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 0 });
  try {
    const job = jobFor('move-1', 'fixed');
    const owned = job.target.bytes;
    const referenceBytes = job.reference.bytes;
    const shared = new Uint8Array(referenceBytes.byteLength + 32);
    shared.set(referenceBytes, 16);
    const view = shared.subarray(16, 16 + referenceBytes.byteLength);
    const result = await pool.run({ ...job, reference: { bytes: view, filename: 'reference.wav' } });
    assert.ok(result.wav.byteLength > 44);
    assert.is(owned.byteLength, 0, 'the owned upload was transferred, not copied');
    assert.is(view.byteLength, referenceBytes.byteLength, 'the view is still readable');
    assert.ok(Buffer.from(view).equals(Buffer.from(referenceBytes)));
  } finally {
    await pool.close();
  }
});

test('several references cross to the worker, each moved: the WAV equals the in-process runner\'s, whatever their order', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 0 });
  try {
    const references = () => [
      { bytes: fixture('synthwave_48k_24bit/reference.wav'), filename: 'synthwave.wav' },
      { bytes: fixture('indie_pop/reference.wav'), filename: 'indie.wav' },
    ];
    const sent = references();
    const inWorker = await pool.run({ ...jobFor('refs-1'), reference: sent });
    assert.ok(sent.every((upload) => upload.bytes.byteLength === 0), 'every reference was transferred, not copied');
    const swapped = await pool.run({ ...jobFor('refs-1'), reference: references().reverse() });
    const inProcess = await createInProcessRunner().run({ ...jobFor('refs-1'), reference: references() });
    assert.ok(Buffer.from(inWorker.wav).equals(Buffer.from(inProcess.wav)), 'worker and in-process agree');
    assert.ok(Buffer.from(swapped.wav).equals(Buffer.from(inWorker.wav)), 'the order of the references changes nothing');
    assert.is(inWorker.diagnostics.references, 2);
    const ingest = inWorker.events.find((event) => event.name === 'IngestValidated')!;
    assert.equal((ingest.payload.reference as Array<{ channels: number }>).length, 2);
  } finally {
    await pool.close();
  }
});

const truncated = () => ({ bytes: new Uint8Array(readFileSync(fixturePath('malformed/truncated.wav'))), filename: 'truncated.wav' });

/**
 * Runs `job()` on a pool of `size` workers (after a first job, so every worker
 * is ready and a second one idles: the job gets a spare core) and in-process:
 * both must reject with the same ingest error, naming the reference.
 */
async function assertSameIngestError(size: number, job: () => MasteringJob) {
  const pool = createNodeWorkerPool({ size, maxWaiting: 0 });
  try {
    if (size > 1) await pool.run(jobFor('warm-up', 'fixed'));
    const inWorker = await pool.run(job()).then(() => null, (e: unknown) => e);
    const inProcess = await createInProcessRunner().run(job()).then(() => null, (e: unknown) => e);
    assert.instance(inWorker, IngestValidationError);
    const [a, b] = [inWorker as IngestValidationError, inProcess as IngestValidationError];
    assert.equal([a.code, a.message, a.details], [b.code, b.message, b.details]);
    assert.is(a.details.part, 'reference');
  } finally {
    await pool.close();
  }
}

test('a bad upload decoded in a worker is rejected as IngestValidationError with the code and part the in-process runner gives', async () => {
  await assertSameIngestError(1, () => ({ ...jobFor('bad-1', 'fixed'), reference: truncated() }));
});

test('with a worker to spare, a job analyses its references on a thread of their own meanwhile: the same WAV, diagnostics and events, and the wait for them timed', async () => {
  const pool = createNodeWorkerPool({ size: 2, maxWaiting: 0 });
  try {
    await pool.run(jobFor('warm-up', 'fixed'));
    const inWorker = await pool.run(jobFor('spare-1'));
    const inProcess = await createInProcessRunner().run(jobFor('spare-1'));
    assert.ok(Buffer.from(inWorker.wav).equals(Buffer.from(inProcess.wav)), 'byte-identical WAV');
    assert.equal(withoutTimings(inWorker.diagnostics), withoutTimings(inProcess.diagnostics));
    assert.equal(withoutTimings(inWorker.events), withoutTimings(inProcess.events));
    // Analysed elsewhere while the target was: what was left to wait for, instead of the references' own time up front.
    assert.ok('reference_wait_ms' in inWorker.diagnostics.stage_ms!, JSON.stringify(inWorker.diagnostics.stage_ms));
    assert.not.ok('reference_ms' in inWorker.diagnostics.stage_ms!);
    assert.ok('reference_ms' in inProcess.diagnostics.stage_ms!);
  } finally {
    await pool.close();
  }
});

test('a job whose target and reference are the same array (one buffer in the worker) masters as in process, with and without a worker to spare', async () => {
  const sameAs = (correlationId: string): MasteringJob => {
    const bytes = fixture('synthwave_48k_24bit/target.wav');
    return { ...jobFor(correlationId, 'fixed'), target: { bytes, filename: 'target.wav' }, reference: { bytes, filename: 'reference.wav' } };
  };
  const expected = await createInProcessRunner().run(sameAs('same-bytes'));
  for (const size of [1, 2]) {
    const pool = createNodeWorkerPool({ size, maxWaiting: 0 });
    try {
      // With two workers, a first job lets the second idle: the next job then has a core to spare.
      if (size === 2) await pool.run(jobFor('warm-up', 'fixed'));
      const inWorker = await pool.run(sameAs('same-bytes'));
      assert.ok(Buffer.from(inWorker.wav).equals(Buffer.from(expected.wav)), `byte-identical WAV with ${size} worker(s)`);
    } finally {
      await pool.close();
    }
  }
});

test('with a worker to spare, a bad reference is still reported before a bad target, as the in-process runner reports it', async () => {
  await assertSameIngestError(2, () => ({ ...jobFor('bad-2', 'fixed'), target: truncated(), reference: truncated() }));
});

test('a worker that dies mid-job answers that request 500 internal_error (logged with its correlation id) and the next request is served', async () => {
  const logger = createRecordingLogger();
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 2, logger, workerUrl: CRASHING_WORKER });
  const app = createApp({ runner: pool, logger });
  const post = (target: Uint8Array, correlationId: string) =>
    app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target, reference: fixture('indie_pop/reference.wav') }), headers: { 'X-Correlation-Id': correlationId } }));
  try {
    for (const [marker, reason] of [['CRASH', /blew up on purpose/], ['EXIT', /exited with code 3/]] as const) {
      const correlationId = `crash-${marker.toLowerCase()}`;
      const response = await post(new TextEncoder().encode(`${marker} then anything`), correlationId);
      assert.is(response.status, 500);
      const text = await response.text();
      assert.equal(JSON.parse(text).detail, { code: 'internal_error', message: 'An internal error occurred.' });
      assert.not.match(text, /purpose|exited/);
      const logged = logger.records.filter((r) => r.level === 'error' && r.fields.correlation_id === correlationId);
      assert.ok(logged.length >= 1, 'the failure is logged with the correlation id');
      assert.match(JSON.stringify(logged.map((r) => r.fields)), reason);
      const next = await post(fixture('indie_pop/target.wav'), `${correlationId}-next`);
      assert.is(next.status, 200, 'a replacement worker serves the next request');
      await next.arrayBuffer();
    }
  } finally {
    await pool.close();
  }
});

test('an analysis run in a worker thread gives the measurements the in-process analysis gives', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 0 });
  try {
    const file = () => ({ bytes: fixture('speech_mono_target/target.wav'), filename: 'speech.wav' });
    const inWorker = await pool.runAnalysis({ correlationId: 'an-1', file: file() });
    assert.equal(inWorker, await runAnalysisJob({ correlationId: 'an-1', file: file() }));
  } finally {
    await pool.close();
  }
});

test('the app sends POST /analyze to the pool: a worker dying on it answers 500, then the next analysis is served', async () => {
  const pool = createNodeWorkerPool({ size: 1, maxWaiting: 0, workerUrl: CRASHING_WORKER });
  const app = createApp({ runner: pool });
  const analyze = (bytes: Uint8Array) => {
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'mix.wav');
    return app(new Request('http://local/analyze', { method: 'POST', body: form }));
  };
  try {
    // In-process, these bytes would be 415 unsupported_container; only a worker can die on them.
    const died = await analyze(new TextEncoder().encode('CRASH while measuring'));
    assert.equal([died.status, ((await died.json()) as { detail: { code: string } }).detail.code], [500, 'internal_error']);
    const served = await analyze(fixture('speech_mono_target/target.wav'));
    assert.is(served.status, 200);
    assert.type(((await served.json()) as { integrated_lufs: number }).integrated_lufs, 'number');
  } finally {
    await pool.close();
  }
});

test('an idle pool does not keep its process alive', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtimes/workers/idle-pool-exits.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /^wav \d+/);
});

test.run();
