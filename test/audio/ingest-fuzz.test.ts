import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { join } from 'node:path';
import { decodeAudio } from '../../core/audio/decode.ts';
import { parseFlacStreamInfo } from '../../core/audio/flac.ts';
import { scanMp3Frames } from '../../core/audio/mp3-frames.ts';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { ffmpeg, ffmpegAvailable, makeTempDir, readBytes } from './ffmpeg-pcm.ts';

const tmp = makeTempDir('fuzz');
test.after(() => tmp.cleanup());

/** Fixed seed: a failure reproduces exactly; each format gets this many runs, stopped early after the time limit. */
const SEED = 20240611;
const RUNS_PER_FORMAT = 250;
const TIME_LIMIT_MS = 4000;
/** A decode that takes longer than this counts as a hang (a healthy one here takes milliseconds). */
const HANG_MS = 10_000;

interface Mutation {
  readonly edits: Array<{ readonly headerPosition: boolean; readonly offset: number; readonly value: number }>;
  readonly truncateAt: number | null;
}

const mutation = fc.record({
  edits: fc.array(
    fc.record({ headerPosition: fc.boolean(), offset: fc.nat({ max: 1 << 20 }), value: fc.integer({ min: 0, max: 255 }) }),
    { minLength: 1, maxLength: 6 },
  ),
  truncateAt: fc.option(fc.nat({ max: 1 << 20 }), { freq: 4 }),
});

/** Mostly edits inside the header region (where parsing decisions are made), some anywhere. */
function mutate(base: Uint8Array, headerBytes: number, m: Mutation): Uint8Array {
  const bytes = base.slice();
  for (const edit of m.edits) {
    const at = edit.headerPosition ? edit.offset % headerBytes : edit.offset % bytes.length;
    bytes[at] = edit.value;
  }
  return m.truncateAt === null ? bytes : bytes.subarray(0, m.truncateAt % (bytes.length + 1));
}

async function decodeWithinLimit(bytes: Uint8Array): Promise<'ok' | IngestValidationError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`decode did not finish within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const audio = await Promise.race([decodeAudio(bytes), hang]);
    assert.ok(audio.channels.length === 1 || audio.channels.length === 2, 'channel count after normalization');
    assert.ok(audio.channels[0].length > 0);
    for (const channel of audio.channels) {
      assert.is(channel.length, audio.channels[0].length);
      for (let i = 0; i < channel.length; i++) if (!Number.isFinite(channel[i])) assert.unreachable('non-finite sample');
    }
    return 'ok';
  } catch (error) {
    if (error instanceof IngestValidationError) return error;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function fuzz(name: string, base: Uint8Array, headerBytes: number): Promise<void> {
  const outcomes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      const outcome = await decodeWithinLimit(mutate(base, headerBytes, m));
      const key = outcome === 'ok' ? 'ok' : outcome.code;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }),
    { seed: SEED, numRuns: RUNS_PER_FORMAT, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  // The fuzzer must actually reach the validation paths, not only succeed or only fail.
  assert.ok(outcomes.size >= 2, `${name}: outcomes ${JSON.stringify([...outcomes])}`);
}

function wavBase(bitDepth: 16 | 24 | 32, channelCount: number): Uint8Array {
  const frames = 2205;
  const channels = Array.from({ length: channelCount }, (_, c) => Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin(i * 0.05 * (c + 1))));
  return encodeWav({ sampleRateHz: 44100, channels }, { bitDepth });
}

test('mutated WAV headers (16-bit PCM, 24-bit extensible, float) only ever throw IngestValidationError', async () => {
  await fuzz('wav16', wavBase(16, 2), 48);
  await fuzz('wav24ext', wavBase(24, 6), 72);
  await fuzz('wavf32', wavBase(32, 1), 64);
});

if (ffmpegAvailable('ingest fuzz (FLAC and MP3 bases)')) {
  const SOURCE = 'aevalsrc=0.4*sin(2*PI*330*t)+0.1*(random(0)-0.5):s=44100:d=0.3';

  test('mutated FLAC headers and frames only ever throw IngestValidationError', async () => {
    const path = join(tmp.dir, 'base.flac');
    ffmpeg(['-f', 'lavfi', '-i', SOURCE, '-ac', '2', '-c:a', 'flac', path]);
    const base = readBytes(path);
    await fuzz('flac', base, parseFlacStreamInfo(base).audioOffset + 32);
  });

  test('mutated MP3 (ID3v2 tag and frame headers) only ever throw IngestValidationError', async () => {
    const path = join(tmp.dir, 'base.mp3');
    ffmpeg(['-f', 'lavfi', '-i', SOURCE, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-metadata', 'title=Fuzz', path]);
    const base = readBytes(path);
    await fuzz('mp3', base, scanMp3Frames(base).firstFrameOffset + 48);
  });
}

test.run();
