// The dynamics stages and the block-statistics taps as streams: fed in blocks
// of any size they give exactly what the whole-buffer forms give, and the
// whole-buffer forms give exactly what they gave before they became streams
// (fingerprints of the pre-stream implementation's output, pinned below).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { samplePeakBlockMaximaTap } from '../../core/dsp/block-peaks.ts';
import { createCompressor, type CompressorStageSettings } from '../../core/dsp/compressor.ts';
import { createDeEsser, deEss, type DeEsserSettings } from '../../core/dsp/deesser.ts';
import { createGainRider } from '../../core/dsp/gain-rider.ts';
import { kWeightedBlockEnergy, kWeightedBlockEnergyTap } from '../../core/dsp/kweighted-blocks.ts';
import { samplePeakEnvelope } from '../../core/dsp/limiter.ts';
import { processInBlocks, type StreamStage, type StreamTap } from '../../core/dsp/stream-stage.ts';
import { blockMaxima } from '../../core/mastering/loudness-prediction.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

const FS = 44100;
/** Three seconds and an odd tail: several SIMD chunks, two 65536-frame blocks, a last control block cut short. */
const LENGTH = 3 * FS + 7;
/** Block sizes of the issue; blocks of one frame run on a short signal. */
const BLOCK_SIZES = [1, 17, 4096, 65536];
const SHORT_LENGTH = 1001;

const COMPRESSOR: CompressorStageSettings = { sampleRateHz: FS, thresholdDb: -20, ratio: 3, attackMs: 10, releaseMs: 100, kneeDb: 6, detectorOffsetDb: 1, amount: 0.8 };
const FOLLOWING: CompressorStageSettings = { ...COMPRESSOR, followProgramme: { referenceLufs: -18, integratedLufs: -14, spanLu: 6 } };
const DE_ESSER: DeEsserSettings = { thresholdShare: 0.1, depthDb: 5 };

/** A seeded, music-like test signal: a tone whose level swells and falls, noise, and 7 kHz "s" bursts. */
function seededSignal(length: number, channelCount: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
  return Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length }, (_, i) => {
      const t = i / FS;
      const level = 0.05 + 0.9 * Math.abs(Math.sin(1.3 * t + c));
      const burst = i % 11025 < 1500 ? 0.4 * Math.sin(2 * Math.PI * 7000 * t + c) : 0;
      return level * (0.5 * Math.sin(2 * Math.PI * 110 * t + c) + 0.3 * random() + burst);
    }),
  );
}

/** FNV-1a over the bytes of a typed array: a fingerprint that changes with any bit of any value. */
function fingerprint(values: Float32Array | Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * What the whole-buffer stages gave before they were streams (main at 5770d62,
 * the same with SIMD on and off): output fingerprints per channel, then the report.
 */
const PINNED: Record<number, Record<string, string>> = {
  1: {
    compressor: 'b41fb188 5.807737152772434 10.100266265869141',
    'compressor following the programme': '48748850 2.908697674717715 6.801868438720703',
    'de-esser': 'a3e83001 1 4.999999973288754',
    'K-weighted block energy': '0dd9b89c',
    'sample-peak block maxima': 'e703a5b7',
  },
  2: {
    compressor: 'ac57f664 08df813c 8.231534625930394 10.184807586669923',
    'compressor following the programme': 'afa58c73 152ad39d 3.174708345254935 5.462429428100586',
    'de-esser': 'd6dfee56 128efcf1 1 4.999999973288754',
    'K-weighted block energy': 'a3d4bfe3',
    'sample-peak block maxima': '4429aa39',
  },
};

/** `body` once with the SIMD kernels and once in JavaScript, the switch restored after. */
function bothKernels(body: (label: string) => void): () => void {
  return () => {
    const was = simdEnabled();
    try {
      for (const simd of [true, false]) {
        setSimdEnabled(simd);
        body(simd ? 'SIMD' : 'JavaScript');
      }
    } finally {
      setSimdEnabled(was);
    }
  };
}

function assertSameSamples(actual: readonly Float32Array[], expected: readonly Float32Array[], label: string): void {
  assert.is(actual.length, expected.length, `${label}: channels`);
  expected.forEach((samples, c) => {
    assert.is(actual[c].length, samples.length, `${label}: channel ${c} length`);
    for (let i = 0; i < samples.length; i++) {
      if (!Object.is(actual[c][i], samples[i])) assert.unreachable(`${label}: channel ${c} frame ${i}: ${actual[c][i]} vs ${samples[i]}`);
    }
  });
}

/** Pushes `channels` through `tap` in blocks of `blockFrames`. */
function tapInBlocks<Result>(tap: StreamTap<Result>, channels: readonly Float32Array[], blockFrames: number): Result {
  const length = channels[0].length;
  for (let start = 0; start < length; start += blockFrames) tap.push(channels.map((samples) => samples.subarray(start, Math.min(length, start + blockFrames))));
  return tap.result();
}

/** Every block size on the long signal (one-frame blocks on the short one), mono and stereo, each with the whole-buffer result to match. */
function eachCase(body: (input: Float32Array[], blockFrames: number, label: string) => void): void {
  for (const channelCount of [1, 2]) {
    for (const blockFrames of BLOCK_SIZES) {
      for (const length of blockFrames === 1 ? [SHORT_LENGTH] : [LENGTH, 16 * 700 + 1]) {
        body(seededSignal(length, channelCount, 11 + channelCount), blockFrames, `${channelCount} ch, ${length} frames in blocks of ${blockFrames}`);
      }
    }
  }
}

test('the whole-buffer compressor, de-esser and block statistics give what they gave before they were streams', bothKernels((kernels) => {
  for (const channelCount of [1, 2]) {
    const input = () => seededSignal(LENGTH, channelCount, 11 + channelCount);
    const pinned = PINNED[channelCount];
    const label = (name: string) => `${kernels}, ${channelCount} ch: ${name}`;
    for (const [name, settings] of [['compressor', COMPRESSOR], ['compressor following the programme', FOLLOWING]] as const) {
      const channels = input();
      const report = createCompressor(settings).process(channels);
      assert.is(`${channels.map(fingerprint).join(' ')} ${report.meanReductionDb} ${report.maxReductionDb}`, pinned[name], label(name));
    }
    const channels = input();
    const report = deEss(channels, FS, DE_ESSER);
    assert.is(`${channels.map(fingerprint).join(' ')} ${report.activeFraction} ${report.maxCutDb}`, pinned['de-esser'], label('de-esser'));
    assert.is(fingerprint(kWeightedBlockEnergy(input(), FS)), pinned['K-weighted block energy'], label('K-weighted block energy'));
    assert.is(fingerprint(tapInBlocks(samplePeakBlockMaximaTap(LENGTH), input(), LENGTH)), pinned['sample-peak block maxima'], label('sample-peak block maxima'));
  }
}));

test('the compressor in blocks of any size gives the whole-buffer samples and report, with and without followProgramme', bothKernels((kernels) => {
  eachCase((input, blockFrames, label) => {
    const length = input[0].length;
    for (const settings of [COMPRESSOR, FOLLOWING]) {
      const whole = input.map((samples) => samples.slice());
      const wholeReport = createCompressor(settings).process(whole);
      // The programme energy as a streaming caller has it: measured by the tap in an earlier pass.
      const energy = settings.followProgramme ? tapInBlocks(kWeightedBlockEnergyTap(FS, input.length, length), input, blockFrames) : undefined;
      const streamed = processInBlocks(createCompressor(settings).stream(length, energy), input, blockFrames);
      const name = `${kernels}, ${label}, ${settings.followProgramme ? 'following' : 'fixed'}`;
      assertSameSamples(streamed.output, whole, name);
      assert.equal(streamed.report, wholeReport, name);
      if (length === LENGTH) assert.ok(wholeReport.maxReductionDb > 3, `${name}: the material drives the compressor`);
    }
  });
}));

test('a programme-following compressor stream refuses to start without the programme energy', () => {
  assert.throws(() => createCompressor(FOLLOWING).stream(LENGTH), /K-weighted energy/);
});

test('the de-esser in blocks of any size gives the whole-buffer samples and report', bothKernels((kernels) => {
  eachCase((input, blockFrames, label) => {
    const whole = input.map((samples) => samples.slice());
    const wholeReport = deEss(whole, FS, DE_ESSER);
    const streamed = processInBlocks(createDeEsser(FS, DE_ESSER).stream(input[0].length), input, blockFrames);
    assertSameSamples(streamed.output, whole, `${kernels}, ${label}`);
    assert.equal(streamed.report, wholeReport, `${kernels}, ${label}`);
  });
}));

/** A 220 Hz voice-like tone with 5.5-8.7 kHz hiss bursts (the "s") of 125 ms every second. */
function sibilantVoice(seconds: number, channelCount: number): Float32Array[] {
  const hissHz = [5500, 6300, 7100, 7900, 8700];
  return Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length: FS * seconds + 5 }, (_, i) => {
      const burst = i % FS < FS / 8;
      let hiss = 0;
      if (burst) for (const [k, hz] of hissHz.entries()) hiss += 0.08 * Math.sin((2 * Math.PI * hz * i) / FS + k + c);
      return 0.3 * Math.sin((2 * Math.PI * 220 * i) / FS) + hiss;
    }),
  );
}

test('the streamed de-esser cuts sibilant bursts and leaves the voice between them alone', bothKernels((kernels) => {
  for (const channelCount of [1, 2]) {
    const input = sibilantVoice(3, channelCount);
    const { output, report } = processInBlocks(createDeEsser(FS, { thresholdShare: 0.1, depthDb: 6 }).stream(input[0].length), input, 4099);
    const label = `${kernels}, ${channelCount} ch`;
    assert.ok(report.maxCutDb > 4 && report.maxCutDb <= 6, `${label}: deepest cut ${report.maxCutDb}`);
    assert.ok(report.activeFraction > 0.2 && report.activeFraction < 0.8, `${label}: active ${report.activeFraction}`);
    // Inside a burst (after the attack) the samples change; once the cut has released, not one does.
    const changed = (from: number, to: number) => input[0].subarray(from, to).some((v, i) => v !== output[0][from + i]);
    assert.ok(changed(FS + 2000, FS + 4000), `${label}: a burst is cut`);
    assert.not.ok(changed(FS + FS / 2 + 6000, 2 * FS), `${label}: the voice after the release passes bit for bit`);
  }
}));

test('the gain rider in blocks of any size, aligned to its 16-frame ramps or not, gives the whole-buffer samples', bothKernels((kernels) => {
  eachCase((input, blockFrames, label) => {
    const length = input[0].length;
    const gains = Float32Array.from({ length: Math.ceil(length / 16) + 1 }, (_, b) => 0.5 + 0.4 * Math.sin(b / 97));
    const whole = input.map((samples) => samples.slice());
    createGainRider(gains).process(whole);
    const stage: StreamStage = createGainRider(gains).stream();
    assertSameSamples(processInBlocks(stage, input, blockFrames).output, whole, `${kernels}, ${label}`);
  });
}));

test('the energy and peak taps in blocks of any size give the whole-buffer block energies and sample-peak block maxima', bothKernels((kernels) => {
  eachCase((input, blockFrames, label) => {
    const length = input[0].length;
    // Silence after the music: the filter states decay to where they are flushed, and must be flushed where the whole run flushes them.
    input.forEach((samples) => samples.fill(0, Math.floor(length * 0.55)));
    const energy = tapInBlocks(kWeightedBlockEnergyTap(FS, input.length, length), input, blockFrames);
    assert.equal(Array.from(energy), Array.from(kWeightedBlockEnergy(input, FS)), `${kernels}, ${label}: energies`);
    const peaks = tapInBlocks(samplePeakBlockMaximaTap(length), input, blockFrames);
    assert.equal(Array.from(peaks), Array.from(blockMaxima(samplePeakEnvelope(input))), `${kernels}, ${label}: peaks`);
  });
}));

test('three channels stream like mono and stereo: surround weights, the pair in SIMD and the third channel alone', bothKernels((kernels) => {
  const input = seededSignal(LENGTH, 3, 5);
  const energy = tapInBlocks(kWeightedBlockEnergyTap(FS, 3, LENGTH), input, 4095);
  assert.equal(Array.from(energy), Array.from(kWeightedBlockEnergy(input, FS)), `${kernels}: energies`);
  const whole = input.map((samples) => samples.slice());
  const report = deEss(whole, FS, DE_ESSER);
  const streamed = processInBlocks(createDeEsser(FS, DE_ESSER).stream(LENGTH), input, 4095);
  assertSameSamples(streamed.output, whole, `${kernels}: de-esser`);
  assert.equal(streamed.report, report);
}));

test('a streaming dynamics stage holds back under two control blocks and has given out every frame when the last is in', () => {
  const input = seededSignal(5000, 2, 3);
  for (const stage of [createCompressor(COMPRESSOR).stream(5000), createDeEsser(FS, DE_ESSER).stream(5000)]) {
    let received = 0;
    let given = 0;
    for (let start = 0; start < 5000; start += 333) {
      const block = input.map((samples) => samples.slice(start, Math.min(5000, start + 333)));
      received += block[0].length;
      given += stage.push(block)[0].length;
      assert.ok(received - given < 32, `${received - given} frames held back`);
    }
    assert.is(given, 5000);
    assert.is(stage.finish()[0].length, 0);
  }
});

test.run();
