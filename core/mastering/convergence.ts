/**
 * Loudness gain, true-peak limiter, loudness convergence and true-peak guard
 * (SPEC section 4, the end of the chain).
 *
 * The loudness gain is applied once, as one scalar in front of the limiter. It
 * is found by predicting the limited output's integrated loudness for a
 * candidate gain (`loudness-prediction.ts`). Each round then renders and measures the output
 * exactly with the meter; if it misses the goal by more than the profile's
 * tolerance, the gain is corrected (bounded by the profile's maximum
 * correction) and the signal re-limited — at most three rounds. Last, the
 * true-peak guard trims whatever the measured true peak exceeds the ceiling by.
 */
import { applyLimiterGain, samplePeakEnvelope, type Limiter } from '../dsp/limiter.ts';
import { applyGainCurve, scaleChannels } from '../dsp/channel-gains.ts';
import { createLoudnessMeter, type LoudnessResult } from '../dsp/loudness.ts';
import { truePeakFilterFor } from '../dsp/truepeak-filter.ts';
import {
  createLoudnessPredictor,
  kWeightedBlockEnergy,
  MAX_LOUDNESS_GAIN_DB,
  predictLoudness,
  solveGain,
  type LoudnessPredictor,
} from './loudness-prediction.ts';

export { MAX_LOUDNESS_GAIN_DB };

const PIECE = 65536;
const MAX_ROUNDS = 3;
/** How far above the level-delta gain the search may go to make up for limiting. */
const SEARCH_HEADROOM_DB = 18;
/** Stage-two true-peak interpolation covers peaks this much quieter than what the stage-one gain limits. */
const STAGE_TWO_MARGIN_DB = 3;
/** Guard trims to this far under the ceiling, so rounding in the encoder cannot cross it. */
const GUARD_MARGIN_DB = 0.02;

export interface ConvergenceSettings {
  readonly goalLufs: number | null;
  /** The limiter the decision chose (ceiling and timing). */
  readonly limiter: Limiter;
  readonly truePeakCeilingDbtp: number;
  readonly toleranceDb: number;
  readonly maxCorrectionDb: number;
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

/**
 * Levels, limits and verifies `channels` in place. With `verify: false` the
 * output is rendered at the predicted gain without the exact measurement
 * rounds (a first pass whose spectrum is all that is needed).
 *
 * @example const result = convergeLoudness(work.channels, 44100, { goalLufs: -10, limiter: createLimiter({ sampleRateHz: 44100, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 });
 */
export function convergeLoudness(
  channels: Float32Array[],
  sampleRateHz: number,
  settings: ConvergenceSettings,
  verify = true,
): ConvergenceResult {
  const length = channels.length ? channels[0].length : 0;
  const { limiter } = settings;
  const { timing } = limiter;
  const energy = kWeightedBlockEnergy(channels, sampleRateHz);
  // The limiter never aims above the true-peak ceiling: the guard is for what
  // its interpolator misses, not for a ceiling the profile sets higher.
  let ceilingLinear = Math.min(limiter.ceilingLinear, dbToLinear(settings.truePeakCeilingDbtp - GUARD_MARGIN_DB));
  const unlimited = predictLoudness(energy, null, 1, Math.round(0.1 * sampleRateHz), length);
  const canLevel = settings.goalLufs !== null && unlimited !== null;

  // Stage 1: solve against sample peaks; stage 2: against true peaks, which
  // are only interpolated where they can matter at the stage-1 gain.
  let gainDb = canLevel ? Math.min(MAX_LOUDNESS_GAIN_DB, settings.goalLufs! - unlimited!) : 0;
  const maxGainDb = Math.min(MAX_LOUDNESS_GAIN_DB, gainDb + SEARCH_HEADROOM_DB);
  const solve = (predictor: LoudnessPredictor, goal: number, startDb: number) =>
    solveGain((candidateDb) => predictor(candidateDb, ceilingLinear), goal, startDb, maxGainDb);
  const samplePeaks = samplePeakEnvelope(channels);
  if (canLevel) {
    gainDb = solve(createLoudnessPredictor(energy, samplePeaks, sampleRateHz, timing), settings.goalLufs!, gainDb);
  }
  const filter = truePeakFilterFor(sampleRateHz);
  // The sample peaks are raised into the true-peak envelope in place.
  let envelope: Float32Array | null = limiter.peakEnvelope(channels, filter, ceilingLinear / dbToLinear(gainDb + STAGE_TWO_MARGIN_DB), samplePeaks);
  const predict = createLoudnessPredictor(energy, envelope, sampleRateHz, timing);
  if (canLevel) gainDb = solve(predict, settings.goalLufs!, gainDb);

  // The look-ahead maxima are all the full-rate limiter needs from here: they take the envelope's place.
  const windowPeaks = limiter.lookahead(envelope);
  envelope = null;
  const gainCurve = new Float32Array(length);
  const rounds: ConvergenceRound[] = [];
  let goal = settings.goalLufs;
  let output: LoudnessResult | null = null;
  let guardTrimDb = 0;
  let minGain = 1;
  // Measuring writes the limited signal into the channels; a further round undoes it first.
  let limitedInPlace = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0 && canLevel) {
      const previous = gainDb;
      gainDb = previous + clampAbs(solve(predict, goal!, gainDb) - previous, settings.maxCorrectionDb);
    }
    minGain = limiter.writeGain(windowPeaks, dbToLinear(gainDb), ceilingLinear, gainCurve);
    const predictedLufs = canLevel ? predict(gainDb, ceilingLinear) : unlimited;
    if (!verify) {
      rounds.push({ gainDb, predictedLufs, measuredLufs: null, truePeakDbtp: null });
      break;
    }
    output = limitAndMeasure(channels, gainCurve, dbToLinear(gainDb), sampleRateHz);
    limitedInPlace = true;
    guardTrimDb = guardTrim(output.truePeakDbtp, settings.truePeakCeilingDbtp);
    const measuredLufs = output.integratedLufs === null ? null : output.integratedLufs + guardTrimDb;
    rounds.push({ gainDb, predictedLufs, measuredLufs, truePeakDbtp: output.truePeakDbtp });
    if (!canLevel || measuredLufs === null) break;
    const error = settings.goalLufs! - measuredLufs;
    // A guard trim costs loudness; when it costs more than half the tolerance,
    // re-limit under a ceiling lowered by the trim rather than keep the loss.
    const trimCostsTooMuch = guardTrimDb < 0 && Math.abs(error) > settings.toleranceDb / 2;
    if (Math.abs(error) <= settings.toleranceDb && !trimCostsTooMuch) break;
    if (guardTrimDb < 0) ceilingLinear *= dbToLinear(guardTrimDb);
    // Aim the predictor at where the measurement says the goal is.
    goal = goal! + (guardTrimDb < 0 ? error + guardTrimDb : error);
    if (round + 1 < MAX_ROUNDS) {
      unlimit(channels, gainCurve, dbToLinear(gainDb));
      limitedInPlace = false;
    }
  }

  if (!limitedInPlace) applyLimiterGain(channels, gainCurve, dbToLinear(gainDb + guardTrimDb), channels);
  else if (guardTrimDb !== 0) scaleInPlace(channels, dbToLinear(guardTrimDb));
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
 * Limits `channels` in place (× gain curve × `gain`) and measures the result
 * exactly, piece by piece while each piece is fresh in cache.
 */
function limitAndMeasure(
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
  for (let start = 0; start < length; start += PIECE) {
    const end = Math.min(length, start + PIECE);
    applyGainCurve(channels, gainCurve, gain, start, end);
    meter.addFrames(channels.map((samples) => samples.subarray(start, end)));
  }
  return meter.result();
}

/** Undoes {@link limitAndMeasure} before a round with another gain (the curve is never 0). */
function unlimit(channels: readonly Float32Array[], gainCurve: Float32Array, gain: number): void {
  for (const samples of channels) {
    for (let i = 0; i < samples.length; i++) samples[i] /= gainCurve[i] * gain;
  }
}

function scaleInPlace(channels: readonly Float32Array[], factor: number): void {
  scaleChannels(channels, factor);
}
