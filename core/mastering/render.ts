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
import { measureStereoWidthOf } from '../dsp/stereo-width.ts';
import { isMonoWidth, planSideGains, widthTransfer, type SideGainPlan, type WidthTransfer } from './width-match.ts';
import { compressorStage, deEsserStage, limiterStage, matchEqualizer, staticEqualizer, stereoWidener } from './processing.ts';
import { probeControlCurve, probeExcerpt } from './probe-excerpt.ts';

if (ENERGY_BLOCK !== GAIN_BLOCK) throw new Error('the rider plans and applies gains on the same blocks');

/** Probe-measure-correct iterations of the matching curve (reference-match only), at most. */
export const REFINEMENT_PASSES = 2;
/** A pass that moves no band by this much has converged; the next would not pay for itself. */
const REFINEMENT_SETTLED_DB = 0.3;
/** The guard keeps the limiter's aim this far under the true-peak ceiling (as convergence does). */
const GUARD_MARGIN_DB = 0.02;

export interface RenderReport {
  readonly matchFirTaps: number;
  /** The side gains planned (and what the guard held back); null for mono or probes. */
  readonly width: { readonly plan: SideGainPlan; readonly guardedFraction: number } | null;
  /** A probe's measure of what the stages after the width stage did to side/mid per band (dB). */
  readonly widthTransferDb: WidthTransfer | null;
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
  readonly targetIntegratedLufs: number | null;
  /** A mono target (or a stereo file holding mono) stays mono: no width stage. */
  readonly targetIsMono: boolean;
  /** What the dynamics stages do to side/mid per band, from a probe (see {@link probeChain}). */
  readonly widthTransferDb?: WidthTransfer | null;
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
 * @example const report = renderAfterStaticEq(channels, 44100, { decision, curve, targetIntegratedLufs: -22, targetIsMono: false, goalLufs: -10, rider: { kind: 'plan' } });
 */
export function renderAfterStaticEq(channels: Float32Array[], sampleRateHz: number, request: RenderRequest): RenderReport {
  const { decision } = request;
  const matchEq = matchEqualizer(request.curve, sampleRateHz);
  matchEq?.process(channels);
  const probe = request.probe === true;
  // Width is planned on the signal as it reaches the stage (equalisation moves
  // side and mid differently) plus what the dynamics stages after it do to it
  // (limiting loud, mid-heavy moments raises the side's share), as a probe measured.
  const stereo = channels.length === 2 && !request.targetIsMono;
  const widthIn = stereo ? measureStereoWidthOf(channels, sampleRateHz) : null;
  const sideGains = probe || !widthIn ? null : planSideGains(decision.width, widthIn, request.widthTransferDb ?? null);
  const widener = stereoWidener(sideGains, sampleRateHz);
  const width = widener ? { plan: sideGains!, ...widener.process(channels) } : sideGains ? { plan: sideGains, guardedFraction: 0 } : null;
  const compressor = compressorStage(decision, sampleRateHz, request.targetIntegratedLufs).process(channels);
  const deEsser = deEsserStage(decision, sampleRateHz)?.process(channels) ?? null;
  const limiter = limiterStage(decision, sampleRateHz);

  let rider: RiderPlan | null = null;
  let riderGains: Float32Array | null = null;
  if (request.rider.kind === 'plan') {
    rider = riderFor(channels, sampleRateHz, decision, request.goalLufs);
    riderGains = rider?.blockGains ?? null;
  } else {
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
  const widthOut = probe && widthIn ? measureStereoWidthOf(channels, sampleRateHz) : null;
  return {
    matchFirTaps: matchEq?.taps ?? 0,
    width,
    widthTransferDb: widthIn && widthOut ? widthTransfer(widthIn, widthOut) : null,
    compressor: { amount: decision.compressor.amount, ...compressor },
    deEsser,
    rider,
    converged,
  };
}

/** The gain rider's plan for `channels` as they reach the rider, or null when there is no range to aim at. */
function riderFor(channels: readonly Float32Array[], sampleRateHz: number, decision: MasteringDecision, goalLufs: number | null): RiderPlan | null {
  if (decision.dynamics.goalLraLu === null) return null;
  const limiter = limiterStage(decision, sampleRateHz);
  return planGainRider({
    energy: kWeightedBlockEnergy(channels, sampleRateHz),
    blockPeaks: blockMaxima(samplePeakEnvelope(channels)),
    length: channels.length ? channels[0].length : 0,
    sampleRateHz,
    timing: limiter.timing,
    ceilingLinear: Math.min(limiter.ceilingLinear, Math.pow(10, (decision.truePeak.ceilingDbtp - GUARD_MARGIN_DB) / 20)),
    goalLufs,
    goalLraLu: decision.dynamics.goalLraLu,
    maxGainDb: MAX_LOUDNESS_GAIN_DB,
  });
}

/** What a probe learnt about the chain. */
export interface ChainProbe {
  /** The matching curve after closing the loop on tone. */
  readonly curve: readonly MatchBand[];
  /** What compression, riding and limiting do to side/mid per band (dB); null for mono or without a probe. */
  readonly widthTransferDb: WidthTransfer | null;
}

/**
 * Probe renders of `equalized` (the statically equalised target, or an
 * excerpt of it) close the loop on tone: the chain's tonal effect, measured
 * and laid over the whole target's spectrum, is compared with the goal and
 * folded into the curve. The last probe also tells what the dynamics stages do
 * to the stereo width, so the width stage can plan for it.
 *
 * @example const { curve, widthTransferDb } = probeChain(channels, 44100, decision, target);
 */
export function probeChain(equalized: readonly Float32Array[], sampleRateHz: number, decision: MasteringDecision, target: TrackAnalysis): ChainProbe {
  let curve = decision.eqCurve;
  const goal = decision.toneGoal;
  const targetIsMono = isMonoWidth(target.width);
  const stereo = equalized.length === 2 && !targetIsMono;
  if (!goal && !stereo) return { curve, widthTransferDb: null };
  const length = equalized.length ? equalized[0].length : 0;
  const probeInput = analyzeSpectrum(probeExcerpt(equalized, sampleRateHz), sampleRateHz);
  // The rider changes where the limiter bites, and so the tone and width it
  // leaves: the probe rides as the full render will (planned here on the equalised track).
  const rider = riderFor(equalized, sampleRateHz, decision, decision.loudness.lufs);
  const probeRider: RiderSource = {
    kind: 'given',
    plan: null,
    blockGains: rider?.blockGains ? probeControlCurve(rider.blockGains, ENERGY_BLOCK, length, sampleRateHz) : null,
  };
  const staticEq = staticEqualizer(decision, sampleRateHz);
  let widthTransferDb: WidthTransfer | null = null;
  for (let pass = 0; pass < (goal ? REFINEMENT_PASSES : 1); pass++) {
    const probe = probeExcerpt(equalized, sampleRateHz);
    const report = renderAfterStaticEq(probe, sampleRateHz, {
      decision,
      curve,
      targetIntegratedLufs: target.integratedLufs,
      targetIsMono,
      goalLufs: decision.loudness.lufs,
      rider: probeRider,
      probe: true,
    });
    widthTransferDb = report.widthTransferDb;
    if (!goal) break;
    const transfer = bandTransfer(probeInput, analyzeSpectrum(probe, sampleRateHz));
    const response = (frequencyHz: number) => staticEq.powerResponse(frequencyHz) * transfer(frequencyHz);
    const refined = refineCurve(curve, target.spectrum, response, goal, decision.profile);
    const largestChangeDb = Math.max(...refined.map((band, i) => Math.abs(band.correctionDb - curve[i].correctionDb)));
    curve = refined;
    if (largestChangeDb < REFINEMENT_SETTLED_DB) break;
  }
  return { curve, widthTransferDb };
}
