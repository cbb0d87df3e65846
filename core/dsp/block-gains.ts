/**
 * Slowly varying gains applied to channels in place: one gain per
 * {@link GAIN_BLOCK} samples, ramped linearly to the next block's, so a
 * control-rate gain (a compressor's, a gain rider's) reaches the samples
 * without steps. In WebAssembly SIMD where the runtime has it, with the same
 * samples as the JavaScript loop.
 */
import { applyRampGainsSimd, SIMD_RAMP_BLOCK } from './channel-gain-simd.ts';

/** Samples per gain value. */
export const GAIN_BLOCK = SIMD_RAMP_BLOCK;

/**
 * samples[16b + k] *= gains[b] + (gains[b + 1] − gains[b]) / 16 · k on every
 * channel; `gains` holds one value per {@link GAIN_BLOCK} samples and one more.
 *
 * @example applyGainRamps([left, right], gains) // gains.length === Math.ceil(left.length / 16) + 1
 */
export function applyGainRamps(channels: readonly Float32Array[], gains: Float32Array): void {
  if (applyRampGainsSimd(channels, gains)) return;
  const length = channels.length ? channels[0].length : 0;
  const blocks = Math.ceil(length / GAIN_BLOCK);
  const step = 1 / GAIN_BLOCK;
  for (let c = 0; c < channels.length; c++) {
    const samples = channels[c];
    for (let b = 0; b < blocks; b++) {
      const start = b * GAIN_BLOCK;
      const end = Math.min(length, start + GAIN_BLOCK);
      const g0 = gains[b];
      const dg = (gains[b + 1] - g0) * step;
      // g0 + dg·k rather than a running sum: no chain from one sample to the next.
      for (let i = start, k = 0; i < end; i++, k++) samples[i] *= g0 + dg * k;
    }
  }
}
