// `audo-eq analyze` run as a real process through bin/audo-eq.mjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { decodeAudio } from '../../core/audio/decode.ts';
import { analyzeAudio } from '../../runtimes/node/cli/commands/analyze.ts';
import { channelWeightsFor, measureLoudness } from '../../core/dsp/loudness.ts';
import { measureLevels } from '../../core/dsp/levels.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.ts';
import { ffmpeg, ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { repoRoot } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

// FORCE_COLOR next to NO_COLOR makes Node print a warning line on stderr; the CLI's own lines are what is tested.
const { FORCE_COLOR: _ignored, ...childEnv } = process.env;

function analyze(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), 'analyze', ...args], {
    cwd: repoRoot,
    env: { ...childEnv, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const JSON_KEYS = ['file', 'durationSeconds', 'sampleRateHz', 'channels', 'integratedLufs', 'loudnessRangeLu', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'crestFactorDb'];

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'analyze CLI')) {
  test('analyze --json prints the measurement JSON, agreeing with ffmpeg on a fixture', () => {
    const file = fixturePath('indie_pop/target.wav');
    const { status, stdout, stderr } = analyze(file, '--json');
    assert.is(status, 0, stderr);
    assert.is(stdout.trim().split('\n').length, 1, 'one JSON line');
    const report = JSON.parse(stdout);
    assert.equal(Object.keys(report), JSON_KEYS);
    assert.is(report.file, file);
    assert.equal([report.durationSeconds, report.sampleRateHz, report.channels], [10, 44100, 2]);
    const reference = ffmpegEbur128(file);
    assert.ok(Math.abs(report.integratedLufs - reference.integratedLufs) <= 0.1, `I ${report.integratedLufs} vs ${reference.integratedLufs}`);
    assert.ok(Math.abs(report.loudnessRangeLu - reference.loudnessRangeLu) <= 0.5, 'LRA');
    assert.ok(Math.abs(report.truePeakDbtp - reference.truePeakDbtp!) <= 0.2, 'TP');
    assert.ok(report.samplePeakDbfs <= report.truePeakDbtp + 1e-9, 'sample peak never above true peak');
    assert.ok(Math.abs(report.crestFactorDb - (report.samplePeakDbfs - report.rmsDbfs)) <= 0.011, 'crest = peak - RMS');
  });

  test('analyze prints one aligned line per measure', () => {
    const { status, stdout } = analyze(fixturePath('synthwave_48k_24bit/target.wav'));
    assert.is(status, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(
      lines.map((line) => line.split(/\s{2,}/)[0]),
      ['file', 'duration', 'sample rate', 'channels', 'integrated', 'loudness range', 'true peak', 'sample peak', 'RMS', 'crest factor'],
    );
    const valueColumn = new Set(lines.map((line) => /^\S+(?: \S+)*\s{2,}/.exec(line)![0].length));
    assert.is(valueColumn.size, 1, 'values start in one column');
    assert.match(stdout, /integrated\s+-20\.0\d LUFS/);
    assert.match(stdout, /sample rate\s+48000 Hz/);
  });

  test('analyze reads FLAC and MP3 as well, and FLAC measures like its WAV', () => {
    const wav = JSON.parse(analyze(fixturePath('indie_pop/target.wav'), '--json').stdout);
    const flac = JSON.parse(analyze(fixturePath('indie_pop/target.flac'), '--json').stdout);
    assert.equal({ ...flac, file: '' }, { ...wav, file: '' });
    const mp3 = analyze(fixturePath('indie_pop/reference.mp3'), '--json');
    assert.is(mp3.status, 0, mp3.stderr);
    assert.ok(Math.abs(JSON.parse(mp3.stdout).integratedLufs + 10) < 0.5);
  });

  test('digital silence prints null for every level, never NaN or -Infinity', () => {
    const { status, stdout } = analyze(fixturePath('malformed/silence.wav'), '--json');
    assert.is(status, 0);
    assert.not.match(stdout, /NaN|Infinity/);
    const report = JSON.parse(stdout);
    for (const key of ['integratedLufs', 'loudnessRangeLu', 'truePeakDbtp', 'samplePeakDbfs', 'rmsDbfs', 'crestFactorDb']) assert.is(report[key], null, key);
    assert.match(analyze(fixturePath('malformed/silence.wav')).stdout, /integrated\s+-inf LUFS/);
  });

  test('a file shorter than 400 ms has no integrated loudness but still its peaks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-analyze-'));
    try {
      const file = join(dir, 'short.wav');
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=0.3', '-c:a', 'pcm_s16le', file]);
      const { status, stdout } = analyze(file, '--json');
      assert.is(status, 0);
      const report = JSON.parse(stdout);
      assert.is(report.integratedLufs, null);
      assert.is(report.loudnessRangeLu, null);
      assert.ok(report.truePeakDbtp > -20 && report.samplePeakDbfs > -20);
      assert.match(analyze(file).stdout, /integrated\s+n\/a/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors exit 2 with one clear line', () => {
    for (const args of [[], ['a.wav', 'b.wav'], ['--loud', fixturePath('indie_pop/target.wav')], [join(repoRoot, 'no-such-file.wav')]]) {
      const { status, stdout, stderr } = analyze(...args);
      assert.is(status, 2, `args ${args.join(' ')}`);
      assert.is(stdout, '');
      assert.is(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^audo-eq analyze: /);
    }
    const help = analyze('--help');
    assert.is(help.status, 0);
    assert.match(help.stdout, /usage: audo-eq analyze FILE \[--json\]/);
  });

  test('audio that cannot be accepted exits 1 with one line naming the error code', () => {
    const expectations: Array<[string, RegExp]> = [
      ['malformed/empty.wav', /empty_file/],
      ['malformed/nan_float.wav', /corrupted_file/],
      ['malformed/text_as.flac', /unsupported_container/],
      ['malformed/adpcm_format2.wav', /unsupported_codec/],
      ['malformed/truncated_header.wav', /corrupted_file/],
    ];
    for (const [fixture, code] of expectations) {
      const { status, stdout, stderr } = analyze(fixturePath(fixture), '--json');
      assert.is(status, 1, fixture);
      assert.is(stdout, '');
      assert.is(stderr.trim().split('\n').length, 1, `${fixture}: ${stderr}`);
      assert.match(stderr, code);
    }
  });

  test('a WAV is measured as it is read in blocks: the very figures of the whole decoded file, stereo, 5.1 and float, several blocks long; a NaN deep inside still fails as corrupted_file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-analyze-'));
    try {
      const music = 'aevalsrc=0.5*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.2*(random(0)-0.5):s=48000:d=4.3';
      const made = ([['pcm_s24le', 2], ['pcm_s24le', 6, '5.1'], ['pcm_f32le', 2]] as const).map(([codec, channels, layout]) => {
        const path = join(dir, `${codec}-${channels}.wav`);
        ffmpeg(['-f', 'lavfi', '-i', music, '-ac', String(channels), ...(layout ? ['-channel_layout', layout] : []), '-c:a', codec, path]);
        return path;
      });
      for (const file of [fixturePath('indie_pop/target.wav'), ...made]) {
        const { status, stdout, stderr } = analyze(file, '--json');
        assert.is(status, 0, stderr);
        // The whole decoded file through the whole-buffer meters.
        const audio = await decodeAudio(new Uint8Array(readFileSync(file)), { filename: file, keepChannels: true });
        const loudness = measureLoudness(audio, undefined, channelWeightsFor(audio.channels.length, audio.channelMask));
        const levels = measureLevels(audio);
        const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
        const report = JSON.parse(stdout);
        assert.equal(
          [report.channels, report.integratedLufs, report.loudnessRangeLu, report.truePeakDbtp, report.samplePeakDbfs, report.rmsDbfs, report.crestFactorDb],
          [audio.channels.length, ...[loudness.integratedLufs, loudness.loudnessRangeLu, loudness.truePeakDbtp, levels.samplePeakDbfs, levels.rmsDbfs, levels.crestFactorDb].map(round2)],
          file,
        );
        // And the same report from the audio in memory.
        assert.equal(analyzeAudio(file, audio), report);
      }
      // A NaN sample three blocks in: found when its block is read.
      const float = readFileSync(made[2]);
      const dataAt = float.indexOf('data') + 8;
      float.writeFloatLE(Number.NaN, dataAt + (3 * 65536 + 5) * 8);
      const poisoned = join(dir, 'nan-inside.wav');
      writeFileSync(poisoned, float);
      const { status, stdout, stderr } = analyze(poisoned, '--json');
      assert.is(status, 1);
      assert.is(stdout, '');
      assert.match(stderr, /^audo-eq analyze: corrupted_file: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
