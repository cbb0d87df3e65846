/**
 * The largest value of each block of a non-negative series (a peak
 * envelope): in WebAssembly SIMD for 16-value blocks where the runtime has it
 * and the switch allows, else in JavaScript, with the same values.
 */
import { blockMaximaSimd, SIMD_MAX_BLOCK } from './sliding-max-simd.ts';

/**
 * max(values[b·block … (b+1)·block − 1]) per block, the last block cut at the end.
 *
 * @example const peaks = blockPeaks(envelope, 16);
 */
export function blockPeaks(values: Float32Array, block: number): Float32Array {
  if (block === SIMD_MAX_BLOCK) {
    const simd = blockMaximaSimd(values);
    if (simd) return simd;
  }
  const blocks = Math.ceil(values.length / block);
  const out = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let peak = 0;
    const end = Math.min(values.length, (b + 1) * block);
    for (let i = b * block; i < end; i++) if (values[i] > peak) peak = values[i];
    out[b] = peak;
  }
  return out;
}
