// Local files have no upload byte limit: `audo-eq master` and `analyze` read a
// 10-minute 24-bit 44.1 kHz stereo WAV (159 MB), and the duration limit is what
// applies: `--max-duration`, else AUDO_EQ_MAX_DURATION_SECONDS, else 3600 s.
// The file is made at test time and removed after.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { wavLayout } from '../../core/audio/wav-encode.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { localIngestPolicy } from '../../runtimes/node/cli/local-ingest.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { fixturePath } from '../support/fixtures.ts';
import { hasTool, requireTool } from '../support/tools.ts';
import { cutFixture, runCli, scratchDir } from './workspace.ts';

const LONG_SECONDS = 600;
const scratch = scratchDir('long-input');
const long = join(scratch.dir, 'ten-minutes.wav');
const reference = join(scratch.dir, 'reference.wav');

/** Channels, sample rate and bits per sample from a WAV's fmt chunk (the first chunk in the files here). */
function wavFormat(path: string): { channels: number; sampleRateHz: number; bitsPerSample: number } {
  const header = new Uint8Array(36);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const view = new DataView(header.buffer);
  assert.is(String.fromCharCode(...header.subarray(12, 16)), 'fmt ');
  return { channels: view.getUint16(22, true), sampleRateHz: view.getUint32(24, true), bitsPerSample: view.getUint16(34, true) };
}

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'long input CLI')) {
  test.before(() => {
    // A 10 s fixture looped to 10 minutes, as 24-bit PCM: 600 × 44100 × 2 × 3 bytes of samples.
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', fixturePath('indie_pop/target.wav'), '-t', String(LONG_SECONDS), '-c:a', 'pcm_s24le', long]);
    if (made.status !== 0) throw new Error(`ffmpeg could not make the long file: ${made.stderr}`);
    cutFixture('indie_pop/reference.wav', reference, 10);
  });
  test.after(() => scratch.remove());

  test('the 10-minute 24-bit stereo WAV is what it claims; local files have no byte limit', () => {
    const { size } = statSync(long);
    assert.ok(size > LONG_SECONDS * 44100 * 2 * 3, `${size} bytes`);
    assert.equal(wavFormat(long), { channels: 2, sampleRateHz: 44100, bitsPerSample: 24 });
    assert.is(localIngestPolicy().maxFileBytes, Number.POSITIVE_INFINITY);
    assert.is(localIngestPolicy().maxDurationSeconds, DEFAULT_INGEST_POLICY.maxDurationSeconds);
  });

  test('master masters a 10-minute 24-bit 44.1 kHz stereo WAV to the reference loudness', () => {
    const { status, stdout, stderr } = runCli(['master', '-t', 'ten-minutes.wav', '-r', 'reference.wav', '-o', 'mastered.wav'], scratch.dir);
    assert.is(status, 0, stderr);
    assert.is(stdout.trimEnd().split('\n')[0], 'mastered.wav');
    const output = join(scratch.dir, 'mastered.wav');
    assert.equal(wavFormat(output), { channels: 2, sampleRateHz: 44100, bitsPerSample: 24 });
    assert.is(statSync(output).size, wavLayout(LONG_SECONDS * 44100, 2, 24).totalBytes, 'all 10 minutes written');
    const measured = ffmpegEbur128(output);
    const referenceLufs = ffmpegEbur128(reference).integratedLufs;
    assert.ok(Math.abs(measured.integratedLufs - referenceLufs) <= 0.5, `output ${measured.integratedLufs} LUFS vs reference ${referenceLufs}`);
  });

  test('analyze measures the 10-minute file', () => {
    const { status, stdout, stderr } = runCli(['analyze', 'ten-minutes.wav', '--json'], scratch.dir);
    assert.is(status, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal([report.durationSeconds, report.sampleRateHz, report.channels], [LONG_SECONDS, 44100, 2]);
  });

  test('--max-duration (or AUDO_EQ_MAX_DURATION_SECONDS) is the limit local files meet: below their length they are refused as duration_too_long', () => {
    const mastered = runCli(['master', '-t', 'ten-minutes.wav', '-r', 'reference.wav', '-o', 'short-limit.wav', '--max-duration', '300'], scratch.dir);
    assert.is(mastered.status, 1);
    assert.match(mastered.stderr, /^audo-eq master: duration_too_long: target ten-minutes\.wav: The audio lasts 600\.0 s; the limit is 300 s\./);
    assert.not.ok(existsSync(join(scratch.dir, 'short-limit.wav')));
    const analyzed = runCli(['analyze', 'ten-minutes.wav', '--max-duration', '300'], scratch.dir);
    assert.is(analyzed.status, 1);
    assert.match(analyzed.stderr, /^audo-eq analyze: duration_too_long: /);
    // The setting: the same limit without the flag; the flag wins over it; a bad value names the variable.
    const fromEnv = runCli(['analyze', 'ten-minutes.wav'], scratch.dir, { AUDO_EQ_MAX_DURATION_SECONDS: '300' });
    assert.is(fromEnv.status, 1);
    assert.match(fromEnv.stderr, /^audo-eq analyze: duration_too_long: .*the limit is 300 s\./);
    const flagWins = runCli(['analyze', 'ten-minutes.wav', '--json', '--max-duration', '700'], scratch.dir, { AUDO_EQ_MAX_DURATION_SECONDS: '300' });
    assert.is(flagWins.status, 0, flagWins.stderr);
    const badEnv = runCli(['analyze', 'ten-minutes.wav'], scratch.dir, { AUDO_EQ_MAX_DURATION_SECONDS: 'an hour' });
    assert.is(badEnv.status, 2);
    assert.match(badEnv.stderr, /AUDO_EQ_MAX_DURATION_SECONDS/);
    for (const bad of ['0', '-5', 'ten', '']) {
      const usage = runCli(['analyze', 'ten-minutes.wav', `--max-duration=${bad}`], scratch.dir);
      assert.is(usage.status, 2, `--max-duration=${bad}`);
      assert.is(usage.stderr.trimEnd().split('\n').length, 1);
    }
  });
}

test.run();
