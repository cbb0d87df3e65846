// Batch manifests: CSV (RFC 4180 quoting, read by csv-parse) and JSON shapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../runtimes/node/cli/args.ts';
import { parseCsvManifest, parseJsonManifest, readManifest } from '../../runtimes/node/cli/batch/manifest.ts';
import { scratchDir } from './workspace.ts';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

test('CSV fields may be quoted, hold commas, doubled quotes and line breaks, with any line ends', () => {
  const entries = parseCsvManifest('\uFEFFtarget,output\r\n"my, song.wav","say ""hi"".wav"\n"two\nlines.wav",plain.wav\rlast.wav,x.wav', '');
  assert.equal(
    entries.map((entry) => [entry.target, entry.output]),
    [
      ['my, song.wav', 'say "hi".wav'],
      ['two\nlines.wav', 'plain.wav'],
      ['last.wav', 'x.wav'],
    ],
  );
});

test('CSV trims unquoted fields, keeps quoted spaces, skips blank lines and reads a last line without a newline', () => {
  assert.equal(parseCsvManifest('target , output\n\n   \n" c.wav ",d.wav', ''), [{ where: 'line 4', target: ' c.wav ', output: 'd.wav' }]);
  assert.equal(parseCsvManifest('target,reference,output\na.wav,,c.wav\n', ''), [{ where: 'line 2', target: 'a.wav', output: 'c.wav' }]);
  assert.equal(parseCsvManifest('target\nsay "hi".wav', ''), [{ where: 'line 2', target: 'say "hi".wav' }], 'a quote inside an unquoted field is literal');
});

test('CSV syntax errors are usage errors naming the line', () => {
  assert.match(usageMessage(() => parseCsvManifest('target\n"open', '.')), /^manifest line 2: a quoted field is never closed$/);
  assert.match(usageMessage(() => parseCsvManifest('target\nb\n"x"y', '.')), /^manifest line 3: text after a closing quote/);
});

test('a CSV manifest maps columns by header in any order, resolves relative paths from its folder and treats empty cells as absent', () => {
  const entries = parseCsvManifest('output,TARGET,reference\nout/a.wav,a.wav,\n,/abs/b.flac,refs/r.wav\n', 'jobs');
  assert.equal(entries, [
    { where: 'line 2', target: 'jobs/a.wav', output: 'jobs/out/a.wav' },
    { where: 'line 3', target: '/abs/b.flac', references: ['jobs/refs/r.wav'] },
  ]);
  assert.equal(parseCsvManifest('target\nsong.wav\n', '.'), [{ where: 'line 2', target: 'song.wav' }]);
});

test('a CSV manifest with a bad header or row is a usage error naming it', () => {
  assert.match(usageMessage(() => parseCsvManifest('', '.')), /manifest is empty/);
  assert.match(usageMessage(() => parseCsvManifest('reference,output\nr.wav,o.wav\n', '.')), /no 'target' column/);
  assert.match(usageMessage(() => parseCsvManifest('target,title\na.wav,x\n', '.')), /unknown column 'title'/);
  assert.match(usageMessage(() => parseCsvManifest('target,target\na.wav,b.wav\n', '.')), /names a column twice/);
  assert.match(usageMessage(() => parseCsvManifest('target,strength,Strength\na.wav,1,2\n', '.')), /names a column twice/);
  assert.match(usageMessage(() => parseCsvManifest(`target${',reference'.repeat(6)}\na.wav\n`, '.')), /names reference more than 5 times/);
  assert.match(usageMessage(() => parseCsvManifest('target\na.wav,extra\n', '.')), /line 2: 2 fields but the header has 1/);
  assert.match(usageMessage(() => parseCsvManifest('target,reference\n,r.wav\n', '.')), /line 2: no target/);
  assert.match(usageMessage(() => parseCsvManifest('target\n"a.wav\n', '.')), /manifest line 2: a quoted field is never closed/);
});

test('a JSON manifest is an array of { target, reference?, output? } with paths from its folder', () => {
  assert.equal(parseJsonManifest('[{"target":"a.wav","reference":"r.wav","output":"o.wav"},{"target":"b.mp3","reference":null}]', 'm'), [
    { where: 'entry 1', target: 'm/a.wav', references: ['m/r.wav'], output: 'm/o.wav' },
    { where: 'entry 2', target: 'm/b.mp3' },
  ]);
});

test('an item may name several references (CSV repeats the column, JSON gives a list) and set its own options', () => {
  const csv = parseCsvManifest('target,reference,reference,strength,match,loudness-preset,preview\na.wav,r1.wav,r2.wav,50,"tone,width",spotify,true\nb.wav,,r3.wav,,,,\n', 'm');
  assert.equal(csv, [
    { where: 'line 2', target: 'm/a.wav', references: ['m/r1.wav', 'm/r2.wav'], options: { strength: '50', match: 'tone,width', loudness_preset: 'spotify', preview: 'true' } },
    { where: 'line 3', target: 'm/b.wav', references: ['m/r3.wav'] },
  ]);
  const json = parseJsonManifest('[{"target":"a.wav","reference":["r1.wav","r2.wav"],"strength":50,"preview":true,"ceiling_dbtp":"-2","sample_rate":48000}]', 'm');
  assert.equal(json, [{ where: 'entry 1', target: 'm/a.wav', references: ['m/r1.wav', 'm/r2.wav'], options: { strength: '50', preview: 'true', ceiling_dbtp: '-2', sample_rate: '48000' } }]);
  assert.match(usageMessage(() => parseJsonManifest('[{"target":"a.wav","reference":["1","2","3","4","5","6"]}]', '.')), /entry 1: 6 references; at most 5/);
  assert.match(usageMessage(() => parseJsonManifest('[{"target":"a.wav","reference":[1]}]', '.')), /'reference' must be a string path or a list of them/);
  assert.match(usageMessage(() => parseJsonManifest('[{"target":"a.wav","strength":{"x":1}}]', '.')), /'strength' must be a string, number or boolean/);
});

test('a JSON manifest of the wrong shape is a usage error naming the entry', () => {
  assert.match(usageMessage(() => parseJsonManifest('[{"target":', '.')), /not valid JSON/);
  assert.match(usageMessage(() => parseJsonManifest('{"target":"a.wav"}', '.')), /must be an array/);
  assert.match(usageMessage(() => parseJsonManifest('["a.wav"]', '.')), /entry 1: not an object/);
  assert.match(usageMessage(() => parseJsonManifest('[{"target":"a.wav"},{"target":"b.wav","refrence":"r.wav"}]', '.')), /entry 2: unknown key 'refrence'/);
  assert.match(usageMessage(() => parseJsonManifest('[{"target":3}]', '.')), /entry 1: 'target' must be a string path/);
  assert.match(usageMessage(() => parseJsonManifest('[{"output":"o.wav"}]', '.')), /entry 1: no target/);
});

test('readManifest tells JSON from CSV by extension or by a leading bracket', async () => {
  const scratch = scratchDir('manifest');
  try {
    writeFileSync(join(scratch.dir, 'list.txt'), ' [{"target":"a.wav"}]');
    writeFileSync(join(scratch.dir, 'list.json'), '[{"target":"b.wav"}]');
    writeFileSync(join(scratch.dir, 'list.csv'), 'target\nc.wav\n');
    assert.equal(await readManifest(join(scratch.dir, 'list.txt')), [{ where: 'entry 1', target: join(scratch.dir, 'a.wav') }]);
    assert.equal(await readManifest(join(scratch.dir, 'list.json')), [{ where: 'entry 1', target: join(scratch.dir, 'b.wav') }]);
    assert.equal(await readManifest(join(scratch.dir, 'list.csv')), [{ where: 'line 2', target: join(scratch.dir, 'c.wav') }]);
    await readManifest(join(scratch.dir, 'absent.csv')).then(
      () => assert.unreachable(),
      (error: Error) => assert.match(error.message, /no such manifest/),
    );
  } finally {
    scratch.remove();
  }
});

test.run();
