// Reference analysis on a thread of its own (the CLI's second core): the job
// gives the same WAV bytes, diagnostics and events as on one thread, with one
// reference or several; an ingest error in a reference comes back from the
// thread with its code and part, and a bad reference is still reported
// before a bad target.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../support/processes.ts';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import type { MasteringJob } from '../../core/app/ports.ts';
import { analyzeReferenceUploads, type ReferenceAnalyzer } from '../../core/app/reference-analysis.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { createThreadedReferenceAnalyzer } from '../../runtimes/node/reference-analysis-thread.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { withoutTimings } from '../support/without-timings.ts';

const seconds = 4;
const fixture = (path: string) => fixtureHead(path, seconds);
const threaded = () => createInProcessRunner({ referenceAnalyzer: createThreadedReferenceAnalyzer() });

function jobWith(reference: MasteringJob['reference'], target = fixture('indie_pop/target.wav')): MasteringJob {
  return {
    correlationId: 'reference-thread',
    target: { bytes: target, filename: 'target.wav' },
    reference,
    options: { ...DEFAULT_MASTERING_OPTIONS, eqMode: 'reference-match' },
  };
}

async function bothWays(reference: () => MasteringJob['reference']) {
  const onThread = await threaded().run(jobWith(reference()));
  const inTurn = await createInProcessRunner().run(jobWith(reference()));
  return { onThread, inTurn };
}

test('one reference analysed on its own thread: same WAV bytes, diagnostics and events', async () => {
  const { onThread, inTurn } = await bothWays(() => ({ bytes: fixture('indie_pop/reference.wav'), filename: 'reference.wav' }));
  assert.ok(onThread.wav.byteLength > 44);
  assert.ok(Buffer.from(onThread.wav).equals(Buffer.from(inTurn.wav)), 'byte-identical WAV');
  assert.equal(withoutTimings(onThread.diagnostics), withoutTimings(inTurn.diagnostics));
  assert.equal(withoutTimings(onThread.events), withoutTimings(inTurn.events));
});

test('several references analysed on their thread: same result, summaries in the order sent', async () => {
  const references = () => [
    { bytes: fixture('indie_pop/reference.wav'), filename: 'a.wav' },
    { bytes: fixture('synthwave_48k_24bit/reference.wav'), filename: 'b.wav' },
  ];
  const { onThread, inTurn } = await bothWays(references);
  assert.ok(Buffer.from(onThread.wav).equals(Buffer.from(inTurn.wav)), 'byte-identical WAV');
  const ingest = onThread.events.find((event) => event.name === 'IngestValidated')!;
  const summaries = ingest.payload.reference as { sample_rate_hz: number }[];
  assert.equal(summaries.map((summary) => summary.sample_rate_hz), [44100, 48000]);
  assert.equal(withoutTimings(onThread.events), withoutTimings(inTurn.events));
});

test('a corrupt second reference fails on the thread with its code, part and index; the caller keeps its buffers', async () => {
  const good = fixture('indie_pop/reference.wav');
  const corrupt = good.slice(0, 40);
  const error = await threaded()
    .run(jobWith([{ bytes: good }, { bytes: corrupt }]))
    .then(() => null, (thrown: unknown) => thrown);
  assert.instance(error, IngestValidationError);
  const ingestError = error as IngestValidationError;
  assert.is(ingestError.details.part, 'reference');
  assert.is(ingestError.details.reference_index, 2);
  assert.is(good.byteLength > 44, true, 'the upload was copied to the thread, not moved');
});

test('a bad reference is reported before a bad target, as on one thread', async () => {
  const badTarget = new Uint8Array(64);
  const badReference = fixture('indie_pop/reference.wav').slice(0, 40);
  const onThread = await threaded()
    .run(jobWith({ bytes: badReference }, badTarget))
    .then(() => null, (thrown: unknown) => thrown as IngestValidationError);
  const inTurn = await createInProcessRunner()
    .run(jobWith({ bytes: badReference }, badTarget))
    .then(() => null, (thrown: unknown) => thrown as IngestValidationError);
  assert.ok(onThread && inTurn);
  assert.is(onThread!.details.part, 'reference');
  assert.is(onThread!.code, inTurn!.code);
});

test('the target is decoded and reaches analysis while its references are still being analysed elsewhere', async () => {
  let releaseReferences!: () => void;
  const referencesMayFinish = new Promise<void>((resolve) => (releaseReferences = resolve));
  const thread = createThreadedReferenceAnalyzer();
  const calls: number[] = [];
  // Answers only once the job has announced the analysis stage: a job that
  // waited for its references before decoding the target would never get there.
  const gatedAnalyzer: ReferenceAnalyzer = async (uploads, policy) => {
    calls.push(uploads.length);
    const analyses = thread(uploads, policy);
    await referencesMayFinish;
    return analyses;
  };
  const stages: string[] = [];
  const run = createInProcessRunner({ referenceAnalyzer: gatedAnalyzer }).run(jobWith({ bytes: fixture('indie_pop/reference.wav') }), {
    onStage: (stage) => {
      stages.push(stage);
      if (stage === 'analysis') releaseReferences();
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), 120_000)));
  const outcome = await Promise.race([run.then(() => 'done' as const), stalled]);
  clearTimeout(timer);
  assert.is(outcome, 'done', 'the job went on to the target while the references were pending');
  assert.equal(calls, [1]);
  assert.equal(stages.slice(0, 2), ['decode', 'analysis']);
});

test('the thread analyser answers what the calling thread would', async () => {
  const uploads = () => [{ bytes: fixture('synthwave_48k_24bit/reference.wav'), filename: 'r.wav' }];
  const [onThread] = await createThreadedReferenceAnalyzer()(uploads(), DEFAULT_INGEST_POLICY);
  const [here] = await analyzeReferenceUploads(uploads(), DEFAULT_INGEST_POLICY);
  assert.equal(onThread.summary, here.summary);
  assert.equal(onThread.analysis, here.analysis);
});

test('uploads given up (owned) are moved to the thread, whole buffers only; otherwise copied; the same analyses either way', async () => {
  const [here] = await analyzeReferenceUploads([{ bytes: fixture('synthwave_48k_24bit/reference.wav'), filename: 'r.wav' }], DEFAULT_INGEST_POLICY);
  for (const keep of [false, true]) {
    const analyzer = createThreadedReferenceAnalyzer(undefined, { keep });
    const whole = fixture('synthwave_48k_24bit/reference.wav');
    const [moved] = await analyzer([{ bytes: whole, filename: 'r.wav' }], DEFAULT_INGEST_POLICY, { owned: true });
    assert.is(whole.byteLength, 0, 'a whole buffer given up is moved (detached here)');
    assert.equal(moved.analysis, here.analysis);
    assert.equal(moved.summary, here.summary);
    const kept = fixture('synthwave_48k_24bit/reference.wav');
    const [copied] = await analyzer([{ bytes: kept, filename: 'r.wav' }], DEFAULT_INGEST_POLICY, { owned: false });
    assert.ok(kept.byteLength > 0, 'not given up: copied');
    assert.equal(copied.analysis, here.analysis);
    // A view into a larger buffer cannot be moved without taking the rest: copied.
    const larger = new Uint8Array(kept.byteLength + 16);
    larger.set(kept, 8);
    const view = larger.subarray(8, 8 + kept.byteLength);
    const [fromView] = await analyzer([{ bytes: view, filename: 'r.wav' }], DEFAULT_INGEST_POLICY, { owned: true });
    assert.is(view.byteLength, kept.byteLength);
    assert.equal(fromView.analysis, here.analysis);
  }
});

test('a kept thread answers call after call and calls at once, each by its own id, survives a bad upload, and does not keep the process alive', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtimes/workers/kept-reference-thread.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, `${run.signal ?? ''} ${run.stderr}`);
  assert.equal(run.stdout.trim().split('\n'), ['in turn true', 'in turn true', 'at once true', 'bad upload unsupported_container', 'after it true']);
});

test.run();
