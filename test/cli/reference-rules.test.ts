// The four reference rules of batch-master, over a real folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../runtimes/node/cli/args.ts';
import { FileJobError } from '../../runtimes/node/cli/master-files.ts';
import { createReferenceResolver, type ReferenceSettings } from '../../runtimes/node/cli/batch/reference-rules.ts';
import { scratchDir } from './workspace.ts';

const scratch = scratchDir('rules');
const path = (name: string) => join(scratch.dir, name);

test.before(() => {
  for (const name of ['ref.wav', 'refs/song.mp3', 'refs/song.flac', 'refs/Song.wav', 'refs/intro.WAV', 'refs/.hidden.wav', 'refs/notes.txt', 'empty/readme.md']) {
    mkdirSync(join(path(name), '..'), { recursive: true });
    writeFileSync(path(name), 'x');
  }
  mkdirSync(path('refs/a-folder.wav'));
});
test.after(() => scratch.remove());

async function usageError(settings: ReferenceSettings, hasManifest = false): Promise<string> {
  try {
    await createReferenceResolver(settings, hasManifest);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(settings)}`);
}

test('single gives every item the one reference and refuses a manifest that names others', async () => {
  const resolve = await createReferenceResolver({ rule: 'single', references: [path('ref.wav')] }, false);
  assert.equal(resolve({ target: 'a.wav', where: 'a.wav' }), { paths: [path('ref.wav')] });
  assert.throws(() => resolve({ target: 'a.wav', references: ['other.wav'], where: 'line 2' }), /manifest line 2 names a reference, but --reference-rule is single/);
});

test('manifest takes each row reference and fills empty cells from --reference, or refuses without one', async () => {
  const withFallback = await createReferenceResolver({ rule: 'manifest', references: [path('ref.wav')] }, true);
  assert.equal(withFallback({ target: 'a.wav', references: ['mine.wav'], where: 'line 2' }), { paths: ['mine.wav'] });
  assert.equal(withFallback({ target: 'b.wav', where: 'line 3' }), { paths: [path('ref.wav')] });
  const strict = await createReferenceResolver({ rule: 'manifest' }, true);
  assert.throws(() => strict({ target: 'b.wav', where: 'line 3' }), /manifest line 3 has no reference and there is no --reference to fall back on/);
});

test('several --reference files go to every item under single, and fill empty manifest cells under manifest; six are refused', async () => {
  const two = [path('ref.wav'), path('refs/song.flac')];
  const single = await createReferenceResolver({ rule: 'single', references: two }, false);
  assert.equal(single({ target: 'a.wav', where: 'a.wav' }), { paths: two });
  const fallback = await createReferenceResolver({ rule: 'manifest', references: two }, true);
  assert.equal(fallback({ target: 'b.wav', where: 'line 2' }), { paths: two });
  assert.equal(fallback({ target: 'c.wav', references: ['x.wav', 'y.wav'], where: 'line 3' }), { paths: ['x.wav', 'y.wav'] });
  assert.match(await usageError({ rule: 'single', references: Array.from({ length: 6 }, () => path('ref.wav')) }), /--reference was given 6 times; at most 5/);
});

test('match-by-basename matches the exact stem, prefers .wav then .flac then .mp3, and fails an unmatched item alone', async () => {
  const resolve = await createReferenceResolver({ rule: 'match-by-basename', referenceDir: path('refs') }, false);
  assert.equal(resolve({ target: 'mixes/song.wav', where: '' }), { paths: [path('refs/song.flac')] }, '.flac before .mp3; Song.wav has another stem');
  assert.equal(resolve({ target: 'mixes/Song.mp3', where: '' }), { paths: [path('refs/Song.wav')] });
  assert.equal(resolve({ target: 'intro.flac', where: '' }), { paths: [path('refs/intro.WAV')] }, 'extensions in any case');
  const missing = resolve({ target: 'mixes/outro.wav', where: '' });
  assert.ok('failure' in missing);
  const failure = (missing as { failure: FileJobError }).failure;
  assert.is(failure.code, 'no_reference');
  assert.match(failure.message, /no file named outro\.wav, outro\.flac or outro\.mp3 in --reference-dir /);
  assert.ok('failure' in resolve({ target: 'a-folder.wav', where: '' }), 'a folder is not a reference');
  assert.ok('failure' in resolve({ target: '.hidden.wav', where: '' }), 'hidden files are not references');
});

test('first-in-dir takes the first audio file by code-point order (uppercase first), skipping other files', async () => {
  const resolve = await createReferenceResolver({ rule: 'first-in-dir', referenceDir: path('refs') }, false);
  assert.equal(resolve({ target: 'x.wav', where: '' }), { paths: [path('refs/Song.wav')] });
  assert.match(await usageError({ rule: 'first-in-dir', referenceDir: path('empty') }), /holds no \.wav\/\.flac\/\.mp3 file/);
});

test('flags a rule needs or would ignore are usage errors', async () => {
  assert.match(await usageError({ rule: 'single' }), /single needs --reference FILE/);
  assert.match(await usageError({ rule: 'single', references: [path('absent.wav')] }), /no such file for --reference/);
  assert.match(await usageError({ rule: 'single', references: [path('refs')] }), /no such file for --reference/, 'a folder is not a reference file');
  assert.match(await usageError({ rule: 'manifest' }), /manifest needs --manifest FILE/);
  assert.match(await usageError({ rule: 'match-by-basename' }), /needs --reference-dir DIR/);
  assert.match(await usageError({ rule: 'first-in-dir', referenceDir: path('refs'), references: [path('ref.wav')] }), /--reference is not used by --reference-rule first-in-dir/);
  assert.match(await usageError({ rule: 'single', references: [path('ref.wav')], referenceDir: path('refs') }), /--reference-dir is only used by/);
  assert.match(await usageError({ rule: 'match-by-basename', referenceDir: path('nowhere') }), /is not a folder/);
});

test.run();
