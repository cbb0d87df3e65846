/**
 * Loudness gain, true-peak limiter, loudness convergence and true-peak guard
 * (SPEC section 4, the end of the chain).
 *
 * The loudness gain is applied once, as one scalar in front of the limiter. It
 * is found by predicting the limited output's integrated loudness for a
 * candidate gain: the K-weighted energy of the pre-limiter signal is computed
 * once (per 16-sample block), and the limiter's gain curve, which is slow
 * against the K-weighting, scales it — so each prediction is two linear
 * passes, no filtering. Each round then renders and measures the output
 * exactly with the meter; if it misses the goal by more than the profile's
 * tolerance, the gain is corrected (bounded by the profile's maximum
 * correction) and the signal re-limited — at most three rounds. Last, the
 * true-peak guard trims whatever the measured true peak exceeds the ceiling by.
 */
import { createBiquadState, runBiquad } from '../dsp/biquad.ts';
import { defaultChannelWeights } from '../dsp/channel-weights.ts';
import { designKWeighting } from '../dsp/kweighting.ts';
import {
  applyLimiterGain,
  computeLimiterGain,
  computeTruePeakEnvelope,
  DEFAULT_LIMITER_TIMING,
  lookaheadPeaks,
  lookaheadSamplesFor,
  samplePeakEnvelope,
  type LimiterTiming,
} from '../dsp/limiter.ts';
import { integratedLoudness } from '../dsp/loudness-gating.ts';
import { createLoudnessMeter, type LoudnessResult } from '../dsp/loudness.ts';
import { truePeakFilterFor } from '../dsp/truepeak-filter.ts';

const ENERGY_BLOCK = 16;
const PIECE = 65536;
const MAX_ROUNDS = 3;
/** How far above the level-delta gain the search may go to make up for limiting. */
const SEARCH_HEADROOM_DB = 18;
/** Never amplify by more than this, whatever the goal (a near-silent target stays quiet). */
export const MAX_LOUDNESS_GAIN_DB = 40;
/** Stage-two true-peak interpolation covers peaks this much quieter than what the stage-one gain limits. */
const STAGE_TWO_MARGIN_DB = 3;
/** Guard trims to this far under the ceiling, so rounding in the encoder cannot cross it. */
const GUARD_MARGIN_DB = 0.02;

export interface ConvergenceSettings {
  readonly goalLufs: number | null;
  readonly limiterCeilingDbtp: number;
  readonly truePeakCeilingDbtp: number;
  readonly toleranceDb: number;
  readonly maxCorrectionDb: number;
  readonly timing?: LimiterTiming;
}

export interface ConvergenceRound {
  readonly gainDb: number;
  readonly predictedLufs: number | null;
  readonly measuredLufs: number | null;
  readonly truePeakDbtp: number | null;
}

export interface ConvergenceResult {
  /** The loudness gain applied in front of the limiter (dB). */
  readonly loudnessGainDb: number;
  readonly rounds: readonly ConvergenceRound[];
  /** Trim of the true-peak guard (dB, ≤ 0). */
  readonly guardTrimDb: number;
  /** Measurement of the final output (integrated, LRA, true peak). */
  readonly output: LoudnessResult;
  readonly limiterMaxReductionDb: number;
  readonly goalReached: boolean;
}

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/** Largest value of each {@link ENERGY_BLOCK}-sample block. */
function blockMaxima(envelope: Float32Array): Float32Array {
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
 * Levels, limits and verifies `channels` in place. With `verify: false` the
 * output is rendered at the predicted gain without the exact measurement
 * rounds (a first pass whose spectrum is all that is needed).
 *
 * @example const result = convergeLoudness(work.channels, 44100, { goalLufs: -10, limiterCeilingDbtp: -0.9, truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 });
 */
export function convergeLoudness(
  channels: Float32Array[],
  sampleRateHz: number,
  settings: ConvergenceSettings,
  verify = true,
): ConvergenceResult {
  const length = channels.length ? channels[0].length : 0;
  const timing = settings.timing ?? DEFAULT_LIMITER_TIMING;
  const energy = kWeightedBlockEnergy(channels, sampleRateHz);
  const subBlock = Math.round(0.1 * sampleRateHz);
  const ceilingLinear = dbToLinear(settings.limiterCeilingDbtp);
  const unlimited = predictLoudness(energy, null, 1, subBlock, length);
  const canLevel = settings.goalLufs !== null && unlimited !== null;

  // Stage 1: solve against sample peaks; stage 2: against true peaks, which
  // are only interpolated where they can matter at the stage-1 gain.
  let gainDb = canLevel ? Math.min(MAX_LOUDNESS_GAIN_DB, settings.goalLufs! - unlimited!) : 0;
  const maxGainDb = Math.min(MAX_LOUDNESS_GAIN_DB, gainDb + SEARCH_HEADROOM_DB);
  const predictor = (envelope: Float32Array) => {
    const model = controlRateModel(envelope, sampleRateHz, timing);
    return (candidateDb: number) => {
      const gain = dbToLinear(candidateDb);
      return predictLoudness(energy, model(gain, ceilingLinear), gain, subBlock, length);
    };
  };
  if (canLevel) gainDb = solveGain(predictor(samplePeakEnvelope(channels)), settings.goalLufs!, gainDb, maxGainDb);
  const filter = truePeakFilterFor(sampleRateHz);
  let envelope: Float32Array | null = computeTruePeakEnvelope(channels, filter, ceilingLinear / dbToLinear(gainDb + STAGE_TWO_MARGIN_DB));
  const predict = predictor(envelope);
  if (canLevel) gainDb = solveGain(predict, settings.goalLufs!, gainDb, maxGainDb);

  const windowPeaks = lookaheadPeaks(envelope, lookaheadSamplesFor(sampleRateHz, timing));
  envelope = null; // the look-ahead maxima are all the full-rate limiter needs from here
  const gainCurve = new Float32Array(length);
  const rounds: ConvergenceRound[] = [];
  let goal = settings.goalLufs;
  let output: LoudnessResult | null = null;
  let guardTrimDb = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0 && canLevel) {
      const previous = gainDb;
      gainDb = previous + clampAbs(solveGain(predict, goal!, gainDb, maxGainDb) - previous, settings.maxCorrectionDb);
    }
    computeLimiterGain(windowPeaks, dbToLinear(gainDb), ceilingLinear, sampleRateHz, timing, gainCurve);
    const predictedLufs = canLevel ? predict(gainDb) : unlimited;
    if (!verify) {
      rounds.push({ gainDb, predictedLufs, measuredLufs: null, truePeakDbtp: null });
      break;
    }
    output = measureLimited(channels, gainCurve, dbToLinear(gainDb), sampleRateHz);
    guardTrimDb = guardTrim(output.truePeakDbtp, settings.truePeakCeilingDbtp);
    const measuredLufs = output.integratedLufs === null ? null : output.integratedLufs + guardTrimDb;
    rounds.push({ gainDb, predictedLufs, measuredLufs, truePeakDbtp: output.truePeakDbtp });
    if (!canLevel || measuredLufs === null) break;
    const error = settings.goalLufs! - measuredLufs;
    if (Math.abs(error) <= settings.toleranceDb) break;
    // Aim the predictor at where the measurement says the goal is.
    goal = goal! + error;
  }

  applyLimiterGain(channels, gainCurve, dbToLinear(gainDb + guardTrimDb), channels);
  let minGain = 1;
  for (let n = 0; n < length; n++) if (gainCurve[n] < minGain) minGain = gainCurve[n];
  const final = output ? shiftResult(output, guardTrimDb) : null;
  return {
    loudnessGainDb: gainDb,
    rounds,
    guardTrimDb,
    output: final ?? UNMEASURED,
    limiterMaxReductionDb: -20 * Math.log10(minGain),
    goalReached:
      settings.goalLufs === null ||
      (final !== null && final.integratedLufs !== null && Math.abs(settings.goalLufs - final.integratedLufs) <= settings.toleranceDb),
  };
}

const UNMEASURED: LoudnessResult = {
  integratedLufs: null,
  loudnessRangeLu: null,
  momentaryMaxLufs: null,
  shortTermMaxLufs: null,
  truePeakDbtp: null,
  truePeakPerChannelDbtp: null,
};

function clampAbs(value: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, value));
}

function guardTrim(truePeakDbtp: number | null, ceilingDbtp: number): number {
  if (truePeakDbtp === null || truePeakDbtp <= ceilingDbtp - GUARD_MARGIN_DB) return 0;
  return ceilingDbtp - GUARD_MARGIN_DB - truePeakDbtp;
}

/** A scalar gain moves loudness and true peak by the same dB and leaves the range alone. */
function shiftResult(result: LoudnessResult, shiftDb: number): LoudnessResult {
  if (shiftDb === 0) return result;
  const shift = (value: number | null) => (value === null ? null : value + shiftDb);
  return {
    ...result,
    integratedLufs: shift(result.integratedLufs),
    momentaryMaxLufs: shift(result.momentaryMaxLufs),
    shortTermMaxLufs: shift(result.shortTermMaxLufs),
    truePeakDbtp: shift(result.truePeakDbtp),
    truePeakPerChannelDbtp: result.truePeakPerChannelDbtp?.map((v) => v + shiftDb) ?? null,
  };
}

/**
 * Finds the gain (dB) whose predicted loudness meets `goal`: the prediction
 * rises monotonically with the gain, so a bracketed secant search converges
 * in a handful of predictions.
 */
function solveGain(predict: (gainDb: number) => number | null, goal: number, startDb: number, maxDb: number): number {
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

/** Channel-weighted K-weighted energy per {@link ENERGY_BLOCK} samples. */
function kWeightedBlockEnergy(channels: readonly Float32Array[], sampleRateHz: number): Float64Array {
  const length = channels.length ? channels[0].length : 0;
  const blocks = Math.ceil(length / ENERGY_BLOCK);
  const energy = new Float64Array(blocks);
  const [shelf, highPass] = designKWeighting(sampleRateHz);
  const weights = defaultChannelWeights(channels.length);
  const scratch = new Float32Array(PIECE);
  channels.forEach((samples, c) => {
    const weight = weights[c];
    if (weight === 0) return;
    const shelfState = createBiquadState();
    const highPassState = createBiquadState();
    for (let start = 0; start < length; start += PIECE) {
      const count = Math.min(PIECE, length - start);
      const piece = count === PIECE ? scratch : scratch.subarray(0, count);
      runBiquad(shelf, shelfState, samples.subarray(start, start + count), piece);
      runBiquad(highPass, highPassState, piece, piece);
      for (let i = 0; i < count; i++) energy[(start + i) >> 4] += weight * piece[i] * piece[i];
    }
  });
  return energy;
}

/**
 * Integrated loudness of `gain` × block gains × signal, from the block energies:
 * 100 ms sub-blocks, 400 ms gating blocks with 75 % overlap, gated per BS.1770.
 */
function predictLoudness(
  energy: Float64Array,
  blockGains: Float32Array | null,
  gain: number,
  subBlock: number,
  length: number,
): number | null {
  const subBlocks = Math.floor(length / subBlock);
  if (subBlocks < 4) return null;
  const subEnergy = new Float64Array(subBlocks);
  for (let b = 0; b < energy.length; b++) {
    const s = Math.floor((b * ENERGY_BLOCK) / subBlock);
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

/** Exact measurement of the limited output, streamed so it is never held twice. */
function measureLimited(
  channels: readonly Float32Array[],
  gainCurve: Float32Array,
  gain: number,
  sampleRateHz: number,
): LoudnessResult {
  const length = channels.length ? channels[0].length : 0;
  const meter = createLoudnessMeter({
    sampleRateHz,
    channelCount: channels.length,
    capabilities: { integrated: true, loudnessRange: true, truePeak: true },
    // The guard answers to ffmpeg-grade meters: the most accurate interpolator.
    truePeakFilter: truePeakFilterFor(sampleRateHz, 'compliance'),
  });
  const pieces = channels.map(() => new Float32Array(PIECE));
  for (let start = 0; start < length; start += PIECE) {
    const count = Math.min(PIECE, length - start);
    const views = pieces.map((piece) => (count === PIECE ? piece : piece.subarray(0, count)));
    channels.forEach((samples, c) => {
      const out = views[c];
      for (let i = 0; i < count; i++) out[i] = samples[start + i] * gainCurve[start + i] * gain;
    });
    meter.addFrames(views);
  }
  return meter.result();
}
