// `--target-pattern`: the glob matcher (the `glob` package) over a real folder tree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globFiles } from '../../runtimes/node/cli/batch/glob.ts';
import { scratchDir } from './workspace.ts';

const scratch = scratchDir('glob');
const root = scratch.dir;
const files = [
  'a.wav',
  'b.WAV',
  'c.flac',
  'ab.wav',
  '.hidden.wav',
  'x*y.wav',
  'sub/d.wav',
  'sub/e.mp3',
  'sub/deeper/f.wav',
  '.git/g.wav',
  'other/h.wav',
];

test.before(() => {
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), 'x');
  }
  mkdirSync(join(root, 'folder.wav'));
  symlinkSync(join(root, 'sub'), join(root, 'link-to-sub'));
  symlinkSync(join(root, 'a.wav'), join(root, 'link-a.wav'));
});
test.after(() => scratch.remove());

const glob = async (pattern: string) => (await globFiles(join(root, pattern))).map((path) => path.slice(root.length + 1));

test('* matches within one folder, never a hidden file or a folder', async () => {
  assert.equal(await glob('*.wav'), ['a.wav', 'ab.wav', 'link-a.wav', 'x*y.wav']);
  assert.equal(await glob('*'), ['a.wav', 'ab.wav', 'b.WAV', 'c.flac', 'link-a.wav', 'x*y.wav']);
});

test('? matches exactly one character', async () => {
  assert.equal(await glob('?.wav'), ['a.wav']);
  assert.equal(await glob('??.wav'), ['ab.wav']);
});

test('** matches any depth, zero included, without entering hidden folders or crawling symlinked ones', async () => {
  // As in bash: `**` never descends through a symlinked folder, but the next segment may match inside it once.
  assert.equal(await glob('**/*.wav'), ['a.wav', 'ab.wav', 'link-a.wav', 'link-to-sub/d.wav', 'other/h.wav', 'sub/d.wav', 'sub/deeper/f.wav', 'x*y.wav']);
  assert.equal(await glob('sub/**'), ['sub/d.wav', 'sub/deeper/f.wav', 'sub/e.mp3']);
  assert.equal(await glob('**/f.wav'), ['sub/deeper/f.wav']);
});

test('wildcards work in folder segments, and a named symlinked folder is entered', async () => {
  assert.equal(await glob('*/*.wav'), ['link-to-sub/d.wav', 'other/h.wav', 'sub/d.wav']);
  assert.equal(await glob('link-to-sub/*.mp3'), ['link-to-sub/e.mp3']);
});

test('character classes and braces pick among names', async () => {
  assert.equal(await glob('[ab].wav'), ['a.wav']);
  assert.equal(await glob('*.{wav,flac}'), ['a.wav', 'ab.wav', 'c.flac', 'link-a.wav', 'x*y.wav']);
});

test('a backslash makes a wildcard literal, and a pattern without wildcards names one file', async () => {
  assert.equal(await glob('x\\*y.wav'), ['x*y.wav']);
  assert.equal(await glob('sub/d.wav'), ['sub/d.wav']);
  assert.equal(await glob('sub/missing.wav'), []);
  assert.equal(await glob('folder.wav'), [], 'a folder is not a file');
});

test('matching is case-sensitive, like the file system', async () => {
  assert.equal(await glob('*.WAV'), ['b.WAV']);
});

test('a relative pattern gives paths relative to the working directory, sorted', async () => {
  const previous = process.cwd();
  process.chdir(root);
  try {
    assert.equal(await globFiles('sub/*.wav'), ['sub/d.wav']);
    assert.equal(await globFiles('*.flac'), ['c.flac']);
    assert.equal(await globFiles('no-such-folder/*.wav'), []);
  } finally {
    process.chdir(previous);
  }
});

test.run();
