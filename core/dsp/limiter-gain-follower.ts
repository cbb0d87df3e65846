/**
 * The limiter's gain recursion with its state kept between calls: from
 * look-ahead peaks to the gain curve (hold with release, optionally dual,
 * then a moving average over the look-ahead window). The whole-track curve
 * ({@link writeLimiterGain} in limiter.ts) and the streaming limiter run this
 * one loop, so a curve written in pieces is the curve written whole, bit for
 * bit. In WebAssembly (limiter-gain.wat) where the switch allows, else in
 * JavaScript: the same values bit for bit.
 */
import type { LimiterTiming } from './limiter.ts';
import { WASM_BASE64 } from './wasm/limiter-gain.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';

interface LimiterGainExports {
  readonly memory: WebAssembly.Memory;
  follow(
    peaks: number,
    out: number,
    count: number,
    ring: number,
    size: number,
    slot: number,
    lim: number,
    fast: number,
    attack: number,
    release: number,
    dual: number,
    state: number,
  ): number;
}

/** Samples copied in (peaks) and out (gains) at a time. */
const CHUNK = 16384;
/** The longest look-ahead window the module holds (a window of 16384 samples is 85 ms at 192 kHz); a longer one runs in JavaScript. */
const RING_MAX = 16384;
const STATE = 0;
const RING = 64;
const PEAKS = RING + 8 * RING_MAX;
const OUT = PEAKS + 4 * CHUNK;
const MEMORY_BYTES = OUT + 4 * CHUNK;

let kernel: { exports: LimiterGainExports; f32: Float32Array; f64: Float64Array } | null | undefined;

function gainKernel() {
  if (!simdEnabled()) return null;
  if (kernel === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<LimiterGainExports>(module, MEMORY_BYTES, { follow: true });
    kernel = exports && { exports, f32: new Float32Array(exports.memory.buffer), f64: new Float64Array(exports.memory.buffer) };
  }
  return kernel;
}

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
      const wasm = size <= RING_MAX ? gainKernel() : null;
      if (wasm) {
        // The ring and the state go into the module's memory for the call and come back after it.
        const { exports, f32, f64 } = wasm;
        f64.set(ring, RING / 8);
        f64[STATE / 8] = s;
        f64[STATE / 8 + 1] = h;
        f64[STATE / 8 + 2] = sl;
        f64[STATE / 8 + 3] = least;
        for (let n = from; n < to; n += CHUNK) {
          const count = Math.min(CHUNK, to - n);
          f32.set(windowPeaks.subarray(n, n + count), PEAKS / 4);
          k = exports.follow(PEAKS, OUT, count, RING, size, k, lim, fast, attack, release, dual ? 1 : 0, STATE);
          out.set(f32.subarray(OUT / 4, OUT / 4 + count), n);
        }
        ring.set(f64.subarray(RING / 8, RING / 8 + size));
        sum = f64[STATE / 8];
        slot = k;
        held = f64[STATE / 8 + 1];
        slow = f64[STATE / 8 + 2];
        smallest = f64[STATE / 8 + 3];
        return smallest;
      }
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
