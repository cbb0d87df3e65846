/**
 * The model behind the loudness search: the limited output's integrated
 * loudness predicted for a candidate gain without filtering anything again.
 * The K-weighted energy of the pre-limiter signal is computed once, per
 * {@link ENERGY_BLOCK} samples; the limiter's gain curve (slow against the
 * K-weighting) scales it, and the limiter itself runs at control rate on
 * block peaks. One prediction is two linear passes over block values.
 */
import { ENERGY_BLOCK } from '../dsp/kweighted-blocks.ts';
import { computeLimiterGain, lookaheadPeaks, lookaheadSamplesFor, type LimiterTiming } from '../dsp/limiter.ts';
import { integratedLoudness, loudnessRange } from '../dsp/loudness-gating.ts';
import { blockPeaks } from '../dsp/block-peaks.ts';

/** Never amplify by more than this, whatever the goal (a near-silent target stays quiet). */
export const MAX_LOUDNESS_GAIN_DB = 40;

/** Predicted integrated loudness (LUFS) at `gainDb` into a limiter with ceiling `ceilingLinear`. */
export type LoudnessPredictor = (gainDb: number, ceilingLinear: number) => number | null;

export { ENERGY_BLOCK, kWeightedBlockEnergy } from '../dsp/kweighted-blocks.ts';

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/** 100 ms sub-blocks per 3 s short-term window (EBU Tech 3342: one every 100 ms). */
const SHORT_TERM_SUB_BLOCKS = 30;

/**
 * Energy of `gain` × block gains × signal per 100 ms sub-block (`subBlock`
 * samples); each energy block goes to the sub-block its first sample falls in.
 */
function subBlockEnergies(energy: Float64Array, blockGains: Float32Array | null, gain: number, subBlock: number, length: number): Float64Array {
  const subBlocks = Math.floor(length / subBlock);
  const subEnergy = new Float64Array(subBlocks);
  // Sub-block s takes the blocks whose first sample is in [s·subBlock, (s + 1)·subBlock);
  // each sub-block's sum runs in a local, in block order (the rider plans with many predictions).
  let b = 0;
  for (let s = 0; s < subBlocks; s++) {
    const end = Math.min(energy.length, Math.ceil(((s + 1) * subBlock) / ENERGY_BLOCK));
    let sum = 0;
    if (blockGains) {
      for (; b < end; b++) {
        const g = blockGains[b];
        sum += g * g * energy[b];
      }
    } else {
      for (; b < end; b++) sum += energy[b];
    }
    subEnergy[s] = sum;
  }
  const scale = gain * gain;
  if (scale !== 1) for (let j = 0; j < subBlocks; j++) subEnergy[j] *= scale;
  return subEnergy;
}

/** Mean squares of the windows of `span` sub-blocks every sub-block (the 400 ms gating blocks, the 3 s short-term windows). */
function windowMeanSquares(subEnergy: Float64Array, span: number, subBlock: number): Float64Array {
  const windows = Math.max(0, subEnergy.length - span + 1);
  const out = new Float64Array(windows);
  let running = 0;
  for (let j = 0; j < subEnergy.length; j++) {
    running += subEnergy[j];
    if (j >= span) running -= subEnergy[j - span];
    if (j >= span - 1) out[j - span + 1] = running / (span * subBlock);
  }
  return out;
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
  const subEnergy = subBlockEnergies(energy, blockGains, gain, subBlock, length);
  if (subEnergy.length < 4) return null;
  return integratedLoudness(windowMeanSquares(subEnergy, 4, subBlock));
}

/** Loudness range (EBU Tech 3342) of `gain` × block gains × signal, from the block energies. */
export function predictLoudnessRange(
  energy: Float64Array,
  blockGains: Float32Array | null,
  gain: number,
  subBlock: number,
  length: number,
): number | null {
  const subEnergy = subBlockEnergies(energy, blockGains, gain, subBlock, length);
  if (subEnergy.length < SHORT_TERM_SUB_BLOCKS) return null;
  return loudnessRange(windowMeanSquares(subEnergy, SHORT_TERM_SUB_BLOCKS, subBlock));
}

/** Largest value of each {@link ENERGY_BLOCK}-sample block (of a peak envelope, ≥ 0). */
export function blockMaxima(envelope: Float32Array): Float32Array {
  return blockPeaks(envelope, ENERGY_BLOCK);
}

/**
 * Arrays as long as the block peaks that predictors made one after another
 * may share (the rider's search makes one per candidate ratio): a fresh
 * whole-track array costs more in page faults than a prediction over it. A
 * predictor made with them is valid until the next one is made with them.
 */
export interface PredictorBuffers {
  /** The look-ahead peaks (may be the block peaks themselves when the caller is done with them). */
  readonly windowPeaks: Float32Array;
  readonly gainCurve: Float32Array;
}

/**
 * The limiter at control rate (one value per {@link ENERGY_BLOCK} samples) for
 * predictions: same look-ahead and release in milliseconds, block peaks in.
 */
function controlRateModel(blockPeaks: Float32Array, sampleRateHz: number, timing: LimiterTiming, buffers?: PredictorBuffers) {
  const controlRateHz = sampleRateHz / ENERGY_BLOCK;
  const lookaheadBlocks = Math.ceil(lookaheadSamplesFor(sampleRateHz, timing) / ENERGY_BLOCK) + 1;
  const windowPeaks = lookaheadPeaks(blockPeaks, lookaheadBlocks, buffers?.windowPeaks);
  const blockTiming: LimiterTiming = { ...timing, lookaheadMs: (lookaheadBlocks * 1000) / controlRateHz };
  const gainCurve = buffers?.gainCurve ?? new Float32Array(windowPeaks.length);
  return (gain: number, ceilingLinear: number) =>
    computeLimiterGain(windowPeaks, gain, ceilingLinear, controlRateHz, blockTiming, gainCurve);
}

/** What a limited programme is predicted to measure. */
export interface ProgrammePrediction {
  readonly integratedLufs: number | null;
  readonly loudnessRangeLu: number | null;
}

export interface ProgrammePredictor {
  /** Integrated loudness (LUFS) at `gainDb` into a limiter with ceiling `ceilingLinear`. */
  readonly loudness: LoudnessPredictor;
  /** Integrated loudness and loudness range at `gainDb` into the limiter. */
  programme(gainDb: number, ceilingLinear: number): ProgrammePrediction;
  /** Integrated loudness at `gainDb` into the limiter of the samples [fromSample, toSample) alone. */
  regionLoudness(gainDb: number, ceilingLinear: number, fromSample: number, toSample: number): number | null;
}

/**
 * Predictions for a signal given as K-weighted energy and peak per
 * {@link ENERGY_BLOCK} samples (`length` samples in all), working in
 * `buffers` where given (see {@link PredictorBuffers}).
 *
 * @example const predictor = createBlockPredictor(energy, blockMaxima(envelope), length, 44100, timing); predictor.programme(6, 0.89)
 */
export function createBlockPredictor(
  energy: Float64Array,
  blockPeaks: Float32Array,
  length: number,
  sampleRateHz: number,
  timing: LimiterTiming,
  buffers?: PredictorBuffers,
): ProgrammePredictor {
  const model = controlRateModel(blockPeaks, sampleRateHz, timing, buffers);
  const subBlock = Math.round(0.1 * sampleRateHz);
  // A search ends on a gain it has just predicted, and its caller then asks
  // for that gain's programme (or loudness) again: the last curve and loudness
  // are kept and given back for the same gain and ceiling instead of limiting again.
  let last: { gainDb: number; ceilingLinear: number; curve: Float32Array; integratedLufs: number | null | undefined } | null = null;
  const at = (gainDb: number, ceilingLinear: number) => {
    if (last?.gainDb !== gainDb || last.ceilingLinear !== ceilingLinear) {
      last = { gainDb, ceilingLinear, curve: model(dbToLinear(gainDb), ceilingLinear), integratedLufs: undefined };
    }
    return last;
  };
  const integrated = (gainDb: number, ceilingLinear: number) => {
    const point = at(gainDb, ceilingLinear);
    if (point.integratedLufs === undefined) point.integratedLufs = predictLoudness(energy, point.curve, dbToLinear(gainDb), subBlock, length);
    return point.integratedLufs;
  };
  return {
    loudness: integrated,
    programme(gainDb, ceilingLinear) {
      const integratedLufs = integrated(gainDb, ceilingLinear);
      return { integratedLufs, loudnessRangeLu: predictLoudnessRange(energy, at(gainDb, ceilingLinear).curve, dbToLinear(gainDb), subBlock, length) };
    },
    regionLoudness(gainDb, ceilingLinear, fromSample, toSample) {
      const { curve } = at(gainDb, ceilingLinear);
      const first = Math.floor(fromSample / ENERGY_BLOCK);
      const end = Math.min(energy.length, Math.ceil(toSample / ENERGY_BLOCK));
      return predictLoudness(energy.subarray(first, end), curve.subarray(first, end), dbToLinear(gainDb), subBlock, (end - first) * ENERGY_BLOCK);
    },
  };
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
  return createBlockPredictor(energy, blockMaxima(envelope), envelope.length, sampleRateHz, timing).loudness;
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

