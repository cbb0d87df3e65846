// The CLI's own job reads a WAV target in blocks and writes the master as it
// is encoded (runtimes/node/cli/master-streamed.ts): the same bytes, warnings
// and diagnostics as the whole-buffer job, with the working copy in memory or
// in a temporary file, and nothing left behind when it fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import { DEFAULT_MASTERING_OPTIONS, type MasteringRequestOptions } from '../../core/mastering/options.ts';
import { FileJobError, masterFiles, type FileJob } from '../../runtimes/node/cli/master-files.ts';
import { localIngestPolicy } from '../../runtimes/node/cli/local-ingest.ts';
import { masterFileStreamed } from '../../runtimes/node/cli/master-streamed.ts';
import { fixturePath } from '../support/fixtures.ts';
import { withoutTimings } from '../support/without-timings.ts';
import { scratchDir } from './workspace.ts';

const scratch = scratchDir('master-streamed');
const ingestPolicy = localIngestPolicy();
let jobs = 0;

function job(target: string, reference: string, options: Partial<MasteringRequestOptions> = {}): FileJob {
  jobs++;
  return {
    correlationId: `streamed-${jobs}`,
    targetPath: target,
    referencePaths: [reference],
    outputPath: join(scratch.dir, `out-${jobs}`, 'master.wav'),
    options: { ...DEFAULT_MASTERING_OPTIONS, ...options },
  };
}

const cases = [
  { pair: 'indie_pop', options: {} },
  { pair: 'speech_mono_target', options: { eqMode: 'reference-match', bitDepth: 16 } },
  { pair: 'synthwave_48k_24bit', options: { eqMode: 'reference-match', bitDepth: 32 } },
] as const;

for (const { pair, options } of cases) {
  test(`${pair} ${JSON.stringify(options)}: streamed with the working copy in memory and in a file, the taps here and on their thread, the bytes of the whole-buffer job`, async () => {
    const target = fixturePath(`${pair}/target.wav`);
    const reference = fixturePath(`${pair}/reference.wav`);
    const whole = job(target, reference, options);
    const wholeResult = await masterFiles(createInProcessRunner({ ingestPolicy }), whole);
    const expected = readFileSync(whole.outputPath);
    for (const [memoryStoreBytes, tapsOnThread] of [[Number.POSITIVE_INFINITY, false], [0, true], [Number.POSITIVE_INFINITY, true]] as const) {
      const storeDirectory = join(scratch.dir, `store-${jobs}`);
      mkdirSync(storeDirectory, { recursive: true });
      const streamed = job(target, reference, options);
      const result = await masterFileStreamed(streamed, { ingestPolicy, memoryStoreBytes, storeDirectory, tapsOnThread });
      assert.ok(result, 'a WAV target is streamed');
      const bytes = readFileSync(streamed.outputPath);
      const setup = `store ${memoryStoreBytes === 0 ? 'file' : 'memory'}, taps ${tapsOnThread ? 'on their thread' : 'here'}`;
      assert.ok(Buffer.compare(bytes, expected) === 0, `${setup}: ${bytes.length} bytes differ from the whole job's ${expected.length}`);
      assert.equal(withoutTimings(result!.diagnostics), withoutTimings(wholeResult.diagnostics));
      const named = (events: readonly { name: string; payload: unknown }[]) => withoutTimings(events.map(({ name, payload }) => ({ name, payload })));
      assert.equal(named(result!.events), named(wholeResult.events));
      assert.equal(readdirSync(storeDirectory), [], 'the working copy is removed');
      assert.equal(readdirSync(join(streamed.outputPath, '..')), ['master.wav'], 'no partial file beside the output');
      const stages = Object.keys(result!.diagnostics.stage_ms);
      for (const stage of ['target_decode_ms', 'target_analysis_ms', 'render_ms', 'encode_ms']) assert.ok(stages.includes(stage), `${stage} in ${stages}`);
    }
  });
}

test('references analysed on their own thread, two of them, one a FLAC: the bytes of the whole-buffer job', async () => {
  const target = fixturePath('indie_pop/target.wav');
  const references = [fixturePath('synthwave_48k_24bit/reference.wav'), fixturePath('indie_pop/target.flac')];
  const whole = { ...job(target, references[0], { eqMode: 'reference-match' }), referencePaths: references };
  const wholeResult = await masterFiles(createInProcessRunner({ ingestPolicy }), whole);
  const streamed = { ...job(target, references[0], { eqMode: 'reference-match' }), referencePaths: references };
  const result = await masterFileStreamed(streamed, { ingestPolicy, referencesOnThread: true });
  assert.ok(Buffer.compare(readFileSync(streamed.outputPath), readFileSync(whole.outputPath)) === 0, 'same bytes');
  const named = (events: readonly { name: string; payload: unknown }[]) => withoutTimings(events.map(({ name, payload }) => ({ name, payload })));
  assert.equal(named(result!.events), named(wholeResult.events));
});

test('a broken second reference fails naming that very file', async () => {
  const broken = join(scratch.dir, 'broken-reference.wav');
  writeFileSync(broken, readFileSync(fixturePath('indie_pop/reference.wav')).subarray(0, 40));
  for (const referencesOnThread of [false, true]) {
    const failing = { ...job(fixturePath('indie_pop/target.wav'), fixturePath('indie_pop/reference.wav')), referencePaths: [fixturePath('indie_pop/reference.wav'), broken] };
    const error = await masterFileStreamed(failing, { ingestPolicy, referencesOnThread }).then(() => null, (caught: unknown) => caught);
    assert.instance(error, FileJobError);
    assert.is((error as FileJobError).role, 'reference');
    assert.is((error as FileJobError).path, broken);
    assert.is((error as FileJobError).code, 'corrupted_file');
  }
});

test('a broken target and a broken reference: the reference is reported, as the whole-buffer job reports it', async () => {
  const brokenTarget = join(scratch.dir, 'broken-both-target.wav');
  const brokenReference = join(scratch.dir, 'broken-both-reference.wav');
  writeFileSync(brokenTarget, readFileSync(fixturePath('indie_pop/target.wav')).subarray(0, 30));
  writeFileSync(brokenReference, readFileSync(fixturePath('indie_pop/reference.wav')).subarray(0, 40));
  const failure = async (run: (failing: FileJob) => Promise<unknown>) => {
    const error = await run(job(brokenTarget, brokenReference)).then(() => null, (caught: unknown) => caught);
    assert.instance(error, FileJobError);
    return { code: (error as FileJobError).code, role: (error as FileJobError).role, path: (error as FileJobError).path };
  };
  const whole = await failure((failing) => masterFiles(createInProcessRunner({ ingestPolicy }), failing));
  assert.equal(whole, { code: 'corrupted_file', role: 'reference', path: brokenReference });
  for (const referencesOnThread of [false, true]) {
    assert.equal(await failure((failing) => masterFileStreamed(failing, { ingestPolicy, referencesOnThread })), whole);
  }
});

test('a temporary folder that cannot hold a long target\'s working copy is output_not_writable naming it, with nothing left behind', async () => {
  const notAFolder = join(scratch.dir, 'not-a-folder');
  writeFileSync(notAFolder, 'a file where the working copy\'s folder should be');
  const failing = job(fixturePath('indie_pop/target.wav'), fixturePath('indie_pop/reference.wav'));
  const error = await masterFileStreamed(failing, { ingestPolicy, memoryStoreBytes: 0, storeDirectory: notAFolder }).then(() => null, (caught: unknown) => caught);
  assert.instance(error, FileJobError);
  assert.is((error as FileJobError).code, 'output_not_writable');
  assert.is((error as FileJobError).path, notAFolder);
  assert.match((error as FileJobError).message, /TMPDIR/);
  assert.equal(existsSync(join(failing.outputPath, '..')) ? readdirSync(join(failing.outputPath, '..')) : [], []);
});

test('a FLAC target, a preview or another output rate is not streamed (the whole-buffer job runs them)', async () => {
  const reference = fixturePath('indie_pop/reference.wav');
  assert.is(await masterFileStreamed(job(fixturePath('indie_pop/target.flac'), reference), { ingestPolicy }), null);
  assert.is(await masterFileStreamed(job(fixturePath('indie_pop/target.wav'), reference, { preview: true }), { ingestPolicy }), null);
  assert.is(await masterFileStreamed(job(fixturePath('indie_pop/target.wav'), reference, { outputSampleRateHz: 48000 }), { ingestPolicy }), null);
});

test('a broken target fails as a FileJobError naming it, and leaves no output or partial file', async () => {
  const broken = join(scratch.dir, 'broken.wav');
  const bytes = readFileSync(fixturePath('indie_pop/target.wav'));
  writeFileSync(broken, bytes.subarray(0, 30));
  const failing = job(broken, fixturePath('indie_pop/reference.wav'));
  const error = await masterFileStreamed(failing, { ingestPolicy }).then(() => null, (caught: unknown) => caught);
  assert.instance(error, FileJobError);
  assert.is((error as FileJobError).role, 'target');
  assert.is((error as FileJobError).path, broken);
  assert.is((error as FileJobError).code, 'corrupted_file');
  assert.not.ok(existsSync(join(failing.outputPath, '..')) && readdirSync(join(failing.outputPath, '..')).length > 0, 'nothing written');
});

test('NaN samples met while the target is read fail as corrupted_file naming the target, and the partial output is removed', async () => {
  const source = fixturePath('indie_pop/target_f32.wav');
  const poisoned = join(scratch.dir, 'nan.wav');
  copyFileSync(source, poisoned);
  const bytes = readFileSync(poisoned);
  // A NaN late in the data chunk: the header opens fine, the read of that block fails.
  const dataAt = bytes.indexOf(Buffer.from('data')) + 8;
  bytes.writeFloatLE(Number.NaN, dataAt + 4 * 2 * 44100 * 3);
  writeFileSync(poisoned, bytes);
  const failing = job(poisoned, fixturePath('indie_pop/reference.wav'));
  const error = await masterFileStreamed(failing, { ingestPolicy }).then(() => null, (caught: unknown) => caught);
  assert.instance(error, FileJobError);
  assert.is((error as FileJobError).code, 'corrupted_file');
  assert.is((error as FileJobError).role, 'target');
  assert.not.ok(existsSync(failing.outputPath));
  assert.equal(existsSync(join(failing.outputPath, '..')) ? readdirSync(join(failing.outputPath, '..')) : [], []);
});

test('an output that cannot be written is output_not_writable, with no partial file left', async () => {
  const blocker = join(scratch.dir, 'blocker');
  writeFileSync(blocker, 'a file where a folder should be');
  const failing = { ...job(fixturePath('indie_pop/target.wav'), fixturePath('indie_pop/reference.wav')), outputPath: join(blocker, 'master.wav') };
  const error = await masterFileStreamed(failing, { ingestPolicy }).then(() => null, (caught: unknown) => caught);
  assert.instance(error, FileJobError);
  assert.is((error as FileJobError).code, 'output_not_writable');
  assert.is((error as FileJobError).role, 'output');
});

test.after(() => scratch.remove());
test.run();
