/**
 * True-peak measurement per ITU-R BS.1770-4 Annex 2: the largest magnitude of
 * the signal oversampled through {@link designTruePeakFilter} (4× below 96 kHz,
 * 2× above), never less than the largest sample. Streams block by block.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { truePeakFilterFor, type TruePeakFilter } from './truepeak-filter.ts';
import { createInterpolatedPeakKernel, type InterpolatedPeakKernel } from './truepeak-kernel.ts';
import { createSimdPeakScanner } from './truepeak-simd.ts';
import { copySamples } from '../audio/copy-samples.ts';

export { designTruePeakFilter, truePeakFilterFor, truePeakOversamplingFor, type TruePeakFilter } from './truepeak-filter.ts';
export { createInterpolatedPeakKernel, type InterpolatedPeakKernel } from './truepeak-kernel.ts';

/** A streaming true-peak meter over planar channels. */
export interface TruePeakDetector {
  readonly filter: TruePeakFilter;
  /** Feeds the next block: one Float32Array per channel, all the same length (any length). */
  process(channels: readonly Float32Array[]): void;
  /** Largest true peak over all channels so far, linear (1 = 0 dBTP). */
  peakLinear(): number;
  /** True peak of each channel so far, linear. */
  channelPeaksLinear(): Float64Array;
  /** Forgets everything fed so far. */
  reset(): void;
}

/** Input samples whose largest magnitude is checked at once before deciding to interpolate them. */
const SCAN_CHUNK = 64;
/** Frames copied into the working buffer at a time, so memory stays bounded whatever the block size. */
const PIECE_FRAMES = 16384;

/**
 * Creates a streaming true-peak detector for `channelCount` channels at
 * `sampleRateHz`. Before the first sample and after the last one the signal is
 * taken to hold its edge value, so a file that starts or ends abruptly is
 * measured for its programme rather than for a step from or into an implicit
 * silence beyond its edges (a DC offset reads as itself, as it does in ffmpeg).
 *
 * Only stretches that could beat the peak found so far are interpolated: the
 * interpolated value is bounded by the filter's `maxGain` times the largest
 * input magnitude in reach, so quiet passages cost one comparison per sample.
 *
 * @example
 * const detector = createTruePeakDetector(48000, 2);
 * detector.process([left, right]);
 * const dbtp = 20 * Math.log10(detector.peakLinear());
 */
export function createTruePeakDetector(
  sampleRateHz: number,
  channelCount: number,
  filter: TruePeakFilter = truePeakFilterFor(sampleRateHz),
): TruePeakDetector {
  if (!Number.isInteger(channelCount) || channelCount < 1) throw new RangeError(`channelCount must be a positive integer, got ${channelCount}`);
  const history = filter.tapsPerPhase - 1;
  const peaks = new Float64Array(channelCount);
  const kernel = createInterpolatedPeakKernel(filter);
  // The SIMD scanner skips quiet chunks itself, in vector code; the scalar one scans first.
  const scan: InterpolatedPeakKernel =
    createSimdPeakScanner(filter) ?? ((buffer, start, end, peak) => scanChannel(filter, kernel, buffer, start, end, peak));
  // Each channel's working buffer: the last `history` samples, then the piece being scanned.
  const work: Float32Array[] = Array.from({ length: channelCount }, () => new Float32Array(history + PIECE_FRAMES));
  let started = false;

  function process(channels: readonly Float32Array[]): void {
    if (channels.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${channels.length}`);
    const frames = channels[0].length;
    for (const channel of channels) if (channel.length !== frames) throw new RangeError('all channels must have the same length');
    for (let offset = 0; offset < frames; offset += PIECE_FRAMES) {
      const pieceFrames = Math.min(PIECE_FRAMES, frames - offset);
      for (let ch = 0; ch < channelCount; ch++) {
        const buffer = work[ch];
        const piece = channels[ch].subarray(offset, offset + pieceFrames);
        if (!started) buffer.fill(piece[0], 0, history);
        copySamples(buffer, history, piece);
        peaks[ch] = scan(buffer, history, history + pieceFrames, peaks[ch]);
        buffer.copyWithin(0, pieceFrames, pieceFrames + history);
      }
      started = true;
    }
  }

  function channelPeaksLinear(): Float64Array {
    const result = new Float64Array(peaks);
    if (!started) return result;
    // The last latencySamples intervals need samples that have not arrived;
    // measure them as if the stream ended here, holding the last sample.
    const half = filter.latencySamples;
    const tail = new Float32Array(history + half);
    for (let ch = 0; ch < channelCount; ch++) {
      tail.set(work[ch].subarray(0, history));
      tail.fill(work[ch][history - 1], history);
      result[ch] = kernel(tail, history, history + half, result[ch]);
    }
    return result;
  }

  return {
    filter,
    process,
    channelPeaksLinear,
    peakLinear: () => channelPeaksLinear().reduce((max, value) => Math.max(max, value), 0),
    reset() {
      peaks.fill(0);
      started = false;
    },
  };
}

/**
 * Raises `peak` to the largest sample and interpolated magnitude for the
 * samples buffer[start..end), where buffer[start − tapsPerPhase + 1 .. start)
 * holds the history. Chunks whose reachable inputs are too small to matter are
 * only scanned, not interpolated.
 */
function scanChannel(
  filter: TruePeakFilter,
  kernel: InterpolatedPeakKernel,
  buffer: Float32Array,
  start: number,
  end: number,
  peak: number,
): number {
  const history = filter.tapsPerPhase - 1;
  const maxGain = filter.maxGain;
  let previousChunkMax = 0;
  for (let i = start - history; i < start; i++) {
    const a = Math.abs(buffer[i]);
    if (a > previousChunkMax) previousChunkMax = a;
  }
  for (let chunkStart = start; chunkStart < end; chunkStart += SCAN_CHUNK) {
    const chunkEnd = Math.min(end, chunkStart + SCAN_CHUNK);
    let chunkMax = 0;
    for (let i = chunkStart; i < chunkEnd; i++) {
      const x = buffer[i];
      const a = x < 0 ? -x : x;
      if (a > chunkMax) chunkMax = a;
    }
    if (chunkMax > peak) peak = chunkMax;
    // SCAN_CHUNK (64) ≥ history (at most 63 taps), so the previous chunk covers every older input in reach.
    const reachMax = chunkMax > previousChunkMax ? chunkMax : previousChunkMax;
    if (reachMax * maxGain > peak) peak = kernel(buffer, chunkStart, chunkEnd, peak);
    previousChunkMax = chunkMax;
  }
  return peak;
}

/** Linear amplitude to dB, with silence (0) as null rather than −Infinity. */
export function linearToDbOrNull(linear: number): number | null {
  return linear > 0 && Number.isFinite(linear) ? 20 * Math.log10(linear) : null;
}

/**
 * Measures the true peak of a whole signal: overall and per channel, in dBTP,
 * null for a silent channel (−∞).
 *
 * @example
 * const { truePeakDbtp, perChannelDbtp } = measureTruePeak({ sampleRateHz: 44100, channels: [left, right] });
 */
export function measureTruePeak(audio: PcmAudio): { truePeakDbtp: number | null; perChannelDbtp: (number | null)[] } {
  if (audio.channels.length === 0) return { truePeakDbtp: null, perChannelDbtp: [] };
  const detector = createTruePeakDetector(audio.sampleRateHz, audio.channels.length);
  detector.process(audio.channels);
  const perChannel = detector.channelPeaksLinear();
  const overall = perChannel.reduce((max, value) => Math.max(max, value), 0);
  return { truePeakDbtp: linearToDbOrNull(overall), perChannelDbtp: Array.from(perChannel, linearToDbOrNull) };
}
