/**
 * Dynamics matching (matching issue item 2): the reference's macro-dynamics —
 * its loudness range (EBU Tech 3342) — reached by a slow gain rider ahead of
 * the limiter, so the limiter catches peaks instead of doing the loudness work.
 *
 * Goal: a target more dynamic than the reference moves to the reference's
 * range (by `strength`); a target already as dense or denser keeps its own
 * range — it is neither compressed further nor expanded. Either way the goal is
 * the range the OUTPUT measures, limiter included: pushing a dynamic target to
 * a loud reference makes the limiter squash its loud passages, and the rider
 * is solved with that in the prediction.
 *
 * The rider maps each moment's short-term loudness (3 s, centred) through a
 * straight line of slope `ratio` around the programme's loudness: louder than
 * it comes down, quieter goes up, so the spread of short-term loudness — and
 * with it the loudness range — scales by `ratio`. Below the range's 10th
 * percentile the gain stops growing (pauses and fades are lifted no further
 * than the quiet passages next to them). The ratio is solved against the
 * programme predictor (limiter modelled at control rate) so the predicted
 * output range meets the goal; 1 (no riding) whenever that is within
 * {@link RANGE_SETTLED_LU}.
 */
import { ENERGY_BLOCK } from '../dsp/kweighted-blocks.ts';
import { ABSOLUTE_GATE_LUFS, LRA_RELATIVE_GATE_LU } from '../dsp/loudness-gating.ts';
import { centredShortTermLoudness } from '../dsp/short-term-loudness.ts';
import { interpolateStepGains } from '../dsp/step-gains.ts';
import { takeScratch } from '../dsp/scratch-memory.ts';
import type { LimiterTiming } from '../dsp/limiter.ts';
import { createBlockPredictor, solveGain, type PredictorBuffers, type ProgrammePrediction, type ProgrammePredictor } from './loudness-prediction.ts';

/**
 * Slopes the rider may use: 0.3 (3.3:1 on the loudness envelope) to 3. A
 * slope above 1 spreads the passages apart before the limiter; it only serves
 * to keep the output's range where the goal says when a loud goal makes the
 * limiter squash the loud passages (measured on real music pushed to −7
 * LUFS: a slope of 2–3 kept 2–3 LU more range, and the quiet passages it
 * lowers then need less gain, so the limiter did no more work).
 */
export const RIDER_RATIO_RANGE = { min: 0.3, max: 3 } as const;
/** A predicted range this close to the goal is left alone. */
export const RANGE_SETTLED_LU = 0.4;
/** Largest lift or cut the rider applies anywhere (dB). */
export const RIDER_MAX_GAIN_DB = 12;
/** Centred moving average over the control gains: no change faster than this. */
const SMOOTHING_SECONDS = 1;
/** Rider control step (the 100 ms grid of the loudness meters). */
const CONTROL_SECONDS = 0.1;

export interface DynamicsGoal {
  readonly matched: boolean;
  readonly targetLraLu: number | null;
  readonly referenceLraLu: number | null;
  /** The output's loudness range to aim at; null when there is none to aim at (under 3 s, silence). */
  readonly goalLraLu: number | null;
}

/**
 * The loudness range the output should measure.
 *
 * @example dynamicsGoal(12.1, 4.7, 1, true).goalLraLu // 4.7
 */
export function dynamicsGoal(targetLraLu: number | null, referenceLraLu: number | null, strength: number, matched: boolean): DynamicsGoal {
  if (targetLraLu === null) return { matched, targetLraLu, referenceLraLu, goalLraLu: null };
  const towards = matched && referenceLraLu !== null ? Math.min(referenceLraLu, targetLraLu) : targetLraLu;
  return { matched, targetLraLu, referenceLraLu, goalLraLu: targetLraLu + strength * (towards - targetLraLu) };
}

export interface RiderPlan {
  /** Slope on the short-term loudness (1: no riding). */
  readonly ratio: number;
  /** Linear gain per {@link ENERGY_BLOCK} samples and one more (for the ramps); null when the rider does nothing. */
  readonly blockGains: Float32Array | null;
  /** What the programme predictor expects the output to measure with this plan. */
  readonly predicted: ProgrammePrediction;
  /** The loudness gain (dB) the prediction found for the goal. */
  readonly loudnessGainDb: number;
  readonly maxLiftDb: number;
  readonly maxCutDb: number;
}

export interface RiderProblem {
  /** K-weighted, channel-weighted energy per {@link ENERGY_BLOCK} samples of the pre-rider signal. */
  readonly energy: Float64Array;
  /** Peak per {@link ENERGY_BLOCK} samples of the pre-rider signal. */
  readonly blockPeaks: Float32Array;
  readonly length: number;
  readonly sampleRateHz: number;
  readonly timing: LimiterTiming;
  readonly ceilingLinear: number;
  readonly goalLufs: number | null;
  readonly goalLraLu: number;
  /** Upper bound of the loudness gain search (dB). */
  readonly maxGainDb: number;
}

/** What sets a rider apart from the signal it rides: its goals, the limiter it feeds and the search's bound (plain data). */
export type RiderSettings = Pick<RiderProblem, 'timing' | 'ceilingLinear' | 'goalLufs' | 'goalLraLu' | 'maxGainDb'>;

/**
 * Solves the rider's ratio for `problem`.
 *
 * @example const plan = planGainRider({ energy, blockPeaks, length, sampleRateHz: 44100, timing, ceilingLinear: 0.89, goalLufs: -9, goalLraLu: 4.7, maxGainDb: 30 });
 */
export function planGainRider(problem: RiderProblem): RiderPlan {
  const { energy, length, sampleRateHz, ceilingLinear } = problem;
  const step = Math.max(1, Math.round(CONTROL_SECONDS * sampleRateHz));
  const loudnessDb = centredShortTermLoudness(energy, length, sampleRateHz, step);
  const stats = trajectoryStatistics(loudnessDb);
  // Every candidate works in the same arrays (their predictions are kept, not
  // their arrays), in scratch memory an earlier phase may have handed back
  // (the probe's excerpt); left to the collector after, as new memory would be.
  const scratch = riderScratch(energy.length);
  // Successive ratios need nearly the same loudness gain: each solve starts from the last.
  let lastGainDb: number | null = null;
  /** The ratio whose gains the scratch holds. */
  let inScratch: number | null = null;
  const evaluate = (ratio: number) => {
    const blockGains = ratio === 1 || !stats ? null : riderBlockGains(loudnessDb, stats, ratio, step, energy.length, scratch);
    inScratch = blockGains ? ratio : null;
    const predictor = riddenPredictor(problem, blockGains, scratch);
    let gainDb = 0;
    if (problem.goalLufs !== null) {
      const unlimited = lastGainDb === null ? predictor.loudness(0, Infinity) : null;
      const startDb = lastGainDb ?? (unlimited === null ? null : Math.min(problem.maxGainDb, problem.goalLufs - unlimited));
      if (startDb !== null) {
        gainDb = solveGain((candidateDb) => predictor.loudness(candidateDb, ceilingLinear), problem.goalLufs, startDb, problem.maxGainDb);
        lastGainDb = gainDb;
      }
    }
    return { ratio, predicted: predictor.programme(gainDb, ceilingLinear), loudnessGainDb: gainDb };
  };
  // The search is over: the chosen gains get an array of their own (the
  // scratch's copied when they are the last tried, as a search mostly ends).
  const finishWith = (chosen: ReturnType<typeof evaluate>) =>
    finish({
      ...chosen,
      blockGains:
        chosen.ratio === 1 || !stats
          ? null
          : inScratch === chosen.ratio
            ? scratch.blockGains.slice()
            : riderBlockGains(loudnessDb, stats, chosen.ratio, step, energy.length, { blockGains: new Float32Array(energy.length + 1) }),
    });
  const error = (x: { predicted: ProgrammePrediction }) => (x.predicted.loudnessRangeLu ?? problem.goalLraLu) - problem.goalLraLu;

  const unridden = evaluate(1);
  if (!stats || unridden.predicted.loudnessRangeLu === null || Math.abs(error(unridden)) <= RANGE_SETTLED_LU) return finishWith(unridden);

  const candidates = new Map<number, ReturnType<typeof evaluate>>([[1, unridden]]);
  const ratio = searchRatio(
    (candidateRatio) => {
      const candidate = evaluate(candidateRatio);
      candidates.set(candidateRatio, candidate);
      return error(candidate);
    },
    error(unridden),
    guessRatio(unridden.predicted, problem.goalLraLu),
  );
  return finishWith(candidates.get(ratio)!);
}

/** First guess: the range scales roughly with the slope. */
function guessRatio(unridden: ProgrammePrediction, goalLraLu: number): number {
  const range = unridden.loudnessRangeLu;
  return range && range > 0 ? clampRatio(goalLraLu / range) : 1;
}

/**
 * Bracketed secant search for the ratio whose range error (predicted − goal)
 * is nearest 0, starting at `guess`; `unriddenError` is the error at ratio 1.
 * Returns the best ratio tried (1 if none beat it).
 */
function searchRatio(errorAt: (ratio: number) => number, unriddenError: number, guess: number): number {
  let low = unriddenError > 0 ? { ratio: RIDER_RATIO_RANGE.min, error: -Infinity } : { ratio: 1, error: unriddenError };
  let high = unriddenError > 0 ? { ratio: 1, error: unriddenError } : { ratio: RIDER_RATIO_RANGE.max, error: Infinity };
  let previous = { ratio: 1, error: unriddenError };
  let best = previous;
  let next = guess;
  for (let i = 0; i < SEARCH_EVALUATIONS; i++) {
    if (!(next > low.ratio && next < high.ratio)) next = (low.ratio + high.ratio) / 2;
    const candidate = { ratio: next, error: errorAt(next) };
    if (Math.abs(candidate.error) < Math.abs(best.error)) best = candidate;
    if (Math.abs(candidate.error) <= RANGE_TOLERANCE_LU) break;
    if (candidate.error > 0) high = candidate;
    else low = candidate;
    const slope = (candidate.error - previous.error) / (candidate.ratio - previous.ratio);
    // A flat or falling step (sections crossing the range's percentiles) gives no usable slope: bisect then.
    next = Number.isFinite(slope) && slope > 0 ? candidate.ratio - candidate.error / slope : (low.ratio + high.ratio) / 2;
    previous = candidate;
  }
  return best.ratio;
}

/** Predictions the ratio search may spend (the bisection it replaced took up to 10). */
const SEARCH_EVALUATIONS = 8;
/** A predicted range this close to the goal ends the search. */
const RANGE_TOLERANCE_LU = 0.1;

function clampRatio(ratio: number): number {
  return Number.isFinite(ratio) ? Math.min(RIDER_RATIO_RANGE.max, Math.max(RIDER_RATIO_RANGE.min, ratio)) : 1;
}

/** Arrays one plan's candidates share, each as long as the block statistics (see {@link PredictorBuffers}), in one scratch buffer. */
interface RiderScratch extends PredictorBuffers {
  readonly riddenEnergy: Float64Array;
  readonly blockGains: Float32Array;
}

function riderScratch(blocks: number): RiderScratch {
  const doubles = blocks * Float64Array.BYTES_PER_ELEMENT;
  const floats = blocks * Float32Array.BYTES_PER_ELEMENT;
  const memory = takeScratch(doubles + 3 * floats + Float32Array.BYTES_PER_ELEMENT);
  return {
    riddenEnergy: new Float64Array(memory, 0, blocks),
    windowPeaks: new Float32Array(memory, doubles, blocks),
    gainCurve: new Float32Array(memory, doubles + floats, blocks),
    blockGains: new Float32Array(memory, doubles + 2 * floats, blocks + 1),
  };
}

/**
 * The programme predictor of `problem`'s signal after a rider with
 * `blockGains` (null: no rider), working in `scratch` where given (valid
 * until the next predictor made with it).
 *
 * @example riddenPredictor(problem, plan.blockGains).regionLoudness(plan.loudnessGainDb, ceiling, start, end)
 */
export function riddenPredictor(
  problem: Pick<RiderProblem, 'energy' | 'blockPeaks' | 'length' | 'sampleRateHz' | 'timing'>,
  blockGains: Float32Array | null,
  scratch?: Pick<RiderScratch, 'riddenEnergy' | 'windowPeaks' | 'gainCurve'>,
): ProgrammePredictor {
  const { energy, blockPeaks } = problem;
  if (!blockGains) return createBlockPredictor(energy, blockPeaks, problem.length, problem.sampleRateHz, problem.timing, scratch);
  const ridden = scratch?.riddenEnergy ?? new Float64Array(energy.length);
  // The ridden peaks are only read to find the look-ahead peaks, which may then take their place.
  const riddenPeaks = scratch?.windowPeaks ?? new Float32Array(blockPeaks.length);
  for (let b = 0; b < energy.length; b++) {
    const g = blockGains[b];
    ridden[b] = energy[b] * g * g;
    riddenPeaks[b] = blockPeaks[b] * g;
  }
  return createBlockPredictor(ridden, riddenPeaks, problem.length, problem.sampleRateHz, problem.timing, {
    windowPeaks: riddenPeaks,
    gainCurve: scratch?.gainCurve ?? new Float32Array(blockPeaks.length),
  });
}

function finish({ ratio, blockGains, predicted, loudnessGainDb }: Omit<RiderPlan, 'maxLiftDb' | 'maxCutDb'>): RiderPlan {
  let maxLiftDb = 0;
  let maxCutDb = 0;
  if (blockGains) {
    // The extremes in dB are the dB of the extreme gains: one logarithm each, not one per block.
    let largest = blockGains[0];
    let smallest = blockGains[0];
    for (let b = 1; b < blockGains.length; b++) {
      largest = Math.max(largest, blockGains[b]);
      smallest = Math.min(smallest, blockGains[b]);
    }
    maxLiftDb = Math.max(0, 20 * Math.log10(largest));
    maxCutDb = Math.max(0, -20 * Math.log10(smallest));
  }
  return { ratio, blockGains, predicted, loudnessGainDb, maxLiftDb, maxCutDb };
}

interface TrajectoryStatistics {
  /** The pivot: gated mean short-term loudness (LUFS). */
  readonly centreLufs: number;
  /** 10th percentile of the gated short-term loudness (the bottom of the range). */
  readonly floorLufs: number;
}

/** Gates the trajectory as the loudness range does (−70 LUFS, then 20 LU under the mean) and reads its centre and floor. */
function trajectoryStatistics(loudnessDb: Float64Array): TrajectoryStatistics | null {
  const audible = Array.from(loudnessDb).filter((db) => db > ABSOLUTE_GATE_LUFS);
  if (audible.length === 0) return null;
  const meanLufs = 10 * Math.log10(audible.reduce((sum, db) => sum + Math.pow(10, db / 10), 0) / audible.length);
  const gated = audible.filter((db) => db > meanLufs + LRA_RELATIVE_GATE_LU).sort((a, b) => a - b);
  if (gated.length === 0) return null;
  const centreLufs = 10 * Math.log10(gated.reduce((sum, db) => sum + Math.pow(10, db / 10), 0) / gated.length);
  return { centreLufs, floorLufs: gated[Math.round((gated.length - 1) * 0.1)] };
}

/** Linear gains per `block` samples (and one more) of the rider with slope `ratio`, in `scratch`'s arrays where given. */
function riderBlockGains(
  loudnessDb: Float64Array,
  stats: TrajectoryStatistics,
  ratio: number,
  step: number,
  blocks: number,
  scratch?: Pick<RiderScratch, 'blockGains'>,
): Float32Array {
  const steps = loudnessDb.length;
  const controlDb = new Float64Array(steps);
  for (let j = 0; j < steps; j++) {
    const level = Math.max(loudnessDb[j], stats.floorLufs);
    controlDb[j] = Math.max(-RIDER_MAX_GAIN_DB, Math.min(RIDER_MAX_GAIN_DB, (ratio - 1) * (level - stats.centreLufs)));
  }
  const smoothed = movingAverage(controlDb, Math.max(1, Math.round(SMOOTHING_SECONDS / CONTROL_SECONDS)));
  return interpolateStepGains(smoothed, step, ENERGY_BLOCK, blocks, scratch?.blockGains ?? new Float32Array(blocks + 1));
}

/** Centred moving average over `width` values (shorter at the ends). */
function movingAverage(values: Float64Array, width: number): Float64Array {
  const half = Math.floor(width / 2);
  const prefix = new Float64Array(values.length + 1);
  for (let j = 0; j < values.length; j++) prefix[j + 1] = prefix[j] + values[j];
  return values.map((_, j) => {
    const from = Math.max(0, j - half);
    const to = Math.min(values.length, j + half + 1);
    return (prefix[to] - prefix[from]) / (to - from);
  });
}
