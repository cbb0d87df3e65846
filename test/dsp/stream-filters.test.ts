// The first three stages of the chain (static EQ, matching FIR, stereo
// widener) run block by block: fed in blocks of any size they give what they
// give fed whole, and fed whole they give what they gave before they streamed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEqualizer, type EqualizerSettings } from '../../core/dsp/equalizer.ts';
import { createFirEqualizer } from '../../core/dsp/fir-equalizer.ts';
import { createStereoWidener, type StereoWidenerSettings } from '../../core/dsp/stereo-widener.ts';
import { frameLength, processInBlocks, processWhole, type Frames, type StreamStage } from '../../core/dsp/stream-stage.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';
import { withSimd } from '../support/simd.ts';

/**
 * Seeded music-like channels: a swelling 110 Hz tone, low-passed and white
 * noise, a tone per channel, and every fourth third of a second the second
 * channel in anti-phase (so the widener's guard has work).
 */
function music(frames: number, channels: number, seed: number, sampleRateHz: number): Float32Array[] {
  let s = seed;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let lowPassed = 0;
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRateHz;
    const swell = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.7 * t);
    lowPassed = 0.95 * lowPassed + 0.05 * random();
    const common = 0.3 * Math.sin(2 * Math.PI * 110 * t) * swell + 0.2 * lowPassed + 0.05 * random();
    for (let c = 0; c < channels; c++) {
      const polarity = Math.floor(t * 3) % 4 === 1 && c === 1 ? -1 : 1;
      out[c][i] = polarity * common + 0.08 * random() + 0.1 * Math.sin(2 * Math.PI * (440 + 100 * c) * t);
    }
  }
  return out;
}

const SAMPLE_RATE_HZ = 44100;

const EQ: EqualizerSettings = {
  sampleRateHz: SAMPLE_RATE_HZ,
  highPassHz: 30,
  lowShelf: { cornerHz: 125, gainDb: -2 },
  highShelf: { cornerHz: 6000, gainDb: 1.5 },
  bells: [{ centreHz: 1000, gainDb: 2, q: 1 }, { centreHz: 3000, gainDb: -3, q: 2 }],
};
const matchCurve = (hz: number) => (hz > 4000 ? 3 : hz < 100 ? -2 : 0);
const sideCurve = (hz: number) => (hz > 200 ? 9 : 0);
/** The chain's FIR length (MATCH_FIR_SECONDS); blocks of 1 and 17 run a shorter kernel so each push's transform stays cheap. */
const CHAIN_FIR_SECONDS = 0.093;
const SHORT_FIR_SECONDS = 0.01;

interface StageCase {
  readonly name: string;
  readonly channelCounts: readonly number[];
  make(firSeconds: number): { stream(): StreamStage<unknown> };
}

const stages: StageCase[] = [
  { name: 'equalizer', channelCounts: [1, 2, 3], make: () => createEqualizer(EQ) },
  { name: 'FIR equalizer', channelCounts: [1, 2, 3], make: (lengthSeconds) => createFirEqualizer({ sampleRateHz: SAMPLE_RATE_HZ, gainDbAt: matchCurve, lengthSeconds }) },
  { name: 'stereo widener', channelCounts: [2], make: (firSeconds) => createStereoWidener({ sampleRateHz: SAMPLE_RATE_HZ, sideGainDbAt: sideCurve, firSeconds }) },
];

/** Frames and block sizes: one frame a push on a short signal, odd track lengths, blocks shorter and longer than an FFT block. */
const runs = [
  { frames: 3001, blockFrames: 1, firSeconds: SHORT_FIR_SECONDS },
  { frames: 100003, blockFrames: 17, firSeconds: SHORT_FIR_SECONDS },
  { frames: 100003, blockFrames: 4096, firSeconds: CHAIN_FIR_SECONDS },
  { frames: 100003, blockFrames: 65536, firSeconds: CHAIN_FIR_SECONDS },
  { frames: 44100 * 3 + 7, blockFrames: 65536, firSeconds: CHAIN_FIR_SECONDS },
];

/** Block-wise output against whole: within float rounding of the signal's peak (the SIMD FFT rounds in single precision, per chunk). */
function assertSame(actual: Frames, expected: Frames, label: string): void {
  assert.is(actual.length, expected.length, `${label}: channels`);
  let peak = 0;
  for (const samples of expected) for (const v of samples) peak = Math.max(peak, Math.abs(v));
  const tolerance = 2e-6 * peak;
  expected.forEach((samples, c) => {
    assert.is(actual[c].length, samples.length, `${label}: channel ${c} length`);
    for (let i = 0; i < samples.length; i++) {
      if (!(Math.abs(actual[c][i] - samples[i]) <= tolerance)) assert.unreachable(`${label}: channel ${c} frame ${i}: ${actual[c][i]} vs ${samples[i]}`);
    }
  });
}

/** Pushes of irregular sizes (cycling through `sizes`), as a reader at track edges and a driver with odd blocks would send. */
function processInPushes<Report>(stage: StreamStage<Report>, channels: readonly Float32Array[], sizes: readonly number[]): { output: Float32Array[]; report: Report } {
  const length = frameLength(channels);
  const output = channels.map(() => new Float32Array(length));
  let written = 0;
  const take = (frames: Frames) => {
    frames.forEach((samples, c) => output[c].set(samples, written));
    written += frameLength(frames);
  };
  for (let start = 0, k = 0; start < length; k++) {
    const end = Math.min(length, start + sizes[k % sizes.length]);
    take(stage.push(channels.map((samples) => samples.slice(start, end))));
    start = end;
  }
  take(stage.finish());
  assert.is(written, length, 'frames out equal frames in');
  return { output, report: stage.report() };
}

for (const stage of stages) {
  test(`the ${stage.name} fed in blocks of 1, 17, 4096 and 65536 frames gives what it gives fed whole, SIMD and JavaScript, every channel count`, () => {
    const was = simdEnabled();
    try {
      for (const simd of [true, false]) {
        setSimdEnabled(simd);
        for (const { frames, blockFrames, firSeconds } of runs) {
          const processor = stage.make(firSeconds);
          for (const channelCount of stage.channelCounts) {
            const input = music(frames, channelCount, frames + channelCount, SAMPLE_RATE_HZ);
            const whole = input.map((samples) => samples.slice());
            const wholeReport = processWhole(processor.stream(), whole);
            const blocks = processInBlocks(processor.stream(), input, blockFrames);
            const label = `${stage.name}, SIMD ${simd}, ${channelCount} ch, ${frames} frames in blocks of ${blockFrames}`;
            assertSame(blocks.output, whole, label);
            assert.equal(blocks.report, wholeReport, `${label}: report`);
          }
        }
      }
    } finally {
      setSimdEnabled(was);
    }
  });

  test(`the ${stage.name} fed in pushes of irregular sizes, empty ones among them, gives what it gives fed whole`, withSimd(() => {
    const processor = stage.make(CHAIN_FIR_SECONDS);
    const channelCount = stage.channelCounts[stage.channelCounts.length - 1];
    const input = music(90001, channelCount, 5, SAMPLE_RATE_HZ);
    const whole = input.map((samples) => samples.slice());
    processWhole(processor.stream(), whole);
    const pushed = processInPushes(processor.stream(), input, [1, 0, 2204, 2205, 2206, 12289, 3, 30000, 4096]);
    assertSame(pushed.output, whole, `${stage.name}, irregular pushes`);
  }));
}

/**
 * What each stage gave on a seeded 2 s stereo signal before it streamed (main
 * at 5770d62, fft.js path; the SIMD path was within 7e-8 of these): samples at
 * PINNED_FRAMES and each channel's energy. Whole-buffer processing now gives
 * the same to the last bit; the tolerances allow rounding, not a change.
 */
const PINNED_FRAMES = [0, 1, 2, 1001, 20000, 44099, 60001, 2 * SAMPLE_RATE_HZ + 2];
const PINNED: Record<string, { samples: number[][]; energy: number[]; report?: unknown }> = {
  equalizer: {
    samples: [
      [-0.033875204622745514, -0.03665264695882797, 0.014916729182004929, -0.05137750133872032, -0.040449630469083786, 0.0479823462665081, -0.17625200748443604, 0.19928991794586182],
      [-0.0371786467730999, -0.052065104246139526, 0.028048040345311165, 0.01882469654083252, -0.011910739354789257, 0.027103355154395103, -0.200922891497612, -0.03717079013586044],
    ],
    energy: [2013.2285522312218, 2054.700678576024],
  },
  'FIR equalizer': {
    samples: [
      [-0.04056097939610481, -0.04366569221019745, 0.019872333854436874, -0.024043308570981026, -0.11516495048999786, 0.042821306735277176, -0.17256072163581848, 0.13213782012462616],
      [-0.04451640695333481, -0.062098484486341476, 0.03586866706609726, 0.057100728154182434, 0.0837927907705307, 0.012251876294612885, -0.19774271547794342, 0.02182220295071602],
    ],
    energy: [2464.70291528649, 2466.9535512459447],
  },
  'stereo widener': {
    samples: [
      [-0.0286514014005661, -0.027372214943170547, 0.0007149979355745018, -0.013353702612221241, -0.07370096445083618, 0.02963113784790039, -0.1640322506427765, 0.09813819080591202],
      [-0.03554033488035202, -0.060177598148584366, 0.02469434216618538, 0.12078770250082016, 0.02871815674006939, 0.002228648168966174, -0.18913039565086365, 0.022432195022702217],
    ],
    energy: [2799.513495205157, 2821.414221726188],
    report: { guardedFraction: 0.8292682926829268 },
  },
};

test('each stage fed whole gives what it gave before it streamed, SIMD and JavaScript', () => {
  const was = simdEnabled();
  try {
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      for (const stage of stages) {
        const pinned = PINNED[stage.name];
        const channels = music(2 * SAMPLE_RATE_HZ + 3, 2, 2024, SAMPLE_RATE_HZ);
        const report = processWhole(stage.make(CHAIN_FIR_SECONDS).stream(), channels);
        const label = `${stage.name}, SIMD ${simd}`;
        if (pinned.report) assert.equal(report, pinned.report, `${label}: report`);
        channels.forEach((samples, c) => {
          PINNED_FRAMES.forEach((frame, k) => {
            assert.ok(Math.abs(samples[frame] - pinned.samples[c][k]) < 1e-6, `${label}: channel ${c} frame ${frame}: ${samples[frame]} vs ${pinned.samples[c][k]}`);
          });
          let energy = 0;
          for (const v of samples) energy += v * v;
          assert.ok(Math.abs(energy / pinned.energy[c] - 1) < 1e-6, `${label}: channel ${c} energy ${energy} vs ${pinned.energy[c]}`);
        });
      }
    }
  } finally {
    setSimdEnabled(was);
  }
});

test('the stereo widener holds its output back under two guard blocks and gives the rest at finish', withSimd(() => {
  const widener = createStereoWidener({ sampleRateHz: SAMPLE_RATE_HZ, sideGainDbAt: sideCurve, firSeconds: SHORT_FIR_SECONDS });
  const guardBlock = Math.round(0.05 * SAMPLE_RATE_HZ);
  const input = music(10 * guardBlock + 100, 2, 9, SAMPLE_RATE_HZ);
  const stage = widener.stream();
  let received = 0;
  let out = 0;
  for (let start = 0; start < input[0].length; start += 1000) {
    const block = input.map((samples) => samples.slice(start, start + 1000));
    received += block[0].length;
    out += frameLength(stage.push(block));
    assert.ok(received - out < 2 * guardBlock, `held ${received - out} frames after ${received}`);
    assert.is(out % guardBlock, 0, 'whole guard blocks go out');
  }
  assert.is(out + frameLength(stage.finish()), received);
}));

test('the stereo widener passes anything but a pair through untouched', () => {
  const widener = createStereoWidener({ sampleRateHz: SAMPLE_RATE_HZ, sideGainDbAt: sideCurve, firSeconds: SHORT_FIR_SECONDS });
  for (const channelCount of [1, 3]) {
    const input = music(5000, channelCount, 3, SAMPLE_RATE_HZ);
    const { output, report } = processInBlocks(widener.stream(), input, 17);
    assert.equal(output, input);
    assert.equal(report, { guardedFraction: 0 });
  }
});

test.run();
