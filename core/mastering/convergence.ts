/**
 * Loudness gain, true-peak limiter, loudness convergence and true-peak guard
 * (SPEC section 4, the end of the chain).
 *
 * The loudness gain is applied once, as one scalar in front of the limiter. It
 * is found by predicting the limited output's integrated loudness for a
 * candidate gain (`loudness-prediction.ts`) from block statistics of the
 * signal in front of the limiter. Each round then limits and measures the
 * output exactly with the meter, without keeping it; if it misses the goal by
 * more than the profile's tolerance, the gain is corrected (bounded by the
 * profile's maximum correction) — at most three rounds. The true-peak guard
 * trims whatever the measured true peak exceeds the ceiling by, and a last
 * pass writes the limited, trimmed signal. Every pass runs block by block
 * over the track's working copy (`render-pass.ts`).
 */
import { isMemoryTrackStore, memoryTrackStore, type TrackStore } from '../audio/pcm-source.ts';
import { truePeakBlockMaximaTap } from '../dsp/truepeak-envelope-stream.ts';
import type { Limiter } from '../dsp/limiter.ts';
import type { LoudnessResult } from '../dsp/loudness.ts';
import type { Frames, StreamStage, StreamTap } from '../dsp/stream-stage.ts';
import { truePeakFilterFor } from '../dsp/truepeak-filter.ts';
import { createGainCurveStage } from '../dsp/gain-curve-stage.ts';
import type { LimiterStreamReport } from '../dsp/limiter-stream.ts';
import type { EnvelopeReader } from '../dsp/stored-envelope-window.ts';
import { createBlockPredictor, MAX_LOUDNESS_GAIN_DB, predictLoudness, solveGain, type LoudnessPredictor } from './loudness-prediction.ts';
import { runPass } from './render-pass.ts';
import { LOCAL_TAPS, tapsBeside, type TapHost } from './tap-host.ts';

export { MAX_LOUDNESS_GAIN_DB };

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
  /**
   * The loudness gain (dB) a prediction already found for this signal from
   * statistics taken before the stages in front (the rider's plan solves it
   * for the ridden signal): the search then takes the true peaks that can
   * matter around it in its first pass, beside the stages, instead of first
   * searching on sample peaks and then taking the true peaks in a pass of
   * their own. Absent or null: the two stages.
   */
  readonly expectedGainDb?: number | null;
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

/** Where the final pass puts the master, besides the store. */
export interface ConvergenceOutput {
  /** The stages in front of the limiter that still have to run (the gain rider); they run in the first pass, written back. */
  readonly before?: readonly StreamStage<unknown>[];
  /** Receives the finished master block by block (the encoder). */
  readonly sink?: (frames: Frames) => void;
  /** Measurements of the finished master (its width). */
  readonly taps?: readonly StreamTap<unknown>[];
  /** Write the master over the store (the in-memory render's output); false when the sink is all that is wanted. */
  readonly write?: boolean;
  /** Frames per block of every pass (default `RENDER_BLOCK_FRAMES`): the output is the same, within float rounding, for any. */
  readonly blockFrames?: number;
  /**
   * Where the measuring rounds may keep the limiter's gain curve (a
   * one-channel store as long as the track), so the last pass applies it
   * instead of limiting again: the same master for a fraction of the work.
   * Without it the last pass limits again.
   */
  readonly curveStore?: CurveStoreFactory;
  /**
   * Where the taps of passes that also run stages are taken (another thread,
   * at the same time as the stages); default here. Passes that only measure
   * take their taps here, where nothing else would run meanwhile.
   */
  readonly tapHost?: TapHost;
}

/** Makes a one-channel store for a curve as long as the track, at its rate (in memory, or a file for a long track). */
export type CurveStoreFactory = (shape: { readonly sampleRateHz: number; readonly channelCount: 1; readonly length: number }) => TrackStore;

/** A track in memory keeps its limiter curve in memory up to this many frames (64 MiB, about 6 minutes at 44.1 kHz); a longer one is limited twice instead. */
export const MEMORY_CURVE_FRAMES = 16 * 1024 * 1024;

/**
 * Curves in memory, for a track that is in memory anyway (half of its stereo
 * samples again): a track longer than {@link MEMORY_CURVE_FRAMES} gets no
 * curve store, so the render's memory stays what it was.
 */
export const memoryCurveStore = (length: number): CurveStoreFactory | undefined =>
  length <= MEMORY_CURVE_FRAMES ? ({ sampleRateHz }) => memoryTrackStore([new Float32Array(length)], sampleRateHz) : undefined;

const dbToLinear = (db: number) => Math.pow(10, db / 20);

/**
 * Levels, limits and verifies the track in `store`. With `verify: false` the
 * output is rendered at the predicted gain without the exact measurement
 * rounds (a probe, whose spectrum is all that is needed).
 *
 * @example const result = convergeLoudness(memoryTrackStore(channels, 44100), { goalLufs: -10, limiter: createLimiter({ sampleRateHz: 44100, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 });
 */
export function convergeLoudness(store: TrackStore, settings: ConvergenceSettings, verify = true, output: ConvergenceOutput = {}): ConvergenceResult {
  const curve = verify && output.curveStore ? output.curveStore({ sampleRateHz: store.sampleRateHz, channelCount: 1, length: store.length }) : null;
  try {
    return levelAndLimit(store, settings, verify, output, curve);
  } finally {
    curve?.close();
  }
}

/** {@link convergeLoudness}, keeping the measured rounds' gain curve in `curve` when there is one. */
function levelAndLimit(store: TrackStore, settings: ConvergenceSettings, verify: boolean, output: ConvergenceOutput, curve: TrackStore | null): ConvergenceResult {
  const { length, sampleRateHz, channelCount } = store;
  const { limiter } = settings;
  const { timing } = limiter;
  const before = output.before ?? [];
  const beside = tapsBeside(output, before.length > 0);
  const energyTap = beside.open({ kind: 'kweighted-energy', sampleRateHz, channelCount, length });
  const blockFrames = output.blockFrames;
  // The limiter never aims above the true-peak ceiling: the guard is for what
  // its interpolator misses, not for a ceiling the profile sets higher.
  let ceilingLinear = Math.min(limiter.ceilingLinear, dbToLinear(settings.truePeakCeilingDbtp - GUARD_MARGIN_DB));
  const filter = truePeakFilterFor(sampleRateHz);
  // Where the curve store is in memory, the per-sample envelope the true-peak
  // tap computes waits there for the first limiting round, which reads it
  // instead of interpolating the same peaks again (and writes its gains over
  // it as it goes). A curve in a file (a long track) would take the envelope
  // through the disk and back, which costs more than interpolating again (an
  // hour at 48 kHz: ~40 s against ~36.5 s).
  const envelopeStore = curve && isMemoryTrackStore(curve) ? curve : null;
  /** The true peaks that can matter at `gainDb` (with a margin above it): only they are interpolated. */
  const truePeaksAround = (gainDb: number) => {
    const relevantAboveLinear = ceilingLinear / dbToLinear(gainDb + STAGE_TWO_MARGIN_DB);
    const tap = truePeakBlockMaximaTap(filter, relevantAboveLinear, channelCount, length, envelopeStore ? (start, envelope) => envelopeStore.write(start, [envelope]) : undefined);
    return { aroundDb: gainDb, relevantAboveLinear, tap };
  };
  const expectedGainDb = settings.expectedGainDb ?? null;
  // With a gain expected, the first pass takes the true peaks around it;
  // without, it takes sample peaks for a first search (stage 1), whose gain
  // tells which true peaks a second pass interpolates (stage 2).
  const expected = expectedGainDb === null ? null : truePeaksAround(expectedGainDb);
  // The stages in front are the rider's gains, light next to the K-weighting:
  // the peaks are taken here beside them, so the tap thread has only the
  // K-weighting (with both there, this thread waited ~50 ms a 3-minute pass).
  const firstPeaks = expected?.tap ?? LOCAL_TAPS.open({ kind: 'sample-peaks', length });
  runPass(store, before, [energyTap, firstPeaks], { write: before.length > 0, blockFrames });
  const energy = energyTap.result();
  const unlimited = predictLoudness(energy, null, 1, Math.round(0.1 * sampleRateHz), length);
  const canLevel = settings.goalLufs !== null && unlimited !== null;

  let gainDb = canLevel ? Math.min(MAX_LOUDNESS_GAIN_DB, settings.goalLufs! - unlimited!) : 0;
  const maxGainDb = Math.min(MAX_LOUDNESS_GAIN_DB, gainDb + SEARCH_HEADROOM_DB);
  const solve = (predictor: LoudnessPredictor, goal: number, startDb: number) =>
    solveGain((candidateDb) => predictor(candidateDb, ceilingLinear), goal, startDb, maxGainDb);
  // The block peaks are read only by their predictor, whose look-ahead peaks take their place;
  // the two predictors (sample, then true peaks) share one gain curve, one after the other.
  let gainCurve: Float32Array | null = null;
  const predictorFor = (blockPeaks: Float32Array) => {
    if (gainCurve?.length !== blockPeaks.length) gainCurve = new Float32Array(blockPeaks.length);
    return createBlockPredictor(energy, blockPeaks, length, sampleRateHz, timing, { windowPeaks: blockPeaks, gainCurve }).loudness;
  };
  let truePeaks = expected;
  if (!truePeaks) {
    if (canLevel) gainDb = solve(predictorFor(firstPeaks.result()), settings.goalLufs!, gainDb);
    truePeaks = truePeaksAround(gainDb);
    runPass(store, [], [truePeaks.tap], { write: false, blockFrames });
  } else if (canLevel) {
    gainDb = Math.min(maxGainDb, Math.max(-MAX_LOUDNESS_GAIN_DB, truePeaks.aroundDb));
  }
  const { relevantAboveLinear, tap: truePeakTap } = truePeaks;
  // The envelope's reader, until a round has read it (and written its gains over it).
  let keptEnvelope: EnvelopeReader | undefined = envelopeStore ? (start, count) => envelopeStore.read(start, count)[0] : undefined;
  const predict = predictorFor(truePeakTap.result());
  if (canLevel) gainDb = solve(predict, settings.goalLufs!, gainDb);

  const limiterStream = (gain: number, ceiling: number, outputGain: number, gainSink?: (start: number, gains: Float32Array) => void, envelope?: EnvelopeReader) =>
    limiter.stream({ filter, relevantAboveLinear, inputGain: dbToLinear(gain), ceilingLinear: ceiling, outputGain, length, gainSink, envelope });
  const rounds: ConvergenceRound[] = [];
  let goal = settings.goalLufs;
  let measured: LoudnessResult | null = null;
  let guardTrimDb = 0;
  // The gain and ceiling of the round whose output is kept, and what its limiter did when its curve is kept.
  let kept = { gainDb, ceilingLinear };
  let keptLimiting: LimiterStreamReport | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0 && canLevel) {
      const previous = gainDb;
      gainDb = previous + clampAbs(solve(predict, goal!, gainDb) - previous, settings.maxCorrectionDb);
    }
    kept = { gainDb, ceilingLinear };
    const predictedLufs = canLevel ? predict(gainDb, ceilingLinear) : unlimited;
    if (!verify) {
      rounds.push({ gainDb, predictedLufs, measuredLufs: null, truePeakDbtp: null });
      break;
    }
    // The whole meter on the tap host, beside the limiter here: on a 3-minute
    // pair a round took 152–165 ms with the meter's K-weighting here and its
    // true peak there, 133–143 ms with all of it there (this thread then
    // waits ~20 ms for the host).
    const meter = tapsBeside(output, true).open({ kind: 'output-meter', sampleRateHz, channelCount });
    const limiting = limiterStream(gainDb, ceilingLinear, 1, curve ? (start, gains) => curve.write(start, [gains]) : undefined, keptEnvelope);
    keptEnvelope = undefined;
    runPass(store, [limiting], [meter], { write: false, blockFrames });
    keptLimiting = curve ? limiting.report() : null;
    measured = meter.result();
    guardTrimDb = guardTrim(measured.truePeakDbtp, settings.truePeakCeilingDbtp);
    const measuredLufs = measured.integratedLufs === null ? null : measured.integratedLufs + guardTrimDb;
    rounds.push({ gainDb, predictedLufs, measuredLufs, truePeakDbtp: measured.truePeakDbtp });
    if (!canLevel || measuredLufs === null) break;
    const error = settings.goalLufs! - measuredLufs;
    // A guard trim costs loudness; when it costs more than half the tolerance,
    // re-limit under a ceiling lowered by the trim rather than keep the loss.
    const trimCostsTooMuch = guardTrimDb < 0 && Math.abs(error) > settings.toleranceDb / 2;
    if (Math.abs(error) <= settings.toleranceDb && !trimCostsTooMuch) break;
    if (guardTrimDb < 0) ceilingLinear *= dbToLinear(guardTrimDb);
    // Aim the predictor at where the measurement says the goal is.
    goal = goal! + (guardTrimDb < 0 ? error + guardTrimDb : error);
  }

  // The kept round's limiting again, now written, with the guard's trim: its
  // kept curve applied with the limiter's own kernels, or (without one) the
  // limiter run again, which is deterministic: the same output bit for bit.
  const trim = dbToLinear(guardTrimDb);
  const relimiting = keptLimiting && curve ? null : limiterStream(kept.gainDb, kept.ceilingLinear, trim);
  const final = relimiting ?? createGainCurveStage(curve!, dbToLinear(kept.gainDb), trim);
  runPass(store, [final], output.taps ?? [], { write: output.write ?? true, sink: output.sink, blockFrames });
  const smallestGain = (relimiting?.report() ?? keptLimiting!).smallestGain;
  const shifted = measured ? shiftResult(measured, guardTrimDb) : null;
  return {
    loudnessGainDb: kept.gainDb,
    rounds,
    guardTrimDb,
    output: shifted ?? UNMEASURED,
    limiterMaxReductionDb: -20 * Math.log10(smallestGain),
    goalReached:
      settings.goalLufs === null ||
      (shifted !== null && shifted.integratedLufs !== null && Math.abs(settings.goalLufs - shifted.integratedLufs) <= settings.toleranceDb),
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
