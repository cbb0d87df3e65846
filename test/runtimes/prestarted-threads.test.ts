// Threads a command starts before its own code has loaded (cli/main.ts for
// `master`; runtimes/node/tap-thread-spawn.ts): the next tap thread with the
// same settings takes the started one (and ends it as it would end its own),
// one started with other settings is ended unused, and either way the job's
// results are the ones a thread started on the spot gives. The tap thread
// also analyses the references first, as `master` has it do.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { createTap } from '../../core/mastering/tap-host.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { spawnSync } from 'node:child_process';
import { analyzeReferenceFilesOn } from '../../runtimes/node/reference-analysis-thread.ts';
import { analyzeReferenceFiles } from '../../runtimes/node/reference-files.ts';
import { startTapThread } from '../../runtimes/node/tap-thread.ts';
import { prestartTapWorker, takeTapWorker } from '../../runtimes/node/tap-thread-spawn.ts';
import { fixturePath } from '../support/fixtures.ts';
import { repoRoot } from '../support/processes.ts';

const exited = (worker: Worker) => new Promise<number>((resolve) => worker.once('exit', resolve));

function tone(length: number): Float32Array[] {
  return [0, 1].map((c) => Float32Array.from({ length }, (_, i) => 0.3 * Math.sin((2 * Math.PI * (330 + 220 * c) * i) / 44100)));
}

/** K-weighted block energies of a tone measured on `thread`'s host, and on this thread. */
async function energiesBothWays(thread: ReturnType<typeof startTapThread>) {
  const host = await thread.ready;
  assert.ok(host, 'the thread has loaded');
  const channels = tone(44100);
  const spec = { kind: 'kweighted-energy', sampleRateHz: 44100, channelCount: 2, length: 44100 } as const;
  const there = host.open(spec);
  const here = createTap(spec);
  for (let start = 0; start < 44100; start += 8192) {
    const block = channels.map((samples) => samples.subarray(start, start + 8192));
    there.push(block);
    here.push(block);
  }
  return { there: there.result(), here: here.result() };
}

test('a tap thread started ahead serves the next tap thread with its settings, which ends it when closed', async () => {
  const early = prestartTapWorker({ simd: simdEnabled(), nice: 0 });
  const ended = exited(early.worker);
  const thread = startTapThread();
  assert.is(takeTapWorker({ simd: simdEnabled(), nice: 0 }), null, 'taken once');
  assert.is(await early.loaded, null, 'it loaded');
  const { there, here } = await energiesBothWays(thread);
  assert.equal(there, here);
  await thread.close();
  assert.type(await ended, 'number', 'closing the tap thread ended the thread started ahead');
});

test('a tap thread started ahead with another SIMD switch is ended, and the host starts its own', async () => {
  const early = prestartTapWorker({ simd: !simdEnabled(), nice: 0 });
  const ended = exited(early.worker);
  const thread = startTapThread();
  assert.type(await ended, 'number', 'ended unused');
  assert.instance(await early.loaded, Error);
  const { there, here } = await energiesBothWays(thread);
  assert.equal(there, here);
  await thread.close();
});

test('the tap thread analyses references before it takes taps: the same analysis as a thread of its own, and the thread stays for the taps', async () => {
  const paths = [fixturePath('indie_pop/reference.wav'), fixturePath('synthwave_48k_24bit/reference.wav')];
  const expected = await analyzeReferenceFiles(paths, DEFAULT_INGEST_POLICY);
  const early = prestartTapWorker({ simd: simdEnabled(), nice: 0 });
  const thread = startTapThread();
  assert.is(thread.worker, early.worker, 'the thread started ahead');
  let exitedEarly = false;
  thread.worker.once('exit', () => (exitedEarly = true));
  // A warm request answered meanwhile (its id is the thread's own) is not taken for the analysis's answer.
  const warmed = thread.warm(new SharedArrayBuffer(4 * 4096));
  const analysed = await analyzeReferenceFilesOn(thread.worker, paths, DEFAULT_INGEST_POLICY);
  await warmed;
  assert.is(analysed.length, 2);
  analysed.forEach((reference, index) => {
    assert.equal(reference.analysis.integratedLufs, expected[index].analysis.integratedLufs);
    assert.equal(reference.analysis.truePeakDbtp, expected[index].analysis.truePeakDbtp);
    assert.equal(reference.analysis.spectrum, expected[index].analysis.spectrum);
  });
  // A refused reference comes back with its error, and the thread still serves.
  await analyzeReferenceFilesOn(thread.worker, [fixturePath('malformed/truncated_header.wav')], DEFAULT_INGEST_POLICY).then(
    () => assert.unreachable('a malformed reference was analysed'),
    (error: unknown) => assert.instance(error, Error),
  );
  assert.not.ok(exitedEarly, 'the analyses left the thread running');
  const { there, here } = await energiesBothWays(thread);
  assert.equal(there, here);
  await thread.close();
});

test('a tap thread started ahead that ended before it was taken is known failed at once, before its ready settles (the CLI then sends the references to a thread of their own)', async () => {
  const early = prestartTapWorker({ simd: simdEnabled(), nice: 0 });
  await early.worker.terminate();
  const thread = startTapThread();
  assert.is(thread.worker, early.worker, 'the thread started ahead was taken');
  assert.ok(thread.failed(), 'known failed before its ready settles');
  assert.is(await thread.ready, null);
  await thread.close();
});

test('references sent to a shared thread that dies before answering are analysed here instead; a refused one still fails', async () => {
  const paths = [fixturePath('indie_pop/reference.wav')];
  const [expected] = await analyzeReferenceFiles(paths, DEFAULT_INGEST_POLICY);
  // A thread that takes messages and exits without answering them.
  const dying = () => new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(3));", { eval: true });
  const [analysed] = await analyzeReferenceFilesOn(dying(), paths, DEFAULT_INGEST_POLICY);
  assert.equal(analysed.analysis.integratedLufs, expected.analysis.integratedLufs);
  assert.equal(analysed.analysis.spectrum, expected.analysis.spectrum);
  await analyzeReferenceFilesOn(dying(), [fixturePath('malformed/truncated_header.wav')], DEFAULT_INGEST_POLICY).then(
    () => assert.unreachable('a malformed reference was analysed'),
    (error: unknown) => assert.instance(error, Error),
  );
});

test('a tap thread that analysed the references and was left idle does not keep its process alive', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtimes/workers/idle-analysing-tap-thread.ts', fixturePath('indie_pop/reference.wav')], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, `${run.signal ?? ''} ${run.stderr}`);
  assert.match(run.stdout, /^analysed -?\d+\.\d+ LUFS/);
});

test.run();
