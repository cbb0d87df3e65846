/**
 * The model behind the loudness search: the limited output's integrated
 * loudness predicted for a candidate gain without filtering anything again.
 * The K-weighted energy of the pre-limiter signal is computed once, per
 * {@link ENERGY_BLOCK} samples; the limiter's gain curve (slow against the
 * K-weighting) scales it, and the limiter itself runs at control rate on
 * block peaks. One prediction is two linear passes over block values.
 */
import { defaultChannelWeights } from '../dsp/channel-weights.ts';
import { kWeightedSquareSum, kWeightedSquareSumPair, K_WEIGHTING_STATE_SLOTS, packKWeighting } from '../dsp/kweighted-energy.ts';
import { kWeightedBlockEnergyPairSimd } from '../dsp/stereo-biquads-simd.ts';
import { designKWeighting } from '../dsp/kweighting.ts';
import { computeLimiterGain, lookaheadPeaks, lookaheadSamplesFor, type LimiterTiming } from '../dsp/limiter.ts';
import { integratedLoudness } from '../dsp/loudness-gating.ts';
import { blockMaximaSimd, SIMD_MAX_BLOCK } from '../dsp/sliding-max-simd.ts';

/** Samples per energy block and per control-rate limiter step. */
export const ENERGY_BLOCK = 16;
/** Never amplify by more than this, whatever the goal (a near-silent target stays quiet). */
export const MAX_LOUDNESS_GAIN_DB = 40;

/** Predicted integrated loudness (LUFS) at `gainDb` into a limiter with ceiling `ceilingLinear`. */
export type LoudnessPredictor = (gainDb: number, ceilingLinear: number) => number | null;

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/** Channel-weighted K-weighted energy per {@link ENERGY_BLOCK} samples (the meter's own K-weighting loop). */
export function kWeightedBlockEnergy(channels: readonly Float32Array[], sampleRateHz: number): Float64Array {
  const length = channels.length ? channels[0].length : 0;
  const blocks = Math.ceil(length / ENERGY_BLOCK);
  const energy = new Float64Array(blocks);
  const packed = packKWeighting(...designKWeighting(sampleRateHz));
  const weights = defaultChannelWeights(channels.length);
  const state = new Float64Array(2 * K_WEIGHTING_STATE_SLOTS);
  if (channels.length === 2) {
    const [left, right] = channels;
    if (kWeightedBlockEnergyPairSimd(left, right, weights[0], weights[1], ENERGY_BLOCK, packed, energy)) return energy;
    // Both recursions in one loop (the meter's pair kernel): the same sums, half the wall time.
    for (let b = 0; b < blocks; b++) {
      const start = b * ENERGY_BLOCK;
      const end = Math.min(length, start + ENERGY_BLOCK);
      energy[b] = kWeightedSquareSumPair(left, right, weights[0], weights[1], start, end, packed, state, 0, K_WEIGHTING_STATE_SLOTS);
    }
    return energy;
  }
  channels.forEach((samples, c) => {
    const weight = weights[c];
    if (weight === 0) return;
    state.fill(0);
    for (let b = 0; b < blocks; b++) {
      const start = b * ENERGY_BLOCK;
      energy[b] += weight * kWeightedSquareSum(samples, start, Math.min(length, start + ENERGY_BLOCK), packed, state, 0);
    }
  });
  return energy;
}

/**
 * Integrated loudness of `gain` × block gains × signal, from the block energies:
 * 100 ms sub-blocks, 400 ms gating blocks with 75 % overlap, gated per BS.1770.
 */
export function predictLoudness(
  energy: Float64Array,
  blockGains: Float32Array | null,
  gain: number,
  subBlock: number,
  length: number,
): number | null {
  const subBlocks = Math.floor(length / subBlock);
  if (subBlocks < 4) return null;
  const subEnergy = new Float64Array(subBlocks);
  // Each energy block goes to the sub-block its first sample falls in (a running boundary, no division per block).
  let s = 0;
  let nextBoundary = subBlock;
  for (let b = 0; b < energy.length; b++) {
    const first = b * ENERGY_BLOCK;
    while (first >= nextBoundary) {
      s++;
      nextBoundary += subBlock;
    }
    if (s >= subBlocks) break;
    const g = blockGains ? blockGains[b] : 1;
    subEnergy[s] += g * g * energy[b];
  }
  const blocks = subBlocks - 3;
  const blockEnergy = new Float64Array(blocks);
  const scale = (gain * gain) / (4 * subBlock);
  for (let j = 0; j < blocks; j++) {
    blockEnergy[j] = (subEnergy[j] + subEnergy[j + 1] + subEnergy[j + 2] + subEnergy[j + 3]) * scale;
  }
  return integratedLoudness(blockEnergy);
}

/** Largest value of each {@link ENERGY_BLOCK}-sample block (of a peak envelope, ≥ 0). */
function blockMaxima(envelope: Float32Array): Float32Array {
  if (ENERGY_BLOCK === SIMD_MAX_BLOCK) {
    const simd = blockMaximaSimd(envelope);
    if (simd) return simd;
  }
  const blocks = Math.ceil(envelope.length / ENERGY_BLOCK);
  const out = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let peak = 0;
    const end = Math.min(envelope.length, (b + 1) * ENERGY_BLOCK);
    for (let i = b * ENERGY_BLOCK; i < end; i++) if (envelope[i] > peak) peak = envelope[i];
    out[b] = peak;
  }
  return out;
}

/**
 * The limiter at control rate (one value per {@link ENERGY_BLOCK} samples) for
 * predictions: same look-ahead and release in milliseconds, block peaks in.
 */
function controlRateModel(envelope: Float32Array, sampleRateHz: number, timing: LimiterTiming) {
  const controlRateHz = sampleRateHz / ENERGY_BLOCK;
  const lookaheadBlocks = Math.ceil(lookaheadSamplesFor(sampleRateHz, timing) / ENERGY_BLOCK) + 1;
  const windowPeaks = lookaheadPeaks(blockMaxima(envelope), lookaheadBlocks);
  const blockTiming: LimiterTiming = { lookaheadMs: (lookaheadBlocks * 1000) / controlRateHz, releaseMs: timing.releaseMs };
  const gainCurve = new Float32Array(windowPeaks.length);
  return (gain: number, ceilingLinear: number) =>
    computeLimiterGain(windowPeaks, gain, ceilingLinear, controlRateHz, blockTiming, gainCurve);
}

/**
 * The loudness predictor for a signal with block energies `energy` and peak
 * envelope `envelope`.
 *
 * @example const predict = createLoudnessPredictor(energy, envelope, 44100, timing); predict(12, 0.89) // LUFS at +12 dB
 */
export function createLoudnessPredictor(
  energy: Float64Array,
  envelope: Float32Array,
  sampleRateHz: number,
  timing: LimiterTiming,
): LoudnessPredictor {
  const model = controlRateModel(envelope, sampleRateHz, timing);
  const subBlock = Math.round(0.1 * sampleRateHz);
  return (gainDb, ceilingLinear) => {
    const gain = dbToLinear(gainDb);
    return predictLoudness(energy, model(gain, ceilingLinear), gain, subBlock, envelope.length);
  };
}

/**
 * Finds the gain (dB) whose predicted loudness meets `goal`: the prediction
 * rises monotonically with the gain, so a bracketed secant search converges
 * in a handful of predictions.
 */
export function solveGain(predict: (gainDb: number) => number | null, goal: number, startDb: number, maxDb: number): number {
  let lowDb = Math.max(-MAX_LOUDNESS_GAIN_DB, startDb - 12);
  let highDb = maxDb;
  let x0 = Math.min(startDb, highDb);
  let f0 = (predict(x0) ?? -Infinity) - goal;
  if (Math.abs(f0) < 0.005) return x0;
  let x1 = Math.min(highDb, x0 + (f0 < 0 ? Math.min(-f0 * 1.5, 6) : -Math.min(f0, 6)));
  for (let i = 0; i < 12; i++) {
    const f1 = (predict(x1) ?? -Infinity) - goal;
    if (Math.abs(f1) < 0.005) return x1;
    if (f1 < 0) lowDb = Math.max(lowDb, x1);
    else highDb = Math.min(highDb, x1);
    let next = Number.isFinite(f0) && Number.isFinite(f1) && f1 !== f0 ? x1 - (f1 * (x1 - x0)) / (f1 - f0) : (lowDb + highDb) / 2;
    if (!(next > lowDb && next < highDb)) next = (lowDb + highDb) / 2;
    x0 = x1;
    f0 = f1;
    x1 = next;
    if (highDb - lowDb < 0.002) break;
  }
  return x1;
}

