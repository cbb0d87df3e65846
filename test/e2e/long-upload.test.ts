// The API's default limits take an ordinary long song: a 20-minute 24-bit
// 48 kHz stereo WAV (345.6 MB, made at test time and removed after) is
// uploaded with curl to a Node server on its defaults and mastered. While it
// arrives it waits in a temporary file (the spool), which is gone afterwards,
// and the server's peak resident memory (VmHWM) stays under the bound the
// README states: 2 GiB (measured about 1.5 GiB; 1.8 GiB without the spool).
// eq_mode=fixed keeps the CPU cost down on shared machines; the limits are
// what is tested, not the matching.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../core/domain/limits.ts';
import { fixturePath } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { memoryMiB } from '../support/load.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

const SECONDS = 20 * 60;
const SAMPLE_RATE_HZ = 48_000;
/** The stated bound on the server's peak resident memory for this upload. */
const PEAK_RSS_BOUND_MIB = 2048;

interface CurlResult {
  readonly code: number;
  readonly stderr: string;
}

/** curl, asynchronously (this process watches the spool while it runs). */
function curl(args: string[], cwd: string): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', args, { cwd, maxBuffer: 1 << 20 }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stderr }));
  });
}

if (requireTool('ffmpeg and curl', hasTool('ffmpeg') && hasTool('curl', ['--version']), 'long upload')) {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-long-upload-'));
  const spoolDir = join(dir, 'spool');
  test.before(() => {
    mkdirSync(spoolDir);
    // A 48 kHz 24-bit fixture looped to 20 minutes: 1200 × 48,000 × 3 × 2 bytes of samples.
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', fixturePath('synthwave_48k_24bit/target.wav'), '-t', String(SECONDS), '-c:a', 'pcm_s24le', '-ar', String(SAMPLE_RATE_HZ), '-ac', '2', join(dir, 'long.wav')]);
    if (made.status !== 0) throw new Error(`ffmpeg could not make the long file: ${made.stderr}`);
    const cut = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', fixturePath('synthwave_48k_24bit/reference.wav'), '-t', '10', '-c:a', 'pcm_s24le', join(dir, 'reference.wav')]);
    if (cut.status !== 0) throw new Error(`ffmpeg could not cut the reference: ${cut.stderr}`);
  });
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('a 20-minute 24-bit 48 kHz stereo upload is mastered on the default limits, spooled to disk, with the server under 2 GiB', async () => {
    const size = statSync(join(dir, 'long.wav')).size;
    assert.ok(size > SECONDS * SAMPLE_RATE_HZ * 3 * 2, `${size} bytes`);
    assert.ok(size <= DEFAULT_LIMITS.maxFileBytes, 'within the default per-file limit');

    const [command, args] = nodeServerCommand();
    const server = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_WORKERS: '1', AUDO_EQ_UPLOAD_SPOOL_DIR: spoolDir });
    try {
      let mostSpooled = 0;
      let finished = false;
      const upload = curl(
        ['--fail-with-body', '-sS', '--max-time', '3600', '-X', 'POST', `${server.baseUrl}/master?eq_mode=fixed`, '-F', 'target=@long.wav', '-F', 'reference=@reference.wav', '-D', 'headers.txt', '-o', 'mastered.wav'],
        dir,
      ).finally(() => (finished = true));
      while (!finished) {
        mostSpooled = Math.max(mostSpooled, readdirSync(spoolDir).length);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { code, stderr } = await upload;
      if (code !== 0) assert.unreachable(`curl exit ${code}: ${stderr}\n${readFileSync(join(dir, 'mastered.wav'), 'utf8').slice(0, 400)}`);
      const peakMiB = memoryMiB(server.process.pid!).peak;
      console.log(`long upload: ${(size / 1e6).toFixed(1)} MB, server peak RSS ${peakMiB.toFixed(0)} MiB (bound ${PEAK_RSS_BOUND_MIB} MiB)`);

      assert.match(readFileSync(join(dir, 'headers.txt'), 'utf8'), /^HTTP\/1\.1 200/m);
      const info = readWavInfo(new Uint8Array(readFileSync(join(dir, 'mastered.wav'))));
      assert.equal([info.sampleRateHz, info.channels, info.bitsPerSample, info.dataBytes], [SAMPLE_RATE_HZ, 2, 24, SECONDS * SAMPLE_RATE_HZ * 3 * 2], 'all 20 minutes come back');
      assert.is(mostSpooled, 1, 'the target waited in a temporary file while it arrived (the 10 s reference stayed in memory)');
      assert.equal(readdirSync(spoolDir), [], 'no temporary file is left');
      assert.ok(peakMiB < PEAK_RSS_BOUND_MIB, `server peak RSS ${peakMiB.toFixed(0)} MiB`);
    } finally {
      await server.stop();
    }
  });
}

test.run();
