// Surround files are measured on their own channels with BS.1770 weights
// (surrounds +1.5 dB, LFE left out), by `audo-eq analyze`, `POST /analyze` and
// the mastering analysis; only the mastered output is folded to stereo. EBU
// Tech 3341 case 6 (5.0: L, R −28; C −24; Ls, Rs −30 dBFS) reads −23.0 LUFS;
// folded to stereo first, it would read about −19.4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { SPEAKER } from '../../core/audio/wav-format.ts';
import { scratchDir } from '../cli/workspace.ts';
import { perChannelTone } from '../support/ebu-signals.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { fixturePath } from '../support/fixtures.ts';
import { postMaster, readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, repoRoot, startServer, type RunningServer } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

const CASE_6_DBFS = [-28, -28, -24, -30, -30];
const S = SPEAKER;
const scratch = scratchDir('surround');

/** A 24-bit WAVE_FORMAT_EXTENSIBLE file of `audio` whose speaker mask is `channelMask`. */
function extensibleWav(audio: PcmAudio, channelMask: number): Uint8Array {
  const wav = encodeWav(audio, { bitDepth: 24 });
  // encodeWav writes the standard mask for the count into dwChannelMask (fmt offset 20, file offset 40); a test layout replaces it.
  new DataView(wav.buffer, wav.byteOffset, wav.byteLength).setUint32(40, channelMask, true);
  return wav;
}

function writeWav(name: string, bytes: Uint8Array): string {
  const path = join(scratch.dir, name);
  writeFileSync(path, bytes);
  return path;
}

const within = (value: number | null, expected: number, tolerance: number, what: string) =>
  assert.ok(value !== null && Math.abs(value - expected) <= tolerance, `${what}: ${value} vs ${expected} ± ${tolerance}`);

/**
 * `audo-eq analyze FILE --json` as a process, without blocking this test's
 * event loop (a blocked loop lets fetch reuse a keep-alive socket the server
 * has meanwhile closed).
 */
function analyzeWithCli(path: string): Promise<Record<string, unknown>> {
  const { FORCE_COLOR: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/audo-eq.mjs', 'analyze', path, '--json'], { cwd: repoRoot, env: { ...env, NO_COLOR: '1' }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`audo-eq analyze ${path}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** The CLI's and the API's reading of one file: integrated loudness and channel count. */
async function readings(server: RunningServer, path: string, bytes: Uint8Array) {
  const fromCli = await analyzeWithCli(path);
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'surround.wav');
  const response = await fetch(`${server.baseUrl}/analyze`, { method: 'POST', body: form });
  assert.is(response.status, 200, await response.clone().text());
  const fromApi = await response.json();
  return { cli: { lufs: fromCli.integratedLufs as number, channels: fromCli.channels as number }, api: { lufs: fromApi.integrated_lufs as number, channels: fromApi.channels as number } };
}

if (requireTool('ffmpeg', hasTool('ffmpeg') && hasTool('ffprobe'), 'surround measurement')) {
  let server: RunningServer;
  const case6 = perChannelTone(48000, 20, CASE_6_DBFS);
  // The standard 5.0 order (FLAC's and WAV's default for five channels): L R C Ls Rs with back surrounds.
  const standardBytes = extensibleWav(case6, S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.BACK_LEFT | S.BACK_RIGHT);
  const standard = writeWav('case6.wav', standardBytes);

  test.before(async () => {
    const [command, args] = nodeServerCommand();
    server = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_WORKERS: '1' });
  });
  test.after(async () => {
    await server?.stop();
    scratch.remove();
  });

  test('EBU Tech 3341 case 6 (5.0) reads -23.0 LUFS and 5 channels through analyze and POST /analyze, as ffmpeg reads it', async () => {
    const { cli, api } = await readings(server, standard, standardBytes);
    within(cli.lufs, -23, 0.1, 'audo-eq analyze');
    within(api.lufs, -23, 0.1, 'POST /analyze');
    assert.equal([cli.channels, api.channels], [5, 5]);
    within(ffmpegEbur128(standard).integratedLufs, -23, 0.1, 'ffmpeg, the independent meter');
  });

  test('side surrounds named by the channel mask count as surrounds too', async () => {
    const bytes = extensibleWav(case6, S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.SIDE_LEFT | S.SIDE_RIGHT);
    const { cli, api } = await readings(server, writeWav('case6-sides.wav', bytes), bytes);
    within(cli.lufs, -23, 0.1, 'audo-eq analyze');
    within(api.lufs, -23, 0.1, 'POST /analyze');
  });

  test('the LFE channel is left out, and the mask decides which channel it is', async () => {
    // Case 6 plus a loud LFE in the standard 5.1 order (L R C LFE Ls Rs): still -23.0.
    const [left, right, centre, leftSurround, rightSurround] = case6.channels;
    const loudLow = perChannelTone(48000, 20, [-10]).channels[0];
    const withLfe: PcmAudio = { sampleRateHz: 48000, channels: [left, right, centre, loudLow, leftSurround, rightSurround] };
    const fiveOneBytes = extensibleWav(withLfe, S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.LOW_FREQUENCY | S.BACK_LEFT | S.BACK_RIGHT);
    const fiveOne = await readings(server, writeWav('case6-lfe.wav', fiveOneBytes), fiveOneBytes);
    within(fiveOne.cli.lufs, -23, 0.1, 'analyze, 5.1');
    within(fiveOne.api.lufs, -23, 0.1, '/analyze, 5.1');
    assert.equal([fiveOne.cli.channels, fiveOne.api.channels], [6, 6]);
    // The same samples declared as L R C Cs Ls Rs: the fourth channel is now a surround and counts.
    const sixOneBytes = extensibleWav(withLfe, S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.BACK_CENTER | S.SIDE_LEFT | S.SIDE_RIGHT);
    const sixOne = await readings(server, writeWav('case6-back-centre.wav', sixOneBytes), sixOneBytes);
    assert.ok(sixOne.cli.lufs > -13, `a -10 dBFS back centre dominates: ${sixOne.cli.lufs}`);
    within(sixOne.api.lufs, sixOne.cli.lufs, 0.01, 'the API reads the mask as the CLI does');
  });

  test('a 5.0 reference sets the goal at its own loudness: the stereo master reaches -23 LUFS, not the fold’s -19.4', async () => {
    const response = await postMaster(server.baseUrl, fixturePath('indie_pop/target.wav'), standardBytes, { filenames: { reference: 'case6.wav' } });
    assert.is(response.status, 200, await response.clone().text());
    const diagnostics = JSON.parse(response.headers.get('x-mastering-diagnostics')!);
    within(diagnostics.reference_lufs, -23, 0.1, 'reference_lufs');
    const output = writeWav('mastered.wav', new Uint8Array(await response.arrayBuffer()));
    within(ffmpegEbur128(output).integratedLufs, -23, 0.5, 'output loudness (ffmpeg)');
  });

  test('a 5.0 target is mastered to a stereo output', async () => {
    const response = await postMaster(server.baseUrl, standardBytes, fixturePath('indie_pop/reference.wav'), { filenames: { target: 'case6.wav' } });
    assert.is(response.status, 200, await response.clone().text());
    const info = readWavInfo(new Uint8Array(await response.arrayBuffer()));
    assert.equal([info.channels, info.sampleRateHz], [2, 48000]);
  });
}

test.run();
