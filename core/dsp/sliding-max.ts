/**
 * Sliding maximum of a non-negative series (the limiter's look-ahead peaks):
 * in WebAssembly SIMD where the runtime has it and the switch allows, else the
 * van Herk scan in JavaScript; the maximum is exact, so both give the same values.
 */
import { slidingMaxSimd } from './sliding-max-simd.ts';

/**
 * out[n] = max(values[n .. n + window − 1]), the window cut at the end (as if
 * zeros followed), for non-negative `values`. `out` may be `values` only where
 * SIMD runs; callers that alias pass separate arrays.
 *
 * @example slidingMax(envelope, 133, peaks);
 */
export function slidingMax(values: Float32Array, window: number, out: Float32Array): Float32Array {
  return slidingMaxSimd(values, window, out) ?? scalarSlidingMax(values, window, out);
}

/**
 * {@link slidingMax} in plain JavaScript (the fallback and the yardstick).
 * Van Herk / Gil–Werman: with blocks as long as the window, the maximum over a
 * window is max(suffix maximum in its first block, prefix maximum in the next)
 * — three comparisons per sample whatever the window length. Only one block
 * of prefix maxima is held at a time, so the extra memory is one window.
 * `out` must not be `values`.
 *
 * @example scalarSlidingMax(envelope, 133, new Float32Array(envelope.length));
 */
export function scalarSlidingMax(values: Float32Array, window: number, out: Float32Array): Float32Array {
  const length = values.length;
  if (out.length !== length) throw new RangeError('out must be as long as values');
  const nextPrefix = new Float32Array(window);
  const suffixInto = (start: number, end: number) => {
    let running = 0;
    for (let i = end - 1; i >= start; i--) {
      if (values[i] > running) running = values[i];
      out[i] = running;
    }
  };
  suffixInto(0, Math.min(length, window));
  for (let start = 0; start < length; start += window) {
    const end = Math.min(length, start + window);
    const nextEnd = Math.min(length, end + window);
    let running = 0;
    for (let i = end; i < nextEnd; i++) {
      if (values[i] > running) running = values[i];
      nextPrefix[i - end] = running;
    }
    // Window [n, n + window − 1] spans the suffix of this block and the prefix of the next, cut at the end.
    for (let n = start + 1; n < end; n++) {
      const last = Math.min(n + window - 1, length - 1);
      if (last >= end) {
        const right = nextPrefix[last - end];
        if (right > out[n]) out[n] = right;
      }
    }
    if (end < length) suffixInto(end, nextEnd);
  }
  return out;
}
