/**
 * Runs the decided chain over a target's channels, in place: the stages of
 * `processing.ts` in order, the gain rider planned on the signal as it reaches
 * it, and the loudness convergence with the decided limiter. Also the probe
 * renders that close the loop on the matching curve.
 */
import { analyzeSpectrum } from '../dsp/spectrum.ts';
import type { DeEsserReport } from '../dsp/deesser.ts';
import { createGainRider, GAIN_BLOCK } from '../dsp/gain-rider.ts';
import { samplePeakEnvelope } from '../dsp/limiter.ts';
import type { TrackAnalysis } from './analysis.ts';
import { convergeLoudness, MAX_LOUDNESS_GAIN_DB, type ConvergenceResult } from './convergence.ts';
import type { MasteringDecision } from './decision.ts';
import { planGainRider, type RiderPlan } from './dynamics-match.ts';
import { bandTransfer, refineCurve, type MatchBand } from './eq-match.ts';
import { blockMaxima, ENERGY_BLOCK, kWeightedBlockEnergy } from './loudness-prediction.ts';
import { compressorStage, deEsserStage, limiterStage, matchEqualizer, staticEqualizer, stereoWidener } from './processing.ts';
import { probeExcerpt } from './probe-excerpt.ts';

if (ENERGY_BLOCK !== GAIN_BLOCK) throw new Error('the rider plans and applies gains on the same blocks');

/** Probe-measure-correct iterations of the matching curve (reference-match only), at most. */
export const REFINEMENT_PASSES = 2;
/** A pass that moves no band by this much has converged; the next would not pay for itself. */
const REFINEMENT_SETTLED_DB = 0.3;
/** The guard keeps the limiter's aim this far under the true-peak ceiling (as convergence does). */
const GUARD_MARGIN_DB = 0.02;

export interface RenderReport {
  readonly matchFirTaps: number;
  readonly width: { readonly guardedFraction: number } | null;
  readonly compressor: { readonly amount: number; readonly meanReductionDb: number; readonly maxReductionDb: number };
  readonly deEsser: DeEsserReport | null;
  readonly rider: RiderPlan | null;
  readonly converged: ConvergenceResult;
}

/** How the gain rider is set for a render. */
export type RiderSource =
  /** Planned here on the signal as it reaches the rider (the full render). */
  | { readonly kind: 'plan' }
  /** Given (a preview takes its slice of the whole track's plan). */
  | { readonly kind: 'given'; readonly blockGains: Float32Array | null; readonly plan: RiderPlan | null };

export interface RenderRequest {
  readonly decision: MasteringDecision;
  readonly curve: readonly MatchBand[];
  /** The target's integrated loudness (aligns the compressor's threshold). */
  readonly targetLufs: number | null;
  /** The loudness this render aims at (the decision's, or a preview excerpt's share of it). */
  readonly goalLufs: number | null;
  readonly rider: RiderSource;
  /**
   * A probe render, whose spectrum is all that is wanted: no width stage and
   * no rider (neither colours the mono mix's tone), and the predicted gain
   * without the exact measuring rounds.
   */
  readonly probe?: boolean;
}

/**
 * Everything after the static equaliser (already applied), in place.
 *
 * @example const report = renderAfterStaticEq(channels, 44100, { decision, curve, targetLufs: -22, goalLufs: -10, rider: { kind: 'plan' } });
 */
export function renderAfterStaticEq(channels: Float32Array[], sampleRateHz: number, request: RenderRequest): RenderReport {
  const { decision } = request;
  const matchEq = matchEqualizer(request.curve, sampleRateHz);
  matchEq?.process(channels);
  const probe = request.probe === true;
  const widener = probe ? null : stereoWidener(decision, sampleRateHz, channels.length);
  const width = widener ? widener.process(channels) : null;
  const compressor = compressorStage(decision, sampleRateHz, request.targetLufs).process(channels);
  const deEsser = deEsserStage(decision, sampleRateHz)?.process(channels) ?? null;
  const limiter = limiterStage(decision, sampleRateHz);

  let rider: RiderPlan | null = null;
  let riderGains: Float32Array | null = null;
  if (probe) {
    // No rider on a probe.
  } else if (request.rider.kind === 'plan' && decision.dynamics.goalLraLu !== null) {
    const length = channels.length ? channels[0].length : 0;
    rider = planGainRider({
      energy: kWeightedBlockEnergy(channels, sampleRateHz),
      blockPeaks: blockMaxima(samplePeakEnvelope(channels)),
      length,
      sampleRateHz,
      timing: limiter.timing,
      ceilingLinear: Math.min(limiter.ceilingLinear, Math.pow(10, (decision.truePeak.ceilingDbtp - GUARD_MARGIN_DB) / 20)),
      goalLufs: request.goalLufs,
      goalLraLu: decision.dynamics.goalLraLu,
      maxGainDb: MAX_LOUDNESS_GAIN_DB,
    });
    riderGains = rider.blockGains;
  } else if (request.rider.kind === 'given') {
    rider = request.rider.plan;
    riderGains = request.rider.blockGains;
  }
  if (riderGains) createGainRider(riderGains).process(channels);

  const converged = convergeLoudness(
    channels,
    sampleRateHz,
    {
      goalLufs: request.goalLufs,
      limiter,
      truePeakCeilingDbtp: decision.truePeak.ceilingDbtp,
      toleranceDb: decision.loudness.toleranceDb,
      maxCorrectionDb: decision.loudness.maxCorrectionDb,
    },
    !probe,
  );
  return {
    matchFirTaps: matchEq?.taps ?? 0,
    width,
    compressor: { amount: decision.compressor.amount, ...compressor },
    deEsser,
    rider,
    converged,
  };
}

/**
 * The matching curve after closing the loop: probe renders of `equalized`
 * (the statically equalised target, or an excerpt of it) are measured, and
 * the chain's tonal effect, laid over the whole target's spectrum, is
 * compared with the goal and folded into the curve.
 *
 * @example const curve = refineMatchingCurve(channels, 44100, decision, target);
 */
export function refineMatchingCurve(
  equalized: readonly Float32Array[],
  sampleRateHz: number,
  decision: MasteringDecision,
  target: TrackAnalysis,
): readonly MatchBand[] {
  let curve = decision.eqCurve;
  const goal = decision.toneGoal;
  if (curve.length === 0 || !goal) return curve;
  const probeInput = analyzeSpectrum(probeExcerpt(equalized, sampleRateHz), sampleRateHz);
  const staticEq = staticEqualizer(decision, sampleRateHz);
  for (let pass = 0; pass < REFINEMENT_PASSES; pass++) {
    const probe = probeExcerpt(equalized, sampleRateHz);
    renderAfterStaticEq(probe, sampleRateHz, {
      decision,
      curve,
      targetLufs: target.integratedLufs,
      goalLufs: decision.loudness.lufs,
      rider: { kind: 'plan' },
      probe: true,
    });
    const transfer = bandTransfer(probeInput, analyzeSpectrum(probe, sampleRateHz));
    const response = (frequencyHz: number) => staticEq.powerResponse(frequencyHz) * transfer(frequencyHz);
    const refined = refineCurve(curve, target.spectrum, response, goal, decision.profile);
    const largestChangeDb = Math.max(...refined.map((band, i) => Math.abs(band.correctionDb - curve[i].correctionDb)));
    curve = refined;
    if (largestChangeDb < REFINEMENT_SETTLED_DB) break;
  }
  return curve;
}
