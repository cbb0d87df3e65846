// References given as uploads (core/app/reference-analysis.ts): a mono or
// stereo WAV is analysed as it is decoded in blocks, with the figures and the
// summary decoding it whole gives, and a bad one fails with the error
// decoding it whole throws, naming the reference among several.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { decodeAudio } from '../../core/audio/decode.ts';
import { encodeWav, wavLayout } from '../../core/audio/wav-encode.ts';
import { ingestSummary } from '../../core/app/decode-upload.ts';
import { analyzeReferenceUploads } from '../../core/app/reference-analysis.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';
import { readFixture } from '../support/fixtures.ts';
import { repoRoot } from '../support/processes.ts';

/** A 32-bit float WAV of `channels`, as the project writes one. */
const floatWav = (channels: Float32Array[], sampleRateHz: number) => encodeWav({ sampleRateHz, channels }, { bitDepth: 32 });

function tone(length: number, frequencyHz: number, sampleRateHz: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => 0.25 * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz) * (1 + 0.5 * Math.sin(i / 20000)));
}

test('a stereo or mono WAV reference upload: the analysis and summary decoding it whole gives', async () => {
  const uploads = [
    { bytes: readFixture('indie_pop/reference.wav'), filename: 'stereo-24.wav' },
    { bytes: readFixture('synthwave_48k_24bit/reference.wav'), filename: 'stereo-48k.wav' },
    { bytes: floatWav([tone(5 * 44100 + 123, 330, 44100)], 44100), filename: 'mono-float.wav' },
  ];
  for (const upload of uploads) {
    const whole = await decodeAudio(upload.bytes, { filename: upload.filename, keepChannels: true });
    const [analysed] = await analyzeReferenceUploads([upload], DEFAULT_INGEST_POLICY);
    assert.equal(analysed.summary, ingestSummary(whole, upload.bytes.byteLength), upload.filename);
    assert.equal(analysed.analysis, analyzeTrack(whole), upload.filename);
  }
});

test('a WAV reference with a non-finite sample fails as decoding it whole does, naming the reference among several', async () => {
  const left = tone(3 * 44100, 440, 44100);
  const right = tone(3 * 44100, 660, 44100);
  const good = { bytes: floatWav([right, left], 44100), filename: 'good.wav' };
  // The encoder refuses a NaN: it goes into the written bytes (the right channel's sample at frame 2 s + 7).
  const badBytes = floatWav([left, right], 44100);
  new DataView(badBytes.buffer).setFloat32(wavLayout(left.length, 2, 32).dataOffset + ((2 * 44100 + 7) * 2 + 1) * 4, Number.NaN, true);
  const bad = { bytes: badBytes, filename: 'bad.wav' };
  const wholeError = await decodeAudio(bad.bytes, { keepChannels: true }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(wholeError, IngestValidationError);
  const failure = await analyzeReferenceUploads([good, bad], DEFAULT_INGEST_POLICY).then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(failure, IngestValidationError);
  const { code, details } = failure as IngestValidationError;
  assert.is(code, (wholeError as IngestValidationError).code);
  assert.equal(details, { ...(wholeError as IngestValidationError).details, part: 'reference', reference_index: 2 });
});

test('a long WAV reference upload is analysed without its decoded samples in memory (15 minutes: 159 MB of upload, 318 MB decoded whole)', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/app/workers/reference-upload-memory.ts', '15'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, run.stderr);
  const { uploadBytes, maxRssKb } = JSON.parse(run.stdout) as { uploadBytes: number; maxRssKb: number };
  const decodedWhole = (uploadBytes / 2) * 4;
  // Measured: 257 MB in blocks, 565 MB decoded whole.
  assert.ok(maxRssKb * 1024 < uploadBytes + decodedWhole / 2, `peak RSS ${(maxRssKb / 1024).toFixed(0)} MiB for a ${(uploadBytes / 2 ** 20).toFixed(0)} MiB upload`);
});

test.run();
