/**
 * Gains applied to channels in place: a gain curve times a constant over a
 * range (the limiter's), and a plain scale. In WebAssembly SIMD where the
 * runtime has it and the switch allows (core/wasm/simd-module.ts), else in
 * JavaScript; both give the same samples, so callers never choose.
 */
import { applyGainCurveSimd, scaleChannelsSimd } from './channel-gain-simd.ts';

/**
 * samples[i] *= curve[i] · gain for i in [start, end) on every channel.
 *
 * @example applyGainCurve([left, right], limiterCurve, 2.5, 0, left.length)
 */
export function applyGainCurve(channels: readonly Float32Array[], curve: Float32Array, gain: number, start: number, end: number): void {
  if (applyGainCurveSimd(channels, curve, gain, start, end)) return;
  for (const samples of channels) {
    for (let i = start; i < end; i++) samples[i] *= curve[i] * gain;
  }
}

/**
 * samples[i] *= factor on every channel.
 *
 * @example scaleChannels([left, right], 0.99)
 */
export function scaleChannels(channels: readonly Float32Array[], factor: number): void {
  if (scaleChannelsSimd(channels, factor)) return;
  for (const samples of channels) {
    for (let i = 0; i < samples.length; i++) samples[i] *= factor;
  }
}
