// The matching controls on `audo-eq master`, run as a real process: every
// flag reaches the job (the report echoes it, ffmpeg measures the ceiling and
// the output rate), the bytes equal `POST /master` with the same query and
// references, several `-r` give one master whatever their order, and a bad
// value or a sixth `-r` is one usage line, exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { MASTERING_FLAG_SPECS } from '../../runtimes/node/cli/mastering-flags.ts';
import { repoRoot } from '../support/processes.ts';
import { join } from 'node:path';
import { createHandler } from '../../mod.ts';
import { runMasterCommand } from '../../runtimes/node/cli/commands/master.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { fixturePath } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { hasTool, requireTool } from '../support/tools.ts';
import { cutFixture, runCli, scratchDir } from './workspace.ts';

const scratch = scratchDir('master-controls');
const master = (...args: string[]) => runCli(['master', ...args], scratch.dir);
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(scratch.dir, name)));
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

test('the README documents every mastering flag of the CLI, -r repeated and the manifest option columns', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## How the mastering works'));
  for (const flag of Object.keys(MASTERING_FLAG_SPECS)) assert.ok(section.includes(`\`--${flag}`), `README's Command line section documents --${flag}`);
  assert.match(section, /-r REFERENCE \[-r REFERENCE …\]/);
  assert.match(section, /`target,reference,reference`/);
});

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'master CLI controls')) {
  test.before(() => {
    cutFixture('indie_pop/target.wav', join(scratch.dir, 'mix.wav'));
    cutFixture('indie_pop/reference.wav', join(scratch.dir, 'pop.wav'));
    cutFixture('synthwave_48k_24bit/reference.wav', join(scratch.dir, 'synth.wav'));
  });
  test.after(() => scratch.remove());

  test('every control flag reaches the master: the report echoes it, ffmpeg measures it, and the bytes equal POST /master', async () => {
    const flags = ['--eq-mode', 'reference-match', '--strength', '40', '--match', 'width,tone', '--loudness-preset', 'podcast', '--ceiling-dbtp', '-2', '--sample-rate', '48000', '--bit-depth', '16'];
    const { status, stderr } = master('-t', 'mix.wav', '-r', 'pop.wav', '-r', 'synth.wav', '-o', 'controls.wav', '--report-json', 'controls.json', ...flags);
    assert.is(status, 0, stderr);
    const report = JSON.parse(readFileSync(join(scratch.dir, 'controls.json'), 'utf8'));
    assert.is(report.strength, 40);
    assert.equal(report.match, ['tone', 'width']);
    assert.is(report.references, 2);
    assert.is(report.loudness_goal_lufs, -16);
    assert.is(report.limiter.true_peak_ceiling_dbtp, -2);
    assert.is(report.output_sample_rate_hz, 48000);
    assert.is(report.preview, null);
    assert.is(report.dynamics.matched, false, 'dynamics left out of --match');
    const info = readWavInfo(bytesOf('controls.wav'));
    assert.equal([info.sampleRateHz, info.bitsPerSample], [48000, 16]);
    const measured = ffmpegEbur128(join(scratch.dir, 'controls.wav'));
    assert.ok(measured.truePeakDbtp !== null && measured.truePeakDbtp <= -2.0 + 0.05, `true peak ${measured.truePeakDbtp} over the -2 dBTP ceiling`);
    assert.ok(Math.abs(measured.integratedLufs + 16) <= 0.5, `podcast goal -16 LUFS, measured ${measured.integratedLufs}`);

    const form = new FormData();
    form.append('target', new Blob([bytesOf('mix.wav')]), 'mix.wav');
    form.append('reference', new Blob([bytesOf('pop.wav')]), 'pop.wav');
    form.append('reference', new Blob([bytesOf('synth.wav')]), 'synth.wav');
    const query = 'eq_mode=reference-match&strength=40&match=width,tone&loudness_preset=podcast&ceiling_dbtp=-2&sample_rate=48000&bit_depth=16';
    const response = await createHandler()(new Request(`http://localhost/master?${query}`, { method: 'POST', body: form }));
    assert.is(response.status, 200);
    assert.ok(sameBytes(new Uint8Array(await response.arrayBuffer()), bytesOf('controls.wav')), 'CLI and API differ');
  });

  test('several -r give one master whatever their order; --preview renders the preview the API gives', () => {
    const first = master('-t', 'mix.wav', '-r', 'pop.wav', '-r', 'synth.wav', '-o', 'ab.wav', '--eq-mode', 'reference-match');
    const second = master('-t', 'mix.wav', '-r', 'synth.wav', '-r', 'pop.wav', '-o', 'ba.wav', '--eq-mode', 'reference-match');
    const single = master('-t', 'mix.wav', '-r', 'pop.wav', '-o', 'a.wav', '--eq-mode', 'reference-match');
    assert.equal([first.status, second.status, single.status], [0, 0, 0], first.stderr + second.stderr + single.stderr);
    assert.ok(sameBytes(bytesOf('ab.wav'), bytesOf('ba.wav')), 'the order of -r changed the master');
    assert.not.ok(sameBytes(bytesOf('ab.wav'), bytesOf('a.wav')), 'the second -r was ignored');
    const preview = master('-t', 'mix.wav', '-r', 'pop.wav', '-o', 'preview.wav', '--preview', '--report-json', 'preview.json');
    assert.is(preview.status, 0, preview.stderr);
    const report = JSON.parse(readFileSync(join(scratch.dir, 'preview.json'), 'utf8'));
    assert.ok(report.preview && typeof report.preview.start_s === 'number' && report.preview.duration_s > 0, JSON.stringify(report.preview));
  });

  test('a reference among several that cannot be read is named by its own path, exit 1, nothing written', () => {
    const { status, stdout, stderr } = master('-t', 'mix.wav', '-r', 'pop.wav', '-r', fixturePath('malformed/truncated.wav'), '-o', 'never.wav');
    assert.is(status, 1, stderr);
    assert.is(stdout, '');
    assert.match(stderr, /^audo-eq master: corrupted_file: reference .*malformed\/truncated\.wav: .*\(correlation_id=[0-9a-f-]{36}\)\n$/);
    assert.not.ok(existsSync(join(scratch.dir, 'never.wav')));
  });

  test('a bad control value, a valued switch or a sixth -r is one usage line and exit 2', async () => {
    const base = ['-t', 'mix.wav', '-r', 'pop.wav', '-o', 'x.wav'];
    const cases: Array<[string[], RegExp]> = [
      [[...base, '--strength', '150'], /invalid value '150' for --strength \(allowed: number in \[0, 100\]\)/],
      [[...base, '--strength', 'max'], /invalid value 'max' for --strength/],
      [[...base, '--match', 'tone,loud'], /invalid value 'tone,loud' for --match \(allowed: comma list of loudness, tone, dynamics, width, none\)/],
      [[...base, '--loudness-preset', 'radio'], /invalid value 'radio' for --loudness-preset \(allowed: spotify, apple-music/],
      [[...base, '--ceiling-dbtp', '-0.05'], /invalid value '-0.05' for --ceiling-dbtp \(allowed: number in \[-3, -0.1\]\)/],
      [[...base, '--sample-rate', '22050'], /invalid value '22050' for --sample-rate \(allowed: keep, 44100, 48000, 88200, 96000\)/],
      [[...base, '--preview=yes'], /option --preview takes no value/],
      [['-t', 'mix.wav', ...Array.from({ length: 6 }, () => ['-r', 'pop.wav']).flat(), '-o', 'x.wav'], /-r\/--reference was given 6 times; at most 5 references are matched/],
      [['-t', 'mix.wav', '-r', 'pop.wav', '-r', 'absent.wav', '-o', 'x.wav'], /no such file for -r\/--reference: absent\.wav/],
      [['-t', 'mix.wav', '-r', 'pop.wav', '-r', 'synth.wav', '-o', 'synth.wav'], /output synth\.wav is the reference 2 itself/],
    ];
    const previousCwd = process.cwd();
    process.chdir(scratch.dir);
    try {
      for (const [args, message] of cases) {
        const lines: string[] = [];
        const status = await runMasterCommand(args, { stdout: (line) => lines.push(`stdout: ${line}`), stderr: (line) => lines.push(line) });
        assert.is(status, 2, `${args.join(' ')}: ${lines.join(' | ')}`);
        assert.is(lines.length, 1, lines.join(' | '));
        assert.match(lines[0], message, args.join(' '));
      }
    } finally {
      process.chdir(previousCwd);
    }
    const real = master(...base, '--strength', '150');
    assert.is(real.status, 2);
    assert.match(real.stderr, /^audo-eq master: invalid value '150' for --strength/);
    const help = master('--help');
    for (const flag of ['--strength', '--match', '--loudness-preset', '--ceiling-dbtp', '--sample-rate', '--preview', '-r, --reference']) assert.ok(help.stdout.includes(flag), `--help lists ${flag}`);
  });
}

test.run();
