/**
 * Loudness metering per ITU-R BS.1770-4 and EBU R128 (Tech 3341/3342):
 * momentary (400 ms), short-term (3 s), gated integrated loudness, loudness
 * range and true peak, measured incrementally so a stream never has to be
 * held whole, and only for the capabilities the caller asks for.
 *
 * K-weighted energy is accumulated in 10 ms sub-blocks. Windows are sums of
 * sub-blocks: the 100 ms grid that gating and loudness range use (as libebur128
 * and ffmpeg do) takes every tenth, while the momentary and short-term maxima
 * are tracked on every sub-block, so a burst that straddles the 100 ms grid is
 * still caught at its full level (Tech 3341 cases 10 and 13).
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { designKWeighting } from './kweighting.ts';
import { energyToLufs, integratedLoudness, loudnessRange } from './loudness-gating.ts';
import { createTruePeakDetector, linearToDbOrNull, type TruePeakDetector, type TruePeakFilter } from './truepeak.ts';
import { defaultChannelWeights } from './channel-weights.ts';
import { K_WEIGHTING_STATE_SLOTS, kWeightedSquareSum, kWeightedSquareSumPair, packKWeighting } from './kweighted-energy.ts';
import { kWeightedSquareSumPairSimd } from './stereo-biquads-simd.ts';

export { channelWeightsFor, defaultChannelWeights } from './channel-weights.ts';

/** What a meter measures; everything off by default, so the caller pays only for what it asks. */
export interface LoudnessCapabilities {
  integrated?: boolean;
  momentary?: boolean;
  shortTerm?: boolean;
  loudnessRange?: boolean;
  truePeak?: boolean;
}

export interface LoudnessMeterOptions {
  sampleRateHz: number;
  channelCount: number;
  capabilities: LoudnessCapabilities;
  /** Per-channel weights; see {@link defaultChannelWeights} for the default. */
  channelWeights?: number[];
  /** The true-peak interpolator (default: {@link truePeakFilterFor} the rate, `meter` use). */
  truePeakFilter?: TruePeakFilter;
}

/**
 * Measurements so far. A null scalar means −∞ (silence), not enough audio yet
 * (under 400 ms for integrated/momentary, under 3 s for short-term/range), or a
 * capability that was not asked for. Never NaN.
 */
export interface LoudnessResult {
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  momentaryMaxLufs: number | null;
  shortTermMaxLufs: number | null;
  truePeakDbtp: number | null;
  /** Per channel, −Infinity for a silent channel. */
  truePeakPerChannelDbtp: number[] | null;
  /** Momentary loudness every 100 ms, element i ending at 0.4 + 0.1·i s (−Infinity for silence); with `momentary`. */
  momentaryLufs?: Float32Array;
  /** Short-term loudness every 100 ms, element i ending at 3.0 + 0.1·i s (−Infinity for silence); with `shortTerm`. */
  shortTermLufs?: Float32Array;
}

export interface LoudnessMeter {
  /** Feeds the next frames: one Float32Array per channel, equal lengths, any block size. */
  addFrames(channels: readonly Float32Array[]): void;
  /** The measurements over everything fed so far; the gating statistics and any 100 ms series are recomputed on each call. */
  result(): LoudnessResult;
}

const SUB_BLOCKS_PER_SECOND = 100;
const SUB_BLOCKS_PER_STEP = 10; // the 100 ms grid
const MOMENTARY_SUB_BLOCKS = 40; // 400 ms
const SHORT_TERM_SUB_BLOCKS = 300; // 3 s

/**
 * First frame of the meter's 10 ms sub-block `k` at `sampleRateHz`; rounding
 * keeps odd rates (e.g. 69,313 Hz) exact on average.
 */
export function loudnessSubBlockStart(k: number, sampleRateHz: number): number {
  return Math.round((k * sampleRateHz) / SUB_BLOCKS_PER_SECOND);
}

/** A Float64Array that grows by doubling, for per-step values of unbounded streams. */
class GrowableSeries {
  values = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  toLufs(): Float32Array {
    const out = new Float32Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = energyToLufs(this.values[i]) ?? -Infinity;
    return out;
  }
}

/**
 * Creates an incremental loudness meter. Feed planar blocks of any size with
 * `addFrames`, read `result()` whenever needed.
 *
 * @example
 * const meter = createLoudnessMeter({ sampleRateHz: 48000, channelCount: 2, capabilities: { integrated: true, truePeak: true } });
 * for (const block of blocks) meter.addFrames(block);
 * const { integratedLufs, truePeakDbtp } = meter.result();
 */
export function createLoudnessMeter(options: LoudnessMeterOptions): LoudnessMeter {
  const { sampleRateHz, channelCount, capabilities } = options;
  if (!Number.isInteger(channelCount) || channelCount < 1) throw new RangeError(`channelCount must be a positive integer, got ${channelCount}`);
  const weights = Float64Array.from(options.channelWeights ?? defaultChannelWeights(channelCount));
  if (weights.length !== channelCount || weights.some((w) => !(w >= 0 && Number.isFinite(w)))) {
    throw new RangeError(`channelWeights must hold ${channelCount} finite non-negative numbers`);
  }
  const [shelf, highPass] = designKWeighting(sampleRateHz);
  const coefficients = packKWeighting(shelf, highPass);
  const filterState = new Float64Array(K_WEIGHTING_STATE_SLOTS * channelCount);
  // Channels that count (LFE does not), filtered two at a time.
  const counted = [...weights.keys()].filter((ch) => weights[ch] > 0);

  const wantIntegrated = capabilities.integrated === true;
  const wantMomentary = capabilities.momentary === true;
  const wantShortTerm = capabilities.shortTerm === true;
  const wantRange = capabilities.loudnessRange === true;
  const needsEnergy = wantIntegrated || wantMomentary || wantShortTerm || wantRange;
  const ringSize = wantShortTerm || wantRange ? SHORT_TERM_SUB_BLOCKS : MOMENTARY_SUB_BLOCKS;
  const subBlockEnergies = new Float64Array(ringSize);
  const truePeak: TruePeakDetector | null = capabilities.truePeak ? createTruePeakDetector(sampleRateHz, channelCount, options.truePeakFilter) : null;

  const gatingBlocks = new GrowableSeries();
  const momentarySeries = new GrowableSeries();
  const shortTermSeries = new GrowableSeries();
  const shortTermForRange = new GrowableSeries();
  let momentaryMax = 0;
  let shortTermMax = 0;

  let framesSeen = 0;
  let subBlocksDone = 0;
  let currentEnergy = 0;
  const subBlockStart = (k: number) => loudnessSubBlockStart(k, sampleRateHz);
  let nextBoundary = subBlockStart(1);

  /** Mean square over the last `count` sub-blocks (all of them complete). */
  function windowMeanSquare(count: number): number {
    let sum = 0;
    for (let i = subBlocksDone - count; i < subBlocksDone; i++) sum += subBlockEnergies[i % ringSize];
    return sum / (subBlockStart(subBlocksDone) - subBlockStart(subBlocksDone - count));
  }

  function completeSubBlock(): void {
    subBlockEnergies[subBlocksDone % ringSize] = currentEnergy;
    currentEnergy = 0;
    subBlocksDone++;
    nextBoundary = subBlockStart(subBlocksDone + 1);
    const onGrid = subBlocksDone % SUB_BLOCKS_PER_STEP === 0;
    if (subBlocksDone >= MOMENTARY_SUB_BLOCKS && (wantMomentary || (wantIntegrated && onGrid))) {
      const energy = windowMeanSquare(MOMENTARY_SUB_BLOCKS);
      if (energy > momentaryMax) momentaryMax = energy;
      if (onGrid && wantIntegrated) gatingBlocks.push(energy);
      if (onGrid && wantMomentary) momentarySeries.push(energy);
    }
    if (subBlocksDone >= SHORT_TERM_SUB_BLOCKS && (wantShortTerm || (wantRange && onGrid))) {
      const energy = windowMeanSquare(SHORT_TERM_SUB_BLOCKS);
      if (energy > shortTermMax) shortTermMax = energy;
      if (onGrid && wantRange) shortTermForRange.push(energy);
      if (onGrid && wantShortTerm) shortTermSeries.push(energy);
    }
  }

  function addFrames(channels: readonly Float32Array[]): void {
    if (channels.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${channels.length}`);
    const frames = channels[0].length;
    for (const channel of channels) if (channel.length !== frames) throw new RangeError('all channels must have the same length');
    truePeak?.process(channels);
    if (!needsEnergy) return;
    let offset = 0;
    while (offset < frames) {
      const take = Math.min(frames - offset, nextBoundary - framesSeen);
      let k = 0;
      for (; k + 1 < counted.length; k += 2) {
        const a = counted[k];
        const b = counted[k + 1];
        currentEnergy +=
          kWeightedSquareSumPairSimd(
            channels[a], channels[b], weights[a], weights[b], offset, offset + take,
            coefficients, filterState, K_WEIGHTING_STATE_SLOTS * a, K_WEIGHTING_STATE_SLOTS * b,
          ) ??
          kWeightedSquareSumPair(
            channels[a], channels[b], weights[a], weights[b], offset, offset + take,
            coefficients, filterState, K_WEIGHTING_STATE_SLOTS * a, K_WEIGHTING_STATE_SLOTS * b,
          );
      }
      if (k < counted.length) {
        const a = counted[k];
        currentEnergy += weights[a] * kWeightedSquareSum(channels[a], offset, offset + take, coefficients, filterState, K_WEIGHTING_STATE_SLOTS * a);
      }
      offset += take;
      framesSeen += take;
      if (framesSeen === nextBoundary) completeSubBlock();
    }
  }

  function result(): LoudnessResult {
    const out: LoudnessResult = {
      integratedLufs: wantIntegrated ? integratedLoudness(gatingBlocks.values, gatingBlocks.length) : null,
      loudnessRangeLu: wantRange ? loudnessRange(shortTermForRange.values, shortTermForRange.length) : null,
      momentaryMaxLufs: wantMomentary ? energyToLufs(momentaryMax) : null,
      shortTermMaxLufs: wantShortTerm ? energyToLufs(shortTermMax) : null,
      truePeakDbtp: null,
      truePeakPerChannelDbtp: null,
    };
    if (truePeak) {
      const perChannel = truePeak.channelPeaksLinear();
      out.truePeakPerChannelDbtp = Array.from(perChannel, (p) => linearToDbOrNull(p) ?? -Infinity);
      out.truePeakDbtp = linearToDbOrNull(perChannel.reduce((max, p) => Math.max(max, p), 0));
    }
    if (wantMomentary) out.momentaryLufs = momentarySeries.toLufs();
    if (wantShortTerm) out.shortTermLufs = shortTermSeries.toLufs();
    return out;
  }

  return { addFrames, result };
}

/** What {@link measureLoudness} measures unless told otherwise: what a mastering decision needs. */
export const DEFAULT_LOUDNESS_CAPABILITIES: Readonly<LoudnessCapabilities> = { integrated: true, loudnessRange: true, truePeak: true };

/**
 * Measures a whole signal in one call (default: integrated loudness, loudness
 * range and true peak) with `channelWeights`, by default the standard
 * layout's for its channel count ({@link channelWeightsFor} gives them for a
 * file's speaker positions).
 *
 * @example
 * const { integratedLufs, loudnessRangeLu, truePeakDbtp } = measureLoudness({ sampleRateHz: 44100, channels: [left, right] });
 * const surround = measureLoudness(fiveOh, { integrated: true }, channelWeightsFor(5, 0x607)); // L R C Ls Rs (side surrounds)
 */
export function measureLoudness(
  audio: PcmAudio,
  capabilities: LoudnessCapabilities = DEFAULT_LOUDNESS_CAPABILITIES,
  channelWeights?: number[],
): LoudnessResult {
  const meter = createLoudnessMeter({ sampleRateHz: audio.sampleRateHz, channelCount: audio.channels.length, capabilities, channelWeights });
  meter.addFrames(audio.channels);
  return meter.result();
}
