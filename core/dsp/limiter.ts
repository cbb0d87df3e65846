/**
 * Look-ahead true-peak limiter, split so that the loudness search can try many
 * gains cheaply. The expensive part — finding inter-sample peaks by polyphase
 * oversampling — depends only on the signal before the (scalar) loudness gain,
 * so it runs once ({@link computeTruePeakEnvelope}); a gain curve for any input
 * gain then costs two linear passes ({@link computeLimiterGain}).
 *
 * Gain curve: for each sample the gain needed to keep the peak under the
 * ceiling; a sliding minimum over the look-ahead window (so the gain is already
 * down when the peak arrives), an exponential release back towards unity, and a
 * moving average over the look-ahead window that turns each gain step into a
 * smooth ramp without ever exceeding what the peak needs (every value averaged
 * is itself at most that need).
 */
import type { TruePeakFilter } from './truepeak-filter.ts';
import { createInterpolatedEnvelopeKernel } from './truepeak-envelope.ts';
import { slidingMaxSimd, stereoPeakEnvelopeSimd } from './sliding-max-simd.ts';
import { scalarSlidingMax } from './sliding-max.ts';
import { createLimiterGainFollower } from './limiter-gain-follower.ts';
import { createLimiterStream, type LimiterStreamOptions, type LimiterStreamReport } from './limiter-stream.ts';
import type { StreamStage } from './stream-stage.ts';
import { RELEVANCE_BLOCK } from './truepeak-envelope-stream.ts';

export interface LimiterTiming {
  readonly lookaheadMs: number;
  /** Release of sustained reduction (ms). */
  readonly releaseMs: number;
  /**
   * Release of a lone transient's reduction (ms), for a program-dependent
   * (dual) release: a peak standing out of its surroundings is let go this
   * fast, and only reduction that persists (the gain stays down for longer
   * than `sustainMs`) releases at `releaseMs`. Absent: one release for all.
   */
  readonly transientReleaseMs?: number;
  /** How long reduction must persist to count as sustained (ms); the slow stage's attack. */
  readonly sustainMs?: number;
}

export const DEFAULT_LIMITER_TIMING: LimiterTiming = { lookaheadMs: 3, releaseMs: 150 };

const SKIP_BLOCK = RELEVANCE_BLOCK;

/** Sample magnitudes, the largest over channels, per sample. */
export function samplePeakEnvelope(channels: readonly Float32Array[]): Float32Array {
  const length = channels.length ? channels[0].length : 0;
  if (channels.length === 2) {
    const [left, right] = channels;
    const simd = stereoPeakEnvelopeSimd(left, right);
    if (simd) return simd;
    const envelope = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const a = Math.abs(left[i]);
      const b = Math.abs(right[i]);
      envelope[i] = a > b ? a : b;
    }
    return envelope;
  }
  const envelope = new Float32Array(length);
  for (const samples of channels) {
    for (let i = 0; i < length; i++) {
      const a = samples[i] < 0 ? -samples[i] : samples[i];
      if (a > envelope[i]) envelope[i] = a;
    }
  }
  return envelope;
}

/**
 * Per-sample peak envelope of planar `channels`: the largest magnitude, over
 * all channels, of the sample and of the reconstructed signal up to the next
 * sample. Blocks whose neighbourhood cannot produce an interpolated value above
 * `relevantAboveLinear` (by the filter's worst-case gain) keep their sample
 * magnitudes, which is all a limiter working below that level needs. A
 * caller that has the {@link samplePeakEnvelope} already passes it in, and it
 * is raised in place.
 */
export function computeTruePeakEnvelope(
  channels: readonly Float32Array[],
  filter: TruePeakFilter,
  relevantAboveLinear: number,
  envelope: Float32Array = samplePeakEnvelope(channels),
): Float32Array {
  const length = channels.length ? channels[0].length : 0;
  const kernel = createInterpolatedEnvelopeKernel(filter);
  const skipBelow = relevantAboveLinear / filter.maxGain;
  const blocks = Math.ceil(length / SKIP_BLOCK);
  const blockPeak = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let peak = 0;
    const end = Math.min(length, (b + 1) * SKIP_BLOCK);
    for (let i = b * SKIP_BLOCK; i < end; i++) if (envelope[i] > peak) peak = envelope[i];
    blockPeak[b] = peak;
  }
  // Interval m (between samples m and m + 1) is computed at input index m + latency.
  const first = filter.tapsPerPhase - 1 - filter.latencySamples;
  const last = length - 1 - filter.latencySamples;
  for (const samples of channels) {
    let runStart = -1;
    for (let b = 0; b <= blocks; b++) {
      // Windows of a block's samples reach at most one block either side (taps ≤ 64).
      const relevant =
        b < blocks &&
        Math.max(blockPeak[b], b > 0 ? blockPeak[b - 1] : 0, b + 1 < blocks ? blockPeak[b + 1] : 0) >= skipBelow;
      if (relevant && runStart < 0) runStart = b * SKIP_BLOCK;
      if (!relevant && runStart >= 0) {
        const from = Math.max(first, runStart);
        const to = Math.min(last + 1, b * SKIP_BLOCK);
        if (to > from) kernel(samples, from, to, envelope);
        runStart = -1;
      }
    }
  }
  return envelope;
}

/** Look-ahead length in samples for `timing` at `sampleRateHz`. */
export function lookaheadSamplesFor(sampleRateHz: number, timing: LimiterTiming = DEFAULT_LIMITER_TIMING): number {
  return Math.max(1, Math.round((timing.lookaheadMs / 1000) * sampleRateHz));
}

/**
 * Sliding maximum of `envelope` (magnitudes, ≥ 0) over [n, n + lookaheadSamples],
 * cut at the end: the loudest peak each sample must already be ducked for.
 * Independent of the input gain. In WebAssembly SIMD where the runtime has it.
 * Written into `out` where given (which may be `envelope` itself, when the
 * caller is done with it: the result then takes its place where it can): a
 * fresh array of a whole track costs ~25 ms in page faults on the VMs measured.
 */
export function lookaheadPeaks(envelope: Float32Array, lookaheadSamples: number, out?: Float32Array): Float32Array {
  const window = lookaheadSamples + 1;
  const simd = slidingMaxSimd(envelope, window, out);
  if (simd) return simd;
  return out && out !== envelope ? scalarSlidingMax(envelope, window, out) : scalarLookaheadPeaks(envelope, lookaheadSamples);
}

/** {@link lookaheadPeaks} in plain JavaScript (the fallback and the yardstick; see {@link scalarSlidingMax}). */
export function scalarLookaheadPeaks(envelope: Float32Array, lookaheadSamples: number): Float32Array {
  return scalarSlidingMax(envelope, lookaheadSamples + 1, new Float32Array(envelope.length));
}

/**
 * Gain curve (linear, ≤ 1) that keeps `inputGain` × the signal under
 * `ceilingLinear`, from {@link lookaheadPeaks} computed with
 * {@link lookaheadSamplesFor} of the same `timing`.
 */
export function computeLimiterGain(
  windowPeaks: Float32Array,
  inputGain: number,
  ceilingLinear: number,
  sampleRateHz: number,
  timing: LimiterTiming = DEFAULT_LIMITER_TIMING,
  out: Float32Array = new Float32Array(windowPeaks.length),
): Float32Array {
  writeLimiterGain(windowPeaks, inputGain, ceilingLinear, sampleRateHz, timing, out);
  return out;
}

/**
 * {@link computeLimiterGain} into `out`, returning the smallest gain written
 * (1 when nothing is limited): the limiter's deepest reduction comes with the
 * curve instead of from another pass over it.
 */
export function writeLimiterGain(
  windowPeaks: Float32Array,
  inputGain: number,
  ceilingLinear: number,
  sampleRateHz: number,
  timing: LimiterTiming,
  out: Float32Array,
): number {
  const follower = createLimiterGainFollower(inputGain, ceilingLinear, sampleRateHz, lookaheadSamplesFor(sampleRateHz, timing), timing);
  return follower.write(windowPeaks, 0, windowPeaks.length, out);
}

/** Largest `inputGain` × gain × peak: the limited output's true peak as the envelope sees it. */
export function estimateLimitedPeak(envelope: Float32Array, gainCurve: Float32Array, inputGain: number): number {
  let peak = 0;
  for (let n = 0; n < envelope.length; n++) {
    const value = envelope[n] * gainCurve[n];
    if (value > peak) peak = value;
  }
  return peak * inputGain;
}

/** Writes `inputGain` × gain curve × source into `output` channels. */
export function applyLimiterGain(
  source: readonly Float32Array[],
  gainCurve: Float32Array,
  inputGain: number,
  output: readonly Float32Array[],
): void {
  for (let c = 0; c < source.length; c++) {
    const x = source[c];
    const y = output[c];
    for (let n = 0; n < x.length; n++) y[n] = x[n] * gainCurve[n] * inputGain;
  }
}

export interface LimiterSettings extends LimiterTiming {
  readonly sampleRateHz: number;
  /** The ceiling the limiter holds the true peak under (dBTP). */
  readonly ceilingDbtp: number;
}

/**
 * The look-ahead true-peak limiter for one sample rate, ceiling and timing,
 * in the two halves the loudness search needs: the peaks it reacts to (the
 * expensive oversampling, once per signal) and the gain curve for any input
 * gain (two linear passes).
 */
export interface Limiter {
  readonly settings: LimiterSettings;
  readonly timing: LimiterTiming;
  readonly ceilingLinear: number;
  /**
   * The signal's peak envelope: sample peaks raised to the reconstructed
   * (true) peaks wherever they can reach `relevantAboveLinear`.
   */
  peakEnvelope(channels: readonly Float32Array[], filter: TruePeakFilter, relevantAboveLinear: number, samplePeaks?: Float32Array): Float32Array;
  /** Look-ahead maxima of a peak envelope (which they overwrite). */
  lookahead(envelope: Float32Array): Float32Array;
  /** Writes the gain curve for `inputGain` into `out` under `ceilingLinear`; returns its smallest gain. */
  writeGain(windowPeaks: Float32Array, inputGain: number, ceilingLinear: number, out: Float32Array): number;
  /**
   * The whole limiter as a stream stage: x · gain curve · `inputGain` (·
   * `outputGain`), the curve the halves above give, block by block in memory
   * set by the look-ahead.
   */
  stream(options: LimiterStreamOptions): StreamStage<LimiterStreamReport>;
}

/**
 * @example const limiter = createLimiter({ sampleRateHz: 44100, ceilingDbtp: -1, lookaheadMs: 3, releaseMs: 150 });
 */
export function createLimiter(settings: LimiterSettings): Limiter {
  const { sampleRateHz: _rate, ceilingDbtp: _ceiling, ...timing } = settings;
  const lookaheadSamples = lookaheadSamplesFor(settings.sampleRateHz, timing);
  return {
    settings,
    timing,
    ceilingLinear: Math.pow(10, settings.ceilingDbtp / 20),
    peakEnvelope: (channels, filter, relevantAboveLinear, samplePeaks) => computeTruePeakEnvelope(channels, filter, relevantAboveLinear, samplePeaks),
    lookahead: (envelope) => lookaheadPeaks(envelope, lookaheadSamples, envelope),
    writeGain: (windowPeaks, inputGain, ceilingLinear, out) => writeLimiterGain(windowPeaks, inputGain, ceilingLinear, settings.sampleRateHz, timing, out),
    stream: (options) => createLimiterStream(settings.sampleRateHz, lookaheadSamples, timing, options),
  };
}
