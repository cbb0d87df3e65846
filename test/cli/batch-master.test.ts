// `audo-eq batch-master` run as a real process on short cuts of the fixtures:
// the six-item manifest of issue 8, the glob form, each reference rule, the
// naming template, per-item file problems and usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { fixturePath } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { repoRoot } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';
import { runBatchMasterCommand } from '../../runtimes/node/cli/commands/batch-master.ts';
import { UUID, cutFixture, parseItemLines, runCli, scratchDir } from './workspace.ts';

const scratch = scratchDir('batch');
/** Short inputs cut once, copied into each test's own layout. */
const stock = join(scratch.dir, 'stock');
const STOCK = {
  popTarget: 'pop_target.wav',
  popReference: 'pop_reference.wav',
  synthTarget: 'synth_target.flac',
  synthReference: 'synth_reference.mp3',
  speechTarget: 'speech_target.wav',
  speechReference: 'speech_reference.wav',
} as const;

/** Copies stock files into `root` as `{ destination: stockName }`. */
function layout(root: string, files: Record<string, string>): string {
  for (const [destination, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, destination)), { recursive: true });
    copyFileSync(source.startsWith('/') ? source : join(stock, source), join(root, destination));
  }
  return root;
}

const batch = (cwd: string, ...args: string[]) => runCli(['batch-master', ...args], cwd);
/** Runs the command function in this process with captured streams (not a TTY). */
async function batchInProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runBatchMasterCommand(args, { out: { write: (text: string) => (stdout += text) }, err: { write: (text: string) => (stderr += text) } });
  return { status, stdout, stderr };
}
const lufsOf = (path: string) => ffmpegEbur128(path).integratedLufs;

function assertSummary(stdout: string, total: number, succeeded: number, failed: number) {
  const lines = stdout.trimEnd().split('\n');
  assert.is(lines[lines.length - 1], `total=${total} succeeded=${succeeded} failed=${failed}`);
  assert.is(lines.length, total + 1, 'one line per item, then the summary');
}

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'batch-master CLI')) {
  test.before(() => {
    cutFixture('indie_pop/target.wav', join(stock, STOCK.popTarget));
    cutFixture('indie_pop/reference.wav', join(stock, STOCK.popReference));
    cutFixture('synthwave_48k_24bit/target.flac', join(stock, STOCK.synthTarget));
    cutFixture('synthwave_48k_24bit/reference.mp3', join(stock, STOCK.synthReference));
    cutFixture('speech_mono_target/target.wav', join(stock, STOCK.speechTarget));
    cutFixture('speech_mono_target/reference.wav', join(stock, STOCK.speechReference));
  });
  test.after(() => scratch.remove());

  test('a six-item manifest with a missing and a malformed file masters four, fails two with reasons, names outputs by the template and exits 1', () => {
    const dir = layout(join(scratch.dir, 'six'), {
      'mixes/song1.wav': STOCK.popTarget,
      'mixes/song2.flac': STOCK.synthTarget,
      'mixes/speech.wav': STOCK.speechTarget,
      'mixes/bad.wav': fixturePath('malformed/nan_float.wav'),
      'mixes/song3.wav': STOCK.popTarget,
      'refs/pop_ref.wav': STOCK.popReference,
      'refs/synth_ref.mp3': STOCK.synthReference,
      'refs/speech_ref.wav': STOCK.speechReference,
    });
    writeFileSync(
      join(dir, 'manifest.csv'),
      [
        'target,reference,output',
        'mixes/song1.wav,refs/pop_ref.wav,',
        'mixes/song2.flac,refs/synth_ref.mp3,',
        'mixes/speech.wav,refs/speech_ref.wav,',
        'mixes/missing.wav,refs/pop_ref.wav,',
        'mixes/bad.wav,refs/pop_ref.wav,',
        'mixes/song3.wav,refs/pop_ref.wav,',
      ].join('\n'),
    );
    const { status, stdout, stderr } = batch(dir, '--manifest', 'manifest.csv', '--output-dir', 'out', '--naming-template', '{index:03d}_{target_stem}_vs_{reference_stem}.wav', '--concurrency-limit', '2');
    assert.is(status, 1, stderr);
    assertSummary(stdout, 6, 4, 2);
    const { ok, failed } = parseItemLines(stdout);
    assert.equal(
      ok.map((line) => `${line.target} -> ${line.output}`).sort(),
      [
        'mixes/song1.wav -> out/001_song1_vs_pop_ref.wav',
        'mixes/song2.flac -> out/002_song2_vs_synth_ref.wav',
        'mixes/song3.wav -> out/006_song3_vs_pop_ref.wav',
        'mixes/speech.wav -> out/003_speech_vs_speech_ref.wav',
      ],
    );
    assert.equal(failed.map((line) => [line.target, line.code]).sort(), [['mixes/bad.wav', 'corrupted_file'], ['mixes/missing.wav', 'missing_file']]);
    assert.match(failed.find((line) => line.code === 'corrupted_file')!.message, /NaN or infinite/);
    assert.match(failed.find((line) => line.code === 'missing_file')!.message, /no such file/);
    const ids = [...ok, ...failed].map((line) => line.correlationId);
    for (const id of ids) assert.match(id, UUID);
    assert.is(new Set(ids).size, 6, 'one correlation id per item');
    assert.equal(readdirSync(join(dir, 'out')).sort(), ['001_song1_vs_pop_ref.wav', '002_song2_vs_synth_ref.wav', '003_speech_vs_speech_ref.wav', '006_song3_vs_pop_ref.wav']);
    assert.not.match(stderr, /\r/, 'no progress bar when stderr is not a terminal');
    assert.is(stderr, 'audo-eq batch-master: 6 items, reference rule manifest, concurrency 2 (worker-threads)\n');

    // Items on worker threads give the same bytes as `master` in-process.
    const single = runCli(['master', '-t', 'mixes/song1.wav', '-r', 'refs/pop_ref.wav', '-o', 'single.wav'], dir);
    assert.is(single.status, 0, single.stderr);
    assert.ok(Buffer.compare(readFileSync(join(dir, 'single.wav')), readFileSync(join(dir, 'out/001_song1_vs_pop_ref.wav'))) === 0, 'byte-identical');

    // Each output keeps its target's rate and layout and meets its own reference's loudness (ffmpeg measures).
    const expectations: Array<[string, number, number, string]> = [
      ['001_song1_vs_pop_ref.wav', 44100, 2, 'refs/pop_ref.wav'],
      ['002_song2_vs_synth_ref.wav', 48000, 2, 'refs/synth_ref.mp3'],
      ['003_speech_vs_speech_ref.wav', 44100, 1, 'refs/speech_ref.wav'],
      ['006_song3_vs_pop_ref.wav', 44100, 2, 'refs/pop_ref.wav'],
    ];
    for (const [name, sampleRateHz, channels, reference] of expectations) {
      const path = join(dir, 'out', name);
      const info = readWavInfo(new Uint8Array(readFileSync(path)));
      assert.equal([info.sampleRateHz, info.channels, info.bitsPerSample], [sampleRateHz, channels, 24], name);
      const difference = lufsOf(path) - lufsOf(join(dir, reference));
      assert.ok(Math.abs(difference) <= 0.5, `${name}: ${difference.toFixed(2)} LU from its reference`);
    }
  });

  test('a JSON manifest resolves paths from its own folder, honours its output column and falls back to --reference', () => {
    const root = layout(join(scratch.dir, 'json'), {
      'jobs/a.wav': STOCK.popTarget,
      'jobs/b.wav': STOCK.popTarget,
      'jobs/speech_ref.wav': STOCK.speechReference,
      'fallback_ref.wav': STOCK.popReference,
    });
    writeFileSync(join(root, 'jobs/list.json'), JSON.stringify([{ target: 'a.wav', output: 'done/a-final.wav' }, { target: 'b.wav', reference: 'speech_ref.wav' }]));
    const { status, stdout, stderr } = batch(root, '--manifest', 'jobs/list.json', '--reference', 'fallback_ref.wav', '--naming-template', '{target_stem}_{reference_stem}.wav');
    assert.is(status, 0, stderr);
    assertSummary(stdout, 2, 2, 0);
    const a = join(root, 'jobs/done/a-final.wav');
    const b = join(root, 'mastered/b_speech_ref.wav');
    assert.ok(existsSync(a) && existsSync(b), stdout);
    assert.ok(Math.abs(lufsOf(a) - lufsOf(join(root, 'fallback_ref.wav'))) <= 0.5, 'a was mastered against the fallback reference');
    assert.ok(Math.abs(lufsOf(b) - lufsOf(join(root, 'jobs/speech_ref.wav'))) <= 0.5, "b was mastered against its row's reference");
  });

  test('the glob form masters the matching files with one reference, into ./mastered with the default names', () => {
    const root = layout(join(scratch.dir, 'glob'), {
      'mixes/one.wav': STOCK.popTarget,
      'mixes/two.wav': STOCK.speechTarget,
      'mixes/three.flac': STOCK.synthTarget,
      'mixes/sub/four.wav': STOCK.popTarget,
      'mixes/.hidden.wav': STOCK.popTarget,
      'ref.wav': STOCK.popReference,
    });
    const flat = batch(root, '--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--concurrency-limit', '1');
    assert.is(flat.status, 0, flat.stderr);
    assert.equal(
      flat.stdout.trimEnd().split('\n').map((line) => line.replace(/ \(correlation_id=[^)]+\)$/, '')),
      // two.wav is mono speech against a stereo reference: its line names the warning.
      ['[OK] mixes/one.wav -> mastered/one_mastered.wav', '[OK] mixes/two.wav -> mastered/two_mastered.wav [warnings: mono_target_stereo_reference]', 'total=2 succeeded=2 failed=0'],
    );
    assert.match(flat.stderr, /^audo-eq batch-master: 2 items, reference rule single, concurrency 1 \(in-process\)\n$/);

    const deep = batch(root, '--target-pattern', 'mixes/**/*.wav', '--reference', 'ref.wav', '--output-dir', 'deep', '--naming-template', '{index:03d}-{target_stem}.wav');
    assert.is(deep.status, 0, deep.stderr);
    assert.equal(readdirSync(join(root, 'deep')).sort(), ['001-one.wav', '002-four.wav', '003-two.wav'], 'sorted by path, hidden files left out');
  });

  test('match-by-basename picks the reference with the target stem, preferring WAV, and fails only the target without one', () => {
    const root = layout(join(scratch.dir, 'basename'), {
      'mixes/a.wav': STOCK.popTarget,
      'mixes/b.wav': STOCK.popTarget,
      'mixes/c.wav': STOCK.popTarget,
      'refs/a.mp3': STOCK.synthReference,
      'refs/a.wav': STOCK.popReference,
      'refs/b.flac': STOCK.synthTarget,
    });
    const { status, stdout, stderr } = batch(root, '--target-pattern', 'mixes/*.wav', '--reference-rule', 'match-by-basename', '--reference-dir', 'refs', '--naming-template', '{target_stem}~{reference_name}.wav');
    assert.is(status, 1, stderr);
    assertSummary(stdout, 3, 2, 1);
    const { ok, failed } = parseItemLines(stdout);
    assert.equal(ok.map((line) => line.output).sort(), ['mastered/a~a.wav.wav', 'mastered/b~b.flac.wav']);
    assert.equal(failed.map((line) => [line.target, line.code]), [['mixes/c.wav', 'no_reference']]);
    assert.match(failed[0].message, /no file named c\.wav, c\.flac or c\.mp3 in --reference-dir refs/);
  });

  test('first-in-dir uses the first supported audio file by name, skipping hidden files, folders and other files', () => {
    const root = layout(join(scratch.dir, 'first'), {
      'mixes/one.wav': STOCK.popTarget,
      'mixes/two.wav': STOCK.speechTarget,
      'refs/b.wav': STOCK.popReference,
      'refs/a.flac': STOCK.synthTarget,
      'refs/.0hidden.wav': STOCK.popReference,
    });
    writeFileSync(join(root, 'refs/0notes.txt'), 'not audio');
    mkdirSync(join(root, 'refs/0folder.wav'));
    const { status, stdout, stderr } = batch(root, '--target-pattern', 'mixes/*.wav', '--reference-rule', 'first-in-dir', '--reference-dir', 'refs', '--naming-template', '{target_stem}-{reference_stem}{target_suffix}');
    assert.is(status, 0, stderr);
    assert.equal(parseItemLines(stdout).ok.map((line) => line.output).sort(), ['mastered/one-a.wav', 'mastered/two-a.wav']);
  });

  test('an unreadable reference and an unwritable output fail their own items while the others are mastered', () => {
    const root = layout(join(scratch.dir, 'faults'), {
      'a.wav': STOCK.popTarget,
      'b.wav': STOCK.popTarget,
      'c.wav': STOCK.popTarget,
      'ref.wav': STOCK.popReference,
    });
    mkdirSync(join(root, 'ref_folder.wav'));
    writeFileSync(join(root, 'blocker'), 'a file where a folder is needed');
    writeFileSync(join(root, 'm.csv'), 'target,reference,output\na.wav,ref_folder.wav,\nb.wav,ref.wav,blocker/b.wav\nc.wav,ref.wav,\n');
    const { status, stdout, stderr } = batch(root, '--manifest', 'm.csv');
    assert.is(status, 1, stderr);
    assertSummary(stdout, 3, 1, 2);
    const { ok, failed } = parseItemLines(stdout);
    assert.equal(ok.map((line) => line.target), ['c.wav']);
    assert.equal(failed.map((line) => [line.target, line.code]).sort(), [['a.wav', 'unreadable_file'], ['b.wav', 'output_not_writable']]);
    assert.match(failed.find((line) => line.target === 'a.wav')!.message, /^reference ref_folder\.wav: is a directory/);
    assert.match(failed.find((line) => line.target === 'b.wav')!.message, /^output blocker\/b\.wav: cannot be written/);
    assert.not.ok(readdirSync(root).some((name) => name.includes('.partial')), 'no temporary file left behind');
  });

  test('on a real terminal (a pty from script(1)) the progress bar is drawn in place around the item lines', () => {
    if (!requireTool('script', hasTool('script', ['--version']), 'batch-master progress bar on a pty')) return;
    const root = layout(join(scratch.dir, 'tty'), { 'mixes/a.wav': STOCK.popTarget, 'mixes/b.wav': STOCK.popTarget, 'ref.wav': STOCK.popReference });
    const command = [process.execPath, join(repoRoot, 'bin/audo-eq.mjs'), 'batch-master', '--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav']
      .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
    const screen = result.stdout.toString();
    assert.is(result.status, 0, screen);
    assert.match(screen, /\r\x1b\[2K\[-{24}\] 0\/2 ok=0 failed=0/);
    assert.match(screen, /\r\x1b\[2K\[#{24}\] 2\/2 ok=2 failed=0/);
    assert.match(screen, /\r\x1b\[2K\[OK\] mixes\/a\.wav -> mastered\/a_mastered\.wav \(correlation_id=/);
    assert.match(screen, /\r\x1b\[2Ktotal=2 succeeded=2 failed=0\r?\n$/);
    assert.not.match(screen, /items, reference rule/, 'the plain start line is for logs, not terminals');
  });

  test('a reader that stops reading ends the batch quietly, without a stack trace', async () => {
    const root = layout(join(scratch.dir, 'pipe'), {
      ...Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((name) => [`mixes/${name}.wav`, STOCK.popTarget])),
      'ref.wav': STOCK.popReference,
    });
    const child = spawn(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), 'batch-master', '--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--concurrency-limit', '1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Like `| head -1`: read the first line, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.is(code, 0, stderr);
    assert.is(stderr, 'audo-eq batch-master: 5 items, reference rule single, concurrency 1 (in-process)\n');
    assert.ok(readdirSync(join(root, 'mastered')).length < 5, 'the batch stopped');
  });

  test('Ctrl-C lets the running item finish, reports the rest as interrupted and exits 130', async () => {
    const root = layout(join(scratch.dir, 'sigint'), {
      ...Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((name) => [`mixes/${name}.wav`, STOCK.popTarget])),
      'ref.wav': STOCK.popReference,
    });
    const child = spawn(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), 'batch-master', '--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--concurrency-limit', '1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      const first = stdout === '';
      stdout += chunk;
      if (first) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.is(code, 130, stderr);
    assert.match(stderr, /interrupted; finishing running items/);
    const { ok, failed } = parseItemLines(stdout);
    assert.ok(ok.length >= 1 && failed.length >= 1, stdout);
    assert.ok(failed.every((line) => line.code === 'interrupted' && /not started/.test(line.message)), stdout);
    assert.is(ok.length + failed.length, 5);
    assert.match(stdout, new RegExp(`total=5 succeeded=${ok.length} failed=${failed.length}\\n$`));
    assert.is(readdirSync(join(root, 'mastered')).length, ok.length, 'only finished items wrote files');
  });

  test('a manifest item may have several references and its own options over the batch flags; each output equals `master` with the merged flags', () => {
    const dir = layout(join(scratch.dir, 'controls'), {
      'mixes/a.wav': STOCK.popTarget,
      'mixes/b.wav': STOCK.popTarget,
      'refs/pop.wav': STOCK.popReference,
      'refs/synth.mp3': STOCK.synthReference,
    });
    writeFileSync(
      join(dir, 'manifest.csv'),
      [
        'target,reference,reference,output,strength,sample_rate,match',
        'mixes/a.wav,refs/pop.wav,refs/synth.mp3,out/a.wav,30,48000,"tone,dynamics"',
        'mixes/b.wav,refs/synth.mp3,refs/pop.wav,out/b.wav,30,48000,"dynamics,tone"',
        'mixes/a.wav,refs/pop.wav,,out/c.wav,,,',
        '',
      ].join('\n'),
    );
    const batchFlags = ['--eq-mode', 'reference-match', '--loudness-preset', 'spotify', '--bit-depth', '16'];
    const { status, stdout, stderr } = batch(dir, '--manifest', 'manifest.csv', '--concurrency-limit', '1', ...batchFlags);
    assert.is(status, 0, stderr + stdout);
    assertSummary(stdout, 3, 3, 0);
    const out = (name: string) => readFileSync(join(dir, 'out', name));
    assert.ok(Buffer.compare(out('a.wav'), out('b.wav')) === 0, 'the order of an item\'s references changed its master');
    assert.is(readWavInfo(new Uint8Array(out('a.wav'))).sampleRateHz, 48000, 'the row\'s sample_rate');
    assert.is(readWavInfo(new Uint8Array(out('c.wav'))).sampleRateHz, 44100, 'an empty cell keeps the batch\'s (keep)');
    for (const name of ['a.wav', 'c.wav']) {
      const lufs = lufsOf(join(dir, 'out', name));
      assert.ok(Math.abs(lufs + 14) <= 0.5, `${name}: the batch's --loudness-preset spotify (-14 LUFS), measured ${lufs}`);
    }
    const single = runCli(['master', '-t', 'mixes/a.wav', '-r', 'refs/pop.wav', '-r', 'refs/synth.mp3', '-o', 'single.wav', ...batchFlags, '--strength', '30', '--sample-rate', '48000', '--match', 'tone,dynamics'], dir);
    assert.is(single.status, 0, single.stderr);
    assert.ok(Buffer.compare(readFileSync(join(dir, 'single.wav')), out('a.wav')) === 0, 'the batch item differs from master with the merged options');
  });

  test('usage errors exit 2 with one line before anything is mastered', async () => {
    const root = layout(join(scratch.dir, 'usage'), { 'mixes/a.wav': STOCK.popTarget, 'mixes/b.wav': STOCK.popTarget, 'ref.wav': STOCK.popReference });
    writeFileSync(join(root, 'bad-column.csv'), 'target,referense\nmixes/a.wav,ref.wav\n');
    writeFileSync(join(root, 'bad.json'), '{"target": "mixes/a.wav"}');
    writeFileSync(join(root, 'bad-strength.csv'), 'target,reference,strength\nmixes/a.wav,ref.wav,50\nmixes/b.wav,ref.wav,120\n');
    const cases: Array<[string[], RegExp]> = [
      [[], /exactly one of --manifest FILE or --target-pattern GLOB/],
      [['--manifest', 'bad-column.csv', '--target-pattern', '*.wav'], /exactly one of/],
      [['--target-pattern', 'mixes/*.wav'], /--reference-rule single needs --reference FILE/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'nope.wav'], /no such file for --reference: nope\.wav/],
      [['--target-pattern', 'mixes/*.wav', '--reference-rule', 'closest', '--reference', 'ref.wav'], /invalid value 'closest' for --reference-rule \(allowed: single, manifest, match-by-basename, first-in-dir\)/],
      [['--target-pattern', 'mixes/*.wav', '--reference-rule', 'match-by-basename'], /needs --reference-dir DIR/],
      [['--target-pattern', 'mixes/*.wav', '--reference-rule', 'first-in-dir', '--reference-dir', 'mixes/a.wav'], /is not a folder/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--reference-dir', 'mixes'], /--reference-dir is only used by/],
      [['--target-pattern', 'none/*.wav', '--reference', 'ref.wav'], /matches no file/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--naming-template', '{title}.wav'], /unknown field \{title\}/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--naming-template', 'same.wav'], /items 1 \(mixes\/a\.wav\) and 2 \(mixes\/b\.wav\) would both write mastered\/same\.wav/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--naming-template', '{target_stem}.mp3'], /output mastered\/a\.mp3 must end in \.wav/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--output-dir', 'mixes', '--naming-template', '{target_name}'], /is the target of item 1 .*refusing to overwrite an input/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--concurrency-limit', '0'], /invalid value '0' for --concurrency-limit/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--eq-mode', 'loud'], /invalid value 'loud' for --eq-mode \(allowed: fixed, reference-match\)/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--fast'], /unknown option '--fast'/],
      [['--manifest', 'bad-column.csv'], /unknown column 'referense'/],
      [['--manifest', 'bad.json'], /must be an array/],
      [['--manifest', 'absent.csv'], /no such manifest: absent\.csv/],
      [['--manifest', 'bad-strength.csv'], /invalid value '120' for manifest line 3 column strength \(allowed: number in \[0, 100\]\)/],
      [['--manifest', 'bad-strength.csv', '--sample-rate', '11025'], /invalid value '11025' for --sample-rate/],
      [['--target-pattern', 'mixes/*.wav', ...Array.from({ length: 6 }, () => ['--reference', 'ref.wav']).flat()], /--reference was given 6 times; at most 5/],
      [['--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--match', 'everything'], /invalid value 'everything' for --match/],
    ];
    // In-process for speed (the command function is what the binary runs); one case below goes through the real binary.
    const previousCwd = process.cwd();
    process.chdir(root);
    try {
      for (const [args, message] of cases) {
        const { status, stdout, stderr } = await batchInProcess(args);
        assert.is(status, 2, `${args.join(' ')}: ${stderr}`);
        assert.is(stdout, '', args.join(' '));
        assert.is(stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: ${stderr}`);
        assert.match(stderr, /^audo-eq batch-master: /);
        assert.match(stderr, message, args.join(' '));
      }
    } finally {
      process.chdir(previousCwd);
    }
    assert.not.ok(existsSync(join(root, 'mastered')), 'nothing was written');
    const real = batch(root, '--target-pattern', 'mixes/*.wav', '--reference', 'ref.wav', '--naming-template', 'same.wav');
    assert.is(real.status, 2);
    assert.is(real.stdout, '');
    assert.match(real.stderr, /^audo-eq batch-master: items 1 .* would both write mastered\/same\.wav; make the names differ .*\n$/);
    const help = batch(root, '--help');
    assert.is(help.status, 0);
    assert.match(help.stdout, /--naming-template T/);
  });
}

test.run();
