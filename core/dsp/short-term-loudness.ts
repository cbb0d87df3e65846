/**
 * Short-term loudness (BS.1770, 3 s) centred on each step of a control grid,
 * from K-weighted block energies: what a slow, look-ahead dynamics stage
 * follows. The meter's short-term loudness ends at the moment it reports;
 * here the window is centred, so a stage reacts to a louder passage as it
 * arrives, not 1.5 s into it.
 */
import { ENERGY_BLOCK } from './kweighted-blocks.ts';
import { energyToLufs } from './loudness-gating.ts';

export const SHORT_TERM_SECONDS = 3;

/**
 * LUFS per `step` samples (−∞ where silent) of the 3 s window centred on each
 * step, from `energy` per {@link ENERGY_BLOCK} samples of a `length`-sample signal.
 *
 * @example centredShortTermLoudness(kWeightedBlockEnergy(channels, 44100), length, 44100, 4410)
 */
export function centredShortTermLoudness(energy: Float64Array, length: number, sampleRateHz: number, step: number): Float64Array {
  const steps = Math.max(1, Math.ceil(length / step));
  const stepEnergy = new Float64Array(steps);
  // Step j takes the blocks starting in it, [j·step, (j + 1)·step) (the last
  // step every block after), summed in block order: a block's step from
  // integer bounds per step rather than a division per block.
  let b = 0;
  for (let j = 0; j < steps; j++) {
    const end = j === steps - 1 ? energy.length : Math.min(energy.length, Math.ceil(((j + 1) * step) / ENERGY_BLOCK));
    let sum = 0;
    for (; b < end; b++) sum += energy[b];
    stepEnergy[j] = sum;
  }
  const half = Math.round((SHORT_TERM_SECONDS * sampleRateHz) / step / 2);
  const prefix = new Float64Array(steps + 1);
  for (let j = 0; j < steps; j++) prefix[j + 1] = prefix[j] + stepEnergy[j];
  const out = new Float64Array(steps);
  for (let j = 0; j < steps; j++) {
    const from = Math.max(0, j - half);
    const to = Math.min(steps, j + half);
    const samples = Math.min(length, to * step) - from * step;
    out[j] = energyToLufs(samples > 0 ? (prefix[to] - prefix[from]) / samples : 0) ?? -Infinity;
  }
  return out;
}

/**
 * Values given per `step` samples (each at the middle of its step), linearly
 * interpolated at point `b` of a grid of one point every `block` samples (the
 * first value before the first middle, the last past the last): a stage that
 * walks the blocks in order takes its value as it gets there instead of
 * holding one per block (`interpolateStepGains` walks them all as gains).
 *
 * @example const offsetDb = interpolateStepAt(stepOffsetsDb, 4410, 16, block);
 */
export function interpolateStepAt(values: ArrayLike<number>, step: number, block: number, b: number): number {
  const last = values.length - 1;
  const position = (b * block) / step - 0.5;
  const j = Math.max(0, Math.min(last, Math.floor(position)));
  const next = Math.min(last, j + 1);
  const t = Math.max(0, Math.min(1, position - j));
  return values[j] + t * (values[next] - values[j]);
}
