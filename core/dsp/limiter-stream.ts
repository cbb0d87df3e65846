/**
 * The look-ahead true-peak limiter as a stream stage: the same gain curve as
 * the whole-track halves in limiter.ts (peak envelope → look-ahead maxima →
 * gain recursion), computed over a window of recent frames, so a track of any
 * length is limited in memory set by the look-ahead, not the duration.
 *
 * Output lags input by a fixed {@link LimiterStreamLatency}: the look-ahead,
 * plus up to two 64-sample relevance blocks (a block's envelope is final only
 * once the next block has arrived). Each output frame is written in place
 * over the input frame that arrived that many frames after it.
 */
import { frameLength, type Frames, type StreamStage } from './stream-stage.ts';
import type { TruePeakFilter } from './truepeak-filter.ts';
import type { LimiterTiming } from './limiter.ts';
import { createLimiterGainFollower } from './limiter-gain-follower.ts';
import { slidingMax } from './sliding-max.ts';
import { applyGainCurve, scaleChannels } from './channel-gains.ts';
import { RELEVANCE_BLOCK, TruePeakEnvelopeWindow, type EnvelopeWindow } from './truepeak-envelope-stream.ts';
import { StoredEnvelopeWindow, type EnvelopeReader } from './stored-envelope-window.ts';
import { copySamples } from '../audio/copy-samples.ts';

export interface LimiterStreamOptions {
  /** The interpolator of the true peaks the limiter reacts to. */
  readonly filter: TruePeakFilter;
  /** Peaks are interpolated only where they can reach this level (linear, before `inputGain`). */
  readonly relevantAboveLinear: number;
  /** The loudness gain in front of the limiter (linear). */
  readonly inputGain: number;
  /** The ceiling `inputGain` × the signal is held under (linear). */
  readonly ceilingLinear: number;
  /** A gain after the limiter (the guard's trim), applied as a second rounding step; 1 when absent. */
  readonly outputGain?: number;
  /** Frames the whole input will have. */
  readonly length: number;
  /**
   * Receives the gain curve as it is written: the gains of frames
   * [start, start + gains.length), valid only during the call. A render that
   * keeps them can apply the same limiting again without computing it.
   */
  readonly gainSink?: (start: number, gains: Float32Array) => void;
  /**
   * The input's peak envelope as a true-peak tap with the same filter and
   * relevance computed it over the same input (its envelope sink), read
   * instead of interpolated again: the same output for less work.
   */
  readonly envelope?: EnvelopeReader;
}

export interface LimiterStreamReport {
  /** The deepest gain of the curve (1 when nothing was limited). */
  readonly smallestGain: number;
}

/** Frames per internal step: the window's buffers stay in cache. */
const STEP = 16384;

/** Frames the output lags the input for a look-ahead of `lookaheadSamples`. */
export function limiterStreamLatency(lookaheadSamples: number): number {
  return lookaheadSamples + 2 * RELEVANCE_BLOCK - 1;
}

/**
 * y[n] = x[n] · g[n] · inputGain (· outputGain), with g the curve
 * {@link writeLimiterGain} writes from the look-ahead peaks of the
 * true-peak envelope, for blocks of any size.
 *
 * @example const stage = createLimiterStream(44100, 132, DEFAULT_LIMITER_TIMING, { filter, relevantAboveLinear: 0.3, inputGain: 2, ceilingLinear: 0.89, length });
 */
export function createLimiterStream(
  sampleRateHz: number,
  lookaheadSamples: number,
  timing: LimiterTiming,
  options: LimiterStreamOptions,
): StreamStage<LimiterStreamReport> {
  const { filter, relevantAboveLinear, inputGain, ceilingLinear, length } = options;
  const outputGain = options.outputGain ?? 1;
  const latency = limiterStreamLatency(lookaheadSamples);
  const capacity = STEP + latency + 3 * RELEVANCE_BLOCK;
  const follower = createLimiterGainFollower(inputGain, ceilingLinear, sampleRateHz, lookaheadSamples, timing);
  const windowPeaks = new Float32Array(capacity);
  const gains = new Float32Array(capacity);
  let frames: EnvelopeWindow | null = null;
  /** Positions before these have their look-ahead peaks, and their gains and output. */
  let peaksDone = 0;
  let emitted = 0;
  let smallest = 1;
  let finished = false;

  /** Look-ahead peaks as far as the envelope allows, then gains and output for [emitted, until) into `out` from `outAt`. */
  const advance = (window: EnvelopeWindow, until: number, out: Frames, outAt: number, atEnd: boolean) => {
    const { base, finalUntil, envelope } = window;
    const peaksUntil = atEnd ? finalUntil : finalUntil - lookaheadSamples;
    if (peaksUntil > peaksDone) {
      // Windows past the envelope's final part are cut short: only the first peaksUntil − peaksDone are kept.
      slidingMax(envelope.subarray(peaksDone - base, finalUntil - base), lookaheadSamples + 1, windowPeaks.subarray(peaksDone - base, finalUntil - base));
      peaksDone = peaksUntil;
    }
    if (until <= emitted) return;
    smallest = follower.write(windowPeaks, emitted - base, until - base, gains);
    const from = emitted - base;
    const count = until - emitted;
    options.gainSink?.(emitted, gains.subarray(from, from + count));
    const target = out.map((samples, c) => {
      const y = samples.subarray(outAt, outAt + count);
      copySamples(y, 0, window.samples[c].subarray(from, from + count));
      return y;
    });
    applyGainCurve(target, gains.subarray(from, from + count), inputGain, 0, count);
    // The guard's trim as its own rounding step, as when it scaled the limited output.
    if (outputGain !== 1) scaleChannels(target, outputGain);
    emitted = until;
  };

  return {
    push(input) {
      if (finished) throw new Error('limiter stream pushed after finish');
      const count = frameLength(input);
      frames ??= options.envelope
        ? new StoredEnvelopeWindow(options.envelope, input.length, capacity)
        : new TruePeakEnvelopeWindow(filter, relevantAboveLinear, input.length, capacity);
      const window = frames;
      const first = window.received;
      if (first + count > length) throw new RangeError(`limiter stream told ${length} frames, given more`);
      for (let offset = 0; offset < count; offset += STEP) {
        const step = Math.min(STEP, count - offset);
        const used = window.received - window.base;
        const shift = window.makeRoom(step, emitted);
        if (shift > 0) windowPeaks.copyWithin(0, shift, used);
        window.take(input, offset, step);
        // Output n lands over input n + latency, which has just been taken.
        const until = window.received - latency;
        if (until > emitted) advance(window, until, input, emitted + latency - first, false);
      }
      const start = Math.max(0, first - latency) + latency - first;
      return input.map((samples) => samples.subarray(Math.min(start, count), count));
    },
    finish() {
      if (finished) throw new Error('limiter stream finished twice');
      finished = true;
      if (!frames) return [];
      const window = frames;
      if (window.received !== length) throw new RangeError(`limiter stream told ${length} frames, given ${window.received}`);
      window.end();
      const out = window.samples.map(() => new Float32Array(length - emitted));
      advance(window, length, out, 0, true);
      return out;
    },
    report() {
      return { smallestGain: smallest };
    },
  };
}
