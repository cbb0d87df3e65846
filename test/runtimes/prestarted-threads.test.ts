// Threads a command starts before its own code has loaded (cli/main.ts for
// `master`; runtimes/node/*-spawn.ts): the next tap thread or reference
// analysis with the same settings takes the started one (and ends it as it
// would end its own), one started with other settings is ended unused, and
// either way the job's results are the ones a thread started on the spot gives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Worker } from 'node:worker_threads';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { createTap } from '../../core/mastering/tap-host.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { prestartReferenceWorker, takeReferenceWorker } from '../../runtimes/node/reference-analysis-spawn.ts';
import { analyzeReferenceFilesOnThread } from '../../runtimes/node/reference-analysis-thread.ts';
import { analyzeReferenceFiles } from '../../runtimes/node/reference-files.ts';
import { startTapThread } from '../../runtimes/node/tap-thread.ts';
import { prestartTapWorker, takeTapWorker } from '../../runtimes/node/tap-thread-spawn.ts';
import { fixturePath } from '../support/fixtures.ts';

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

test('a reference thread started ahead analyses the next references with its settings and ends with the answer; one with other settings is ended', async () => {
  const paths = [fixturePath('indie_pop/reference.wav')];
  const [expected] = await analyzeReferenceFiles(paths, DEFAULT_INGEST_POLICY);
  for (const simd of [simdEnabled(), !simdEnabled()]) {
    const early = prestartReferenceWorker({ simd, nice: 0 });
    const ended = exited(early.worker);
    const [analysed] = await analyzeReferenceFilesOnThread(paths, DEFAULT_INGEST_POLICY);
    assert.is(takeReferenceWorker({ simd: simdEnabled(), nice: 0 }), null, 'taken once');
    assert.type(await ended, 'number', simd === simdEnabled() ? 'ended with the answer' : 'ended unused');
    assert.equal(analysed.analysis.integratedLufs, expected.analysis.integratedLufs);
    assert.equal(analysed.analysis.spectrum, expected.analysis.spectrum);
  }
});

test.run();
