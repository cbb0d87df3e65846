/**
 * The limiter's gain recursion with its state kept between calls: from
 * look-ahead peaks to the gain curve (hold with release, optionally dual,
 * then a moving average over the look-ahead window). The whole-track curve
 * ({@link writeLimiterGain} in limiter.ts) and the streaming limiter run this
 * one loop, so a curve written in pieces is the curve written whole, bit for bit.
 */
import type { LimiterTiming } from './limiter.ts';

export interface LimiterGainFollower {
  /**
   * Writes the gains of the next `to − from` samples, from their look-ahead
   * peaks `windowPeaks[from .. to)`, into `out[from .. to)`; returns the
   * smallest gain written so far (1 when nothing is limited).
   */
  write(windowPeaks: Float32Array, from: number, to: number, out: Float32Array): number;
}

/**
 * The gain recursion for `inputGain` × the signal under `ceilingLinear`, with
 * a look-ahead of `lookaheadSamples` (the window of the peaks fed in).
 *
 * @example const follower = createLimiterGainFollower(2, 0.89, 44100, 132, DEFAULT_LIMITER_TIMING); follower.write(windowPeaks, 0, windowPeaks.length, curve);
 */
export function createLimiterGainFollower(
  inputGain: number,
  ceilingLinear: number,
  sampleRateHz: number,
  lookaheadSamples: number,
  timing: LimiterTiming,
): LimiterGainFollower {
  const perSample = (ms: number) => Math.exp(-1 / ((ms / 1000) * sampleRateHz));
  const dual = timing.transientReleaseMs !== undefined;
  // Single release: the held gain releases at `releaseMs`. Dual release: the
  // fast stage holds every peak and lets go at `transientReleaseMs`; the slow
  // stage follows the fast one down over `sustainMs` and back up at
  // `releaseMs`; the gain is the lower of the two, so a lone peak's dip is
  // short while a dense passage's reduction stays steady (no pumping).
  const fastRelease = perSample(dual ? timing.transientReleaseMs! : timing.releaseMs);
  const slowAttack = dual ? perSample(timing.sustainMs ?? 20) : 0;
  const slowRelease = perSample(timing.releaseMs);
  const limit = ceilingLinear / inputGain;
  // Hold-with-release, then a moving average over lookahead + 1 samples (a
  // running sum in float64), in one pass. Before the first sample the first
  // gain is held: those virtual samples' windows reach into the start, so they
  // must already be ducked for its peaks.
  const window = lookaheadSamples + 1;
  const history = new Float64Array(window);
  let started = false;
  let sum = 0;
  let slot = 0;
  let held = 1;
  let slow = 1;
  let smallest = 1;
  return {
    write(windowPeaks, from, to, out) {
      if (to <= from) return smallest;
      if (!started) {
        // The first sample's gain (from unity, nothing held yet).
        const first = windowPeaks[from];
        const start = Math.fround(Math.min(first > limit ? limit / first : 1, 1));
        history.fill(start);
        sum = window * start;
        started = true;
      }
      // Settings and state in locals for the loop (closure slots are slower), the state back after it.
      // An unbounded ceiling (the predictions' unlimited case) as the largest
      // finite limit, so that lim / max(peak, lim) below stays exactly 1.
      const lim = Math.min(limit, Number.MAX_VALUE);
      const fast = fastRelease;
      const attack = slowAttack;
      const release = slowRelease;
      const size = window;
      const ring = history;
      let s = sum;
      let k = slot;
      let h = held;
      let sl = slow;
      let least = smallest;
      // Branch-free where the choice is a minimum: which of need and release
      // wins changes from sample to sample on real music, and mispredicted
      // branches made this loop twice as slow. lim / max(peak, lim) is exactly
      // 1 for a peak under the limit (samples are finite), as the branch gave.
      // Two loops rather than the dual test inside one: that cost ~10 %.
      if (dual) {
        for (let n = from; n < to; n++) {
          h = Math.min(lim / Math.max(windowPeaks[n], lim), 1 - (1 - h) * fast);
          // The slow stage in the linear domain: down toward the fast stage over sustainMs, up at releaseMs.
          sl = h < sl ? h + (sl - h) * attack : 1 - (1 - sl) * release;
          // The gain as stored (single precision), as the average has always seen it.
          const value = Math.fround(Math.min(h, sl));
          s += value - ring[k];
          ring[k] = value;
          k = k + 1 === size ? 0 : k + 1;
          const smoothed = Math.fround(s / size);
          out[n] = smoothed;
          least = Math.min(least, smoothed);
        }
      } else {
        for (let n = from; n < to; n++) {
          h = Math.min(lim / Math.max(windowPeaks[n], lim), 1 - (1 - h) * fast);
          const value = Math.fround(h);
          s += value - ring[k];
          ring[k] = value;
          k = k + 1 === size ? 0 : k + 1;
          const smoothed = Math.fround(s / size);
          out[n] = smoothed;
          least = Math.min(least, smoothed);
        }
      }
      sum = s;
      slot = k;
      held = h;
      slow = sl;
      smallest = least;
      return least;
    },
  };
}
