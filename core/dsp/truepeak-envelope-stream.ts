/**
 * The limiter's peak envelope computed as frames arrive, over a window of
 * recent frames instead of the whole track: the same values as
 * {@link computeTruePeakEnvelope} (limiter.ts) — sample magnitudes, raised to
 * the interpolated peaks in the 64-sample blocks whose neighbourhood can reach
 * the relevance level — for a signal fed in blocks of any size.
 *
 * A block's values are final once the next block has arrived (its relevance
 * looks one block either side, and the interpolation reads at most 32 samples
 * ahead), so the envelope trails the input by 64 to 127 samples until the end.
 */
import type { Frames, StreamTap } from './stream-stage.ts';
import type { TruePeakFilter } from './truepeak-filter.ts';
import { createInterpolatedEnvelopeKernel } from './truepeak-envelope.ts';
import { ENERGY_BLOCK } from './kweighted-blocks.ts';
import { stereoPeakEnvelopeSimd } from './sliding-max-simd.ts';
import { blockPeaks } from './block-peaks.ts';
import { copySamples } from '../audio/copy-samples.ts';

/** Samples per relevance block (interpolation windows, ≤ 64 taps, reach at most one block either side). */
export const RELEVANCE_BLOCK = 64;

/**
 * A window of recent frames and their peak envelope, in buffers that hold
 * absolute position p at index p − `base`. Callers make room before each
 * `take`, saying which positions they still need; envelope values before
 * `finalUntil` are final. Subclasses say how the envelope is filled and what
 * else they must keep.
 */
export abstract class EnvelopeWindow {
  /** Absolute position of index 0 of {@link samples} and {@link envelope}. */
  base = 0;
  /** Frames taken so far. */
  received = 0;
  /** Positions before this have their final envelope values. */
  finalUntil = 0;
  readonly samples: Float32Array[];
  readonly envelope: Float32Array;

  /**
   * @param capacity frames the buffers hold: the most a caller takes at once plus what it keeps
   */
  constructor(
    channelCount: number,
    readonly capacity: number,
  ) {
    this.samples = Array.from({ length: channelCount }, () => new Float32Array(capacity));
    this.envelope = new Float32Array(capacity);
  }

  /** Takes frames [offset, offset + count) of `frames` (room made first). */
  abstract take(frames: Frames, offset: number, count: number): void;

  /** The input has ended: every position becomes final. */
  abstract end(): void;

  /** The earliest position the window itself still reads, whatever the caller keeps. */
  protected abstract ownNeedsFrom(): number;

  /**
   * Moves the buffers' contents down so that `count` more frames fit, keeping
   * every position from `keepFrom` on (and what the window itself still
   * reads). Returns how far indices moved, for callers' own aligned buffers.
   */
  makeRoom(count: number, keepFrom: number): number {
    if (this.received - this.base + count <= this.capacity) return 0;
    const keep = Math.max(this.base, Math.min(keepFrom, this.ownNeedsFrom()));
    const shift = keep - this.base;
    const used = this.received - this.base;
    if (used - shift + count > this.capacity) throw new RangeError(`envelope window of ${this.capacity} frames cannot keep ${used - shift} and take ${count}`);
    for (const samples of this.samples) samples.copyWithin(0, shift, used);
    this.envelope.copyWithin(0, shift, used);
    this.base = keep;
    return shift;
  }

  /** Copies frames [offset, offset + count) of `frames` after those taken; returns the buffer index they start at. */
  protected takeSamples(frames: Frames, offset: number, count: number): number {
    const at = this.received - this.base;
    this.samples.forEach((samples, c) => copySamples(samples, at, frames[c].subarray(offset, offset + count)));
    return at;
  }
}

/** An {@link EnvelopeWindow} that computes the envelope: sample peaks, interpolated in the relevant blocks. */
export class TruePeakEnvelopeWindow extends EnvelopeWindow {
  private readonly kernel;
  private readonly skipBelow: number;
  /** Interval m is interpolated from input m + latency back over the taps: the first m with its whole history. */
  private readonly firstInterpolated: number;
  private readonly latency: number;
  /** Sample peaks of recent complete blocks, by block number mod its length (a power of two). */
  private readonly blockPeaks: Float64Array;
  private blocksComplete = 0;
  private blocksFinal = 0;
  private ended = false;

  constructor(filter: TruePeakFilter, relevantAboveLinear: number, channelCount: number, capacity: number) {
    super(channelCount, capacity);
    this.kernel = createInterpolatedEnvelopeKernel(filter);
    this.skipBelow = relevantAboveLinear / filter.maxGain;
    this.latency = filter.latencySamples;
    this.firstInterpolated = filter.tapsPerPhase - 1 - filter.latencySamples;
    // A take completes at most capacity / 64 + 1 blocks; finalizing looks one block back.
    this.blockPeaks = new Float64Array(2 ** Math.ceil(Math.log2(capacity / RELEVANCE_BLOCK + 4)));
  }

  /** The unfinished blocks' interpolation reads back into the last final one. */
  protected ownNeedsFrom(): number {
    return this.blocksFinal * RELEVANCE_BLOCK - RELEVANCE_BLOCK;
  }

  /** Takes frames [offset, offset + count) of `frames` (room made first) and finalizes what it can. */
  take(frames: Frames, offset: number, count: number): void {
    const at = this.takeSamples(frames, offset, count);
    this.samplePeaks(at, at + count);
    this.received += count;
    this.finalize(Math.floor(this.received / RELEVANCE_BLOCK), false);
  }

  /** envelope[i] = the largest |sample| over channels, for buffer indices [at, end). */
  private samplePeaks(at: number, end: number): void {
    const { envelope, samples: channels } = this;
    if (channels.length === 2) {
      const [left, right] = channels;
      if (stereoPeakEnvelopeSimd(left.subarray(at, end), right.subarray(at, end), envelope.subarray(at, end))) return;
      for (let i = at; i < end; i++) {
        const a = Math.abs(left[i]);
        const b = Math.abs(right[i]);
        envelope[i] = a > b ? a : b;
      }
      return;
    }
    envelope.fill(0, at, end);
    for (const samples of channels) {
      for (let i = at; i < end; i++) {
        const a = samples[i] < 0 ? -samples[i] : samples[i];
        if (a > envelope[i]) envelope[i] = a;
      }
    }
  }

  /** The input has ended: every position becomes final (the last blocks cut at the end). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.finalize(Math.ceil(this.received / RELEVANCE_BLOCK), true);
    this.finalUntil = this.received;
  }

  /**
   * Completes blocks up to `complete` (their sample peaks taken before any
   * interpolation raises them), then interpolates the relevant blocks among
   * those whose successor is complete; at the end the last block has none.
   */
  private finalize(complete: number, atEnd: boolean): void {
    const { blockPeaks: completePeaks, envelope, base, skipBelow } = this;
    const mask = completePeaks.length - 1;
    const length = this.received;
    if (complete > this.blocksComplete) {
      const first = this.blocksComplete;
      const peaks = blockPeaks(envelope.subarray(first * RELEVANCE_BLOCK - base, Math.min(length, complete * RELEVANCE_BLOCK) - base), RELEVANCE_BLOCK);
      for (let k = 0; k < peaks.length; k++) completePeaks[(first + k) & mask] = peaks[k];
      this.blocksComplete = complete;
    }
    const finalBlocks = atEnd ? this.blocksComplete : Math.max(this.blocksFinal, this.blocksComplete - 1);
    let runStart = -1;
    for (let b = this.blocksFinal; b < finalBlocks; b++) {
      // Interpolation windows of a block's samples reach at most one block either side.
      const before = b > 0 ? completePeaks[(b - 1) & mask] : 0;
      const after = b + 1 < this.blocksComplete ? completePeaks[(b + 1) & mask] : 0;
      const own = completePeaks[b & mask];
      const relevant = Math.max(own, before, after) >= skipBelow;
      if (relevant && runStart < 0) runStart = b * RELEVANCE_BLOCK;
      if (!relevant && runStart >= 0) {
        this.interpolate(runStart, b * RELEVANCE_BLOCK, atEnd);
        runStart = -1;
      }
    }
    if (runStart >= 0) this.interpolate(runStart, finalBlocks * RELEVANCE_BLOCK, atEnd);
    this.blocksFinal = finalBlocks;
    this.finalUntil = Math.min(length, finalBlocks * RELEVANCE_BLOCK);
  }

  /** Raises the envelope over positions [from, to) to every channel's interpolated peaks. */
  private interpolate(from: number, to: number, atEnd: boolean): void {
    // Interval m reads inputs m + latency back over the taps: the first and (at the end) last few have no inputs to read.
    const first = Math.max(this.firstInterpolated, from);
    const last = atEnd ? Math.min(to, this.received - this.latency) : to;
    if (last <= first) return;
    for (const samples of this.samples) this.kernel(samples, first - this.base, last - this.base, this.envelope);
  }
}

/** Frames per internal step: the window's buffers stay in cache. */
const STEP = 16384;

/**
 * The largest peak-envelope value per {@link ENERGY_BLOCK} samples (what the
 * loudness predictor reads), computed as frames go by: equal to
 * `blockMaxima(computeTruePeakEnvelope(channels, filter, relevantAboveLinear))`
 * without the per-sample envelope of the whole track. With
 * `relevantAboveLinear` = Infinity nothing is interpolated: the block maxima
 * of the sample peaks (the loudness search's first stage). `envelopeSink`,
 * where given, receives the per-sample envelope as it becomes final, in
 * order and without gaps (valid only during the call): a limiter with the
 * same filter and relevance over the same input can read it instead of
 * interpolating again (`LimiterStreamOptions.envelope`).
 *
 * @example const tap = truePeakBlockMaximaTap(truePeakFilterFor(44100), 0.3, 2, length); tap.push(frames); const blockPeaks = tap.result();
 */
export function truePeakBlockMaximaTap(
  filter: TruePeakFilter,
  relevantAboveLinear: number,
  channelCount: number,
  length: number,
  envelopeSink?: (start: number, envelope: Float32Array) => void,
): StreamTap<Float32Array> {
  // A step of new frames, and what the window still reads before them: up to
  // three relevance blocks less one frame when a push ended mid-block.
  const window = new TruePeakEnvelopeWindow(filter, relevantAboveLinear, channelCount, STEP + 3 * RELEVANCE_BLOCK);
  const maxima = new Float32Array(Math.ceil(length / ENERGY_BLOCK));
  let done = 0;
  let sunk = 0;
  // Blocks are final up to finalUntil, a multiple of the block until the end cuts the last.
  const collect = () => {
    const { envelope, base, finalUntil } = window;
    if (envelopeSink && finalUntil > sunk) {
      envelopeSink(sunk, envelope.subarray(sunk - base, finalUntil - base));
      sunk = finalUntil;
    }
    if (done * ENERGY_BLOCK >= finalUntil) return;
    const peaks = blockPeaks(envelope.subarray(done * ENERGY_BLOCK - base, finalUntil - base), ENERGY_BLOCK);
    maxima.set(peaks, done);
    done += peaks.length;
  };
  return {
    push(frames) {
      const count = frames.length ? frames[0].length : 0;
      if (window.received + count > length) throw new RangeError(`true-peak tap told ${length} frames, given more`);
      for (let offset = 0; offset < count; offset += STEP) {
        const step = Math.min(STEP, count - offset);
        window.makeRoom(step, done * ENERGY_BLOCK);
        window.take(frames, offset, step);
        collect();
      }
    },
    result() {
      if (window.received !== length) throw new RangeError(`true-peak tap told ${length} frames, given ${window.received}`);
      window.end();
      collect();
      return maxima;
    },
  };
}
