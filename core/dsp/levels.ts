/**
 * Plain signal levels that complement loudness: sample peak, RMS and the crest
 * factor between them (the analysis stage compares crest factors to decide
 * on compression).
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { frameLength, type StreamTap } from './stream-stage.ts';

export interface SignalLevels {
  /** Largest |sample| over all channels, dBFS; null for silence. */
  samplePeakDbfs: number | null;
  /** Root of the mean square over every sample of every channel, dBFS (a full-scale sine reads −3.01); null for silence. */
  rmsDbfs: number | null;
  /** samplePeakDbfs − rmsDbfs, dB; null for silence. */
  crestFactorDb: number | null;
}

/**
 * Measures sample peak, RMS and crest factor of a whole signal. RMS is taken
 * over all channels' samples together (the mean square across channels), so
 * a stereo file with one silent channel reads 3 dB below its loud channel.
 *
 * @example
 * const { samplePeakDbfs, rmsDbfs, crestFactorDb } = measureLevels({ sampleRateHz: 44100, channels: [left, right] });
 */
export function measureLevels(audio: PcmAudio): SignalLevels {
  const tap = levelsTap(audio.channels.length);
  tap.push(audio.channels);
  return tap.result();
}

/**
 * {@link measureLevels} of `channelCount` channels fed in blocks of any
 * size, bit for bit: each channel's sum of squares runs on across blocks in
 * sample order, and the channels' sums are added in channel order at the end.
 *
 * @example const tap = levelsTap(2); for (const block of blocks) tap.push(block); tap.result().crestFactorDb
 */
export function levelsTap(channelCount: number): StreamTap<SignalLevels> {
  const peaks = new Float64Array(channelCount);
  const sums = new Float64Array(channelCount);
  let frames = 0;
  return {
    push(block) {
      if (block.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${block.length}`);
      block.forEach((channel, c) => addSquaresAndPeak(channel, 0, channel.length, sums, peaks, c));
      frames += frameLength(block);
    },
    result() {
      let peak = 0;
      let sumSquares = 0;
      for (let c = 0; c < channelCount; c++) {
        sumSquares += sums[c];
        if (peaks[c] > peak) peak = peaks[c];
      }
      const samples = frames * channelCount;
      return levelsFrom(peak, samples > 0 ? sumSquares / samples : 0);
    },
  };
}

/**
 * Adds the squares of `samples[from, to)` to `energies[slot]` in sample order
 * and raises `peaks[slot]` to their largest magnitude: the running sums of
 * every level meter here, so each gives the same bits for the same samples.
 *
 * @example addSquaresAndPeak(block[0], 0, block[0].length, sums, peaks, 0);
 */
export function addSquaresAndPeak(samples: Float32Array, from: number, to: number, energies: Float64Array, peaks: Float64Array, slot: number): void {
  let energy = energies[slot];
  let peak = peaks[slot];
  for (let i = from; i < to; i++) {
    const x = samples[i];
    energy += x * x;
    const a = x < 0 ? -x : x;
    if (a > peak) peak = a;
  }
  energies[slot] = energy;
  peaks[slot] = peak;
}

/**
 * Levels from a sample peak and a mean square (linear), for callers that
 * gathered them in a pass of their own.
 *
 * @example levelsFrom(1, 0.5) // { samplePeakDbfs: 0, rmsDbfs: -3.01, crestFactorDb: 3.01 }
 */
export function levelsFrom(peak: number, meanSquare: number): SignalLevels {
  if (!(peak > 0 && meanSquare > 0 && Number.isFinite(peak) && Number.isFinite(meanSquare))) {
    return { samplePeakDbfs: null, rmsDbfs: null, crestFactorDb: null };
  }
  const samplePeakDbfs = 20 * Math.log10(peak);
  const rmsDbfs = 10 * Math.log10(meanSquare);
  return { samplePeakDbfs, rmsDbfs, crestFactorDb: samplePeakDbfs - rmsDbfs };
}
