// The batch scheduler: the concurrency limit, independent failures, outcome order, interruption.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MasteringJob, MasteringJobResult, MasteringRunner } from '../../core/app/ports.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import type { BatchItem } from '../../runtimes/node/cli/batch/plan.ts';
import { runBatch } from '../../runtimes/node/cli/batch/run-batch.ts';
import { FileJobError, masterFiles } from '../../runtimes/node/cli/master-files.ts';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import { localIngestPolicy } from '../../runtimes/node/cli/local-ingest.ts';
import { fixturePath } from '../support/fixtures.ts';
import { tinyWav } from '../support/doubles.ts';
import { scratchDir } from './workspace.ts';
import { sampleDiagnostics } from '../support/diagnostics.ts';

const scratch = scratchDir('run-batch');
const ingestPolicy = localIngestPolicy();
const path = (name: string) => join(scratch.dir, name);

test.before(() => {
  for (const name of ['a.wav', 'b.wav', 'c.wav', 'd.wav', 'e.wav', 'ref.wav']) writeFileSync(path(name), tinyWav());
});
test.after(() => scratch.remove());

/** A runner that holds each job until released, counting how many are in flight; a target named bad*.wav is refused as corrupt. */
function gatedRunner() {
  let inFlight = 0;
  let maxInFlight = 0;
  const waiting: Array<() => void> = [];
  const runner: MasteringRunner = {
    async run(job: MasteringJob): Promise<MasteringJobResult> {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight--;
      if (job.target.filename?.startsWith('bad')) throw new IngestValidationError('corrupted_file', 'broken', { part: 'target' });
      return { wav: tinyWav(), policies: { policyVersion: 'v1', ingestPolicyId: 'i', normalizationPolicyId: 'n' }, diagnostics: sampleDiagnostics(), events: [] };
    },
  };
  /**
   * Releases waiting jobs until the batch settles. With `wave`, jobs are held
   * until that many wait (given how many were released so far), so a
   * concurrency check does not depend on how quickly the items' files are read;
   * a wave that never fills is released after a second, failing the check
   * instead of hanging.
   */
  const drain = async (done: Promise<unknown>, wave?: (released: number) => number) => {
    let settled = false;
    let released = 0;
    let lastArrival = Date.now();
    let waitingBefore = 0;
    void done.then(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (waiting.length !== waitingBefore) lastArrival = Date.now();
      const full = wave === undefined || waiting.length >= wave(released);
      if (waiting.length > 0 && (full || Date.now() - lastArrival > 1000)) {
        released += waiting.length;
        waiting.splice(0).forEach((release) => release());
      }
      waitingBefore = waiting.length;
    }
  };
  return { runner, drain, maxInFlight: () => maxInFlight };
}

const item = (index: number, target: string, outputDir = 'out'): BatchItem => ({
  index,
  target: path(target),
  reference: { paths: [path('ref.wav')] },
  output: path(`${outputDir}/${index}.wav`),
});

test('never more items in flight than the concurrency limit, and the limit is used', async () => {
  const { runner, drain, maxInFlight } = gatedRunner();
  const items = ['a.wav', 'b.wav', 'c.wav', 'd.wav', 'e.wav'].map((name, i) => item(i + 1, name));
  const done = runBatch(items, { runner, options: DEFAULT_MASTERING_OPTIONS, concurrency: 2 });
  await drain(done, (released) => Math.min(2, items.length - released));
  const outcomes = await done;
  assert.is(maxInFlight(), 2);
  assert.ok(outcomes.every((outcome) => outcome.ok));
  for (const index of [1, 2, 3, 4, 5]) assert.ok(existsSync(path(`out/${index}.wav`)));
});

test('failures stay with their item: missing file, refused audio and no reference; outcomes come back in item order', async () => {
  writeFileSync(path('bad.wav'), tinyWav());
  const { runner, drain } = gatedRunner();
  const started: number[] = [];
  const finished: number[] = [];
  const items: BatchItem[] = [
    item(1, 'missing.wav', 'failures'),
    item(2, 'bad.wav', 'failures'),
    { ...item(3, 'c.wav'), reference: { failure: new FileJobError('no_reference', 'reference', 'refs', 'no file named c.wav in refs') } },
    item(4, 'd.wav', 'failures'),
  ];
  const done = runBatch(items, {
    runner,
    options: DEFAULT_MASTERING_OPTIONS,
    concurrency: 3,
    observer: { itemStarted: (startedItem) => started.push(startedItem.index), itemFinished: (outcome) => finished.push(outcome.item.index) },
    ids: (() => {
      let n = 0;
      return () => `id-${++n}`;
    })(),
  });
  await drain(done);
  const outcomes = await done;
  assert.equal(outcomes.map((outcome) => outcome.item.index), [1, 2, 3, 4]);
  assert.equal(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.code)), ['missing_file', 'corrupted_file', 'no_reference', 'ok']);
  assert.equal(started.sort(), [1, 2, 3, 4]);
  assert.equal(finished.sort(), [1, 2, 3, 4]);
  assert.is(new Set(outcomes.map((outcome) => outcome.correlationId)).size, 4);
  assert.not.ok(existsSync(path('failures/2.wav')), 'a refused item writes nothing');
  assert.ok(existsSync(path('failures/4.wav')));
});

test('after an abort, items not yet started end as interrupted and running ones finish', async () => {
  const { runner, drain } = gatedRunner();
  const interrupt = new AbortController();
  const items = ['a.wav', 'b.wav', 'c.wav'].map((name, i) => item(i + 1, name, 'abort'));
  const done = runBatch(items, {
    runner,
    options: DEFAULT_MASTERING_OPTIONS,
    concurrency: 1,
    observer: { itemStarted: () => interrupt.abort(), itemFinished: () => undefined },
    signal: interrupt.signal,
  });
  await drain(done);
  const outcomes = await done;
  assert.equal(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.code)), ['ok', 'interrupted', 'interrupted']);
  assert.ok(existsSync(path('abort/1.wav')));
  assert.not.ok(existsSync(path('abort/2.wav')));
});

test('a one-lane batch streams its WAV items here, as audo-eq master does, and hands the runner only what cannot be streamed (a FLAC target)', async () => {
  const calls: string[] = [];
  const runner: MasteringRunner = {
    async run(job) {
      calls.push(job.target.filename ?? '?');
      return createInProcessRunner({ ingestPolicy }).run(job);
    },
  };
  const reference = fixturePath('indie_pop/reference.wav');
  const items: BatchItem[] = [
    { index: 1, target: fixturePath('indie_pop/target.wav'), reference: { paths: [reference] }, output: path('streamed/1.wav') },
    { index: 2, target: fixturePath('indie_pop/target.flac'), reference: { paths: [reference] }, output: path('streamed/2.wav') },
  ];
  const streamed = { ingestPolicy, referencesOnThread: true, tapsOnThread: true };
  const outcomes = await runBatch(items, { runner, options: DEFAULT_MASTERING_OPTIONS, concurrency: 1, streamed });
  assert.equal(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.code)), ['ok', 'ok']);
  assert.equal(calls, ['target.flac']);
  // The streamed item is the master the whole-buffer job makes of it.
  const whole = { correlationId: 'whole', targetPath: items[0].target, referencePaths: [reference], outputPath: path('streamed/whole.wav'), options: DEFAULT_MASTERING_OPTIONS };
  await masterFiles(createInProcessRunner({ ingestPolicy }), whole);
  assert.ok(readFileSync(path('streamed/1.wav')).equals(readFileSync(whole.outputPath)), 'same bytes as the whole-buffer job');
  assert.ok(existsSync(path('streamed/2.wav')));
});

test('a concurrency limit below one is refused', async () => {
  const { runner } = gatedRunner();
  await runBatch([item(1, 'a.wav')], { runner, options: DEFAULT_MASTERING_OPTIONS, concurrency: 0 }).then(
    () => assert.unreachable(),
    (error: Error) => assert.instance(error, RangeError),
  );
});

test.run();
