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
 * interpolated onto `blocks` + 1 points every `block` samples (into `out` where given).
 */
export function interpolateSteps(values: ArrayLike<number>, step: number, block: number, blocks: number, out: Float64Array = new Float64Array(blocks + 1)): Float64Array {
  if (out.length !== blocks + 1) throw new RangeError(`interpolateSteps writes ${blocks + 1} points, not ${out.length}`);
  const last = values.length - 1;
  if (last < 0) return out.fill(NaN);
  // Step by step, the points whose position falls in it (before the first
  // middle, all of the first; past the last, the last), with the arithmetic of
  // interpolateStepAt: the same values without finding the step per point.
  let b = 0;
  for (let j = 0; j <= last && b <= blocks; j++) {
    const from = values[j];
    const rise = values[j < last ? j + 1 : last] - from;
    for (; b <= blocks; b++) {
      const position = (b * block) / step - 0.5;
      if (j < last && Math.floor(position) > j) break;
      out[b] = from + Math.max(0, Math.min(1, position - j)) * rise;
    }
  }
  return out;
}

/**
 * Point `b` of {@link interpolateSteps} alone: a stage that walks the blocks
 * in order takes its value as it gets there instead of holding one per block.
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
