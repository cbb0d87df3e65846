// `audo-eq master` run as a real process: output and report, the same bytes
// as `POST /master`, options, and its error lines and exit codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHandler } from '../../mod.ts';
import { runMasterCommand } from '../../runtimes/node/cli/commands/master.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { fixturePath } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { hasTool, requireTool } from '../support/tools.ts';
import { UUID, cutFixture, runCli, scratchDir } from './workspace.ts';

const scratch = scratchDir('master');
const target = join(scratch.dir, 'mix.wav');
const reference = join(scratch.dir, 'reference.wav');
const monoTarget = join(scratch.dir, 'speech.flac');

const master = (...args: string[]) => runCli(['master', ...args], scratch.dir);

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'master CLI')) {
  test.before(() => {
    cutFixture('indie_pop/target.wav', target);
    cutFixture('indie_pop/reference.wav', reference);
    cutFixture('speech_mono_target/target.wav', monoTarget);
  });
  test.after(() => scratch.remove());

  test('master writes the WAV, creating its folder, prints the output path and correlation id, and --report-json holds the diagnostics', () => {
    const { status, stdout, stderr } = master('-t', 'mix.wav', '-r', 'reference.wav', '-o', 'out/new/mastered.wav', '--report-json', 'reports/mix.json');
    assert.is(status, 0, stderr);
    assert.is(stderr, '');
    const lines = stdout.trimEnd().split('\n');
    assert.is(lines.length, 2, stdout);
    assert.is(lines[0], 'out/new/mastered.wav');
    assert.match(lines[1], /^correlation_id=/);
    assert.match(lines[1].slice('correlation_id='.length), UUID);

    const output = join(scratch.dir, 'out/new/mastered.wav');
    const info = readWavInfo(new Uint8Array(readFileSync(output)));
    assert.equal([info.sampleRateHz, info.channels, info.bitsPerSample], [44100, 2, 24]);
    const measured = ffmpegEbur128(output);
    const referenceLufs = ffmpegEbur128(reference).integratedLufs;
    assert.ok(Math.abs(measured.integratedLufs - referenceLufs) <= 0.5, `output ${measured.integratedLufs} LUFS vs reference ${referenceLufs}`);

    const reportText = readFileSync(join(scratch.dir, 'reports/mix.json'), 'utf8');
    assert.ok(reportText.split('\n').length > 20, 'pretty-printed');
    const report = JSON.parse(reportText);
    for (const key of ['input_lufs', 'reference_lufs', 'output_lufs', 'output_true_peak_dbtp', 'strategy', 'profile', 'chain', 'limiter', 'stage_ms']) {
      assert.ok(key in report, `report has ${key}`);
    }
    assert.ok(Math.abs(report.output_lufs - measured.integratedLufs) <= 0.2, `report ${report.output_lufs} vs ffmpeg ${measured.integratedLufs}`);
    assert.is(report.chain.eq_mode, 'fixed');
  });

  test('master produces the same bytes as POST /master for the same files and options', async () => {
    const { status, stderr } = master('-t', 'speech.flac', '-r', 'reference.wav', '-o', 'same.wav', '--eq-mode', 'Reference-Match', '--bit-depth', '16', '--target-lufs', '-16', '--eq-preset', 'vocal-presence');
    assert.is(status, 0, stderr);
    const form = new FormData();
    form.append('target', new Blob([readFileSync(monoTarget)]), 'speech.flac');
    form.append('reference', new Blob([readFileSync(reference)]), 'reference.wav');
    const query = 'eq_mode=reference-match&bit_depth=16&target_lufs=-16&eq_preset=vocal-presence';
    const response = await createHandler()(new Request(`http://localhost/master?${query}`, { method: 'POST', body: form }));
    assert.is(response.status, 200);
    const fromApi = new Uint8Array(await response.arrayBuffer());
    const fromCli = new Uint8Array(readFileSync(join(scratch.dir, 'same.wav')));
    assert.is(fromCli.byteLength, fromApi.byteLength);
    assert.ok(Buffer.compare(fromCli, fromApi) === 0, 'byte-identical');
    const info = readWavInfo(fromCli);
    assert.equal([info.channels, info.bitsPerSample], [1, 16], 'mono stays mono; --bit-depth 16');
    assert.ok(Math.abs(ffmpegEbur128(join(scratch.dir, 'same.wav')).integratedLufs + 16) <= 0.5, '--target-lufs -16 is the goal');
  });

  test('audio that cannot be mastered exits 1 with one line naming the code and the file, and writes nothing', () => {
    const cases: Array<[string[], RegExp]> = [
      [['-t', fixturePath('malformed/truncated_header.wav'), '-r', 'reference.wav'], /^audo-eq master: corrupted_file: target .*truncated_header\.wav: /],
      [['-t', 'mix.wav', '-r', fixturePath('malformed/text_as.flac')], /^audo-eq master: unsupported_container: reference .*text_as\.flac: /],
      [['-t', 'mix.wav', '-r', fixturePath('malformed/empty.wav')], /^audo-eq master: empty_file: reference .*empty\.wav: /],
    ];
    for (const [args, line] of cases) {
      const { status, stdout, stderr } = master(...args, '-o', 'never.wav');
      assert.is(status, 1, stderr);
      assert.is(stdout, '');
      assert.is(stderr.trimEnd().split('\n').length, 1, stderr);
      assert.match(stderr, line);
      assert.match(stderr, /\(correlation_id=[0-9a-f-]{36}\)\n$/);
    }
    writeFileSync(join(scratch.dir, 'blocker'), 'a file where a folder is needed');
    const unwritable = master('-t', 'mix.wav', '-r', 'reference.wav', '-o', 'blocker/out.wav');
    assert.is(unwritable.status, 1);
    assert.match(unwritable.stderr, /^audo-eq master: output_not_writable: output blocker\/out\.wav: cannot be written/);
    assert.not.ok(existsSync(join(scratch.dir, 'never.wav')));
    assert.not.ok(readdirSync(scratch.dir).some((name) => name.includes('.partial')), 'no temporary file left behind');
  });

  test('usage errors exit 2 with one line, and an input is never overwritten', async () => {
    copyFileSync(target, join(scratch.dir, 'keep.wav'));
    const before = readFileSync(join(scratch.dir, 'keep.wav'));
    const cases: Array<[string[], RegExp]> = [
      [['-r', 'reference.wav', '-o', 'x.wav'], /missing required option -t\/--target/],
      [['-t', 'mix.wav', '-r', 'reference.wav'], /missing required option -o\/--output/],
      [['-t', 'nope.wav', '-r', 'reference.wav', '-o', 'x.wav'], /no such file for -t\/--target: nope\.wav/],
      [['-t', 'keep.wav', '-r', 'reference.wav', '-o', 'keep.wav'], /output keep\.wav is the target itself; refusing to overwrite an input/],
      [['-t', 'mix.wav', '-r', 'keep.wav', '-o', './keep.wav'], /output \.\/keep\.wav is the reference itself/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.mp3'], /output x\.mp3 must end in \.wav/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--eq-mode', 'loud'], /invalid value 'loud' for --eq-mode \(allowed: fixed, reference-match\)/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--target-lufs', '-3'], /invalid value '-3' for --target-lufs \(allowed: number in \[-30, -5\]\)/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--bit-depth', '20'], /invalid value '20' for --bit-depth \(allowed: 16, 24, 32\)/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--profile', 'loudest'], /--profile \(allowed: default, conservative, aggressive, reference-mastering-default/],
      [['-t', 'mix.wav', '-t', 'other.wav', '-r', 'reference.wav', '-o', 'x.wav'], /option --target was given more than once/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--loud'], /unknown option '--loud'/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', 'extra'], /unexpected argument 'extra'/],
      [['-t', 'mix.wav', '-r', 'reference.wav', '-o', 'x.wav', '--report-json', 'mix.wav'], /--report-json mix\.wav names the same file as mix\.wav/],
    ];
    // In-process for speed (the command function is what the binary runs); the real binary's exit 2 is checked after.
    const previousCwd = process.cwd();
    process.chdir(scratch.dir);
    try {
      for (const [args, message] of cases) {
        const lines = { stdout: [] as string[], stderr: [] as string[] };
        const status = await runMasterCommand(args, { stdout: (line) => lines.stdout.push(line), stderr: (line) => lines.stderr.push(line) });
        assert.is(status, 2, `${args.join(' ')}: ${lines.stderr}`);
        assert.equal(lines.stdout, []);
        assert.is(lines.stderr.length, 1);
        assert.not.match(lines.stderr[0], /\n/);
        assert.match(lines.stderr[0], /^audo-eq master: /);
        assert.match(lines.stderr[0], message, args.join(' '));
      }
    } finally {
      process.chdir(previousCwd);
    }
    const real = master('-t', 'keep.wav', '-r', 'reference.wav', '-o', 'keep.wav');
    assert.is(real.status, 2);
    assert.is(real.stdout, '');
    assert.match(real.stderr, /^audo-eq master: output keep\.wav is the target itself; refusing to overwrite an input \(see audo-eq master --help\)\n$/);
    assert.ok(Buffer.compare(readFileSync(join(scratch.dir, 'keep.wav')), before) === 0, 'keep.wav untouched');
    assert.not.ok(existsSync(join(scratch.dir, 'x.wav')));
    const help = master('--help');
    assert.is(help.status, 0);
    assert.match(help.stdout, /^usage: audo-eq master -t TARGET -r REFERENCE \[-r REFERENCE …\] -o OUTPUT/);
  });
}

test.run();
