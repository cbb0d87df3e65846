/**
 * Runs the decided chain over a target's working copy: the stages of
 * `processing.ts` in order, the gain rider planned on the signal as it reaches
 * it, and the loudness convergence with the decided limiter, each stage a
 * stream run block by block in passes over the store. Also the probe renders
 * that close the loop on the matching curve.
 */
import { memoryTrackStore, type PcmSource, type TrackStore } from '../audio/pcm-source.ts';
import { analyzeSpectrum } from '../dsp/spectrum.ts';
import type { DeEsserReport } from '../dsp/deesser.ts';
import type { StereoWidenerReport } from '../dsp/stereo-widener.ts';
import { createGainRider, GAIN_BLOCK } from '../dsp/gain-rider.ts';
import type { StereoWidth } from '../dsp/stereo-width.ts';
import type { TrackAnalysis } from './analysis.ts';
import { convergeLoudness, MAX_LOUDNESS_GAIN_DB, type ConvergenceOutput, type ConvergenceResult } from './convergence.ts';
import type { MasteringDecision } from './decision.ts';
import { planGainRider, type RiderPlan, type RiderSettings } from './dynamics-match.ts';
import { bandTransfer, refineCurve, type MatchBand } from './eq-match.ts';
import { ENERGY_BLOCK } from './loudness-prediction.ts';
import { isMonoWidth, planSideGains, widthTransfer, type SideGainPlan, type WidthTransfer } from './width-match.ts';
import { compressorStage, deEsserStage, limiterStage, matchEqualizer, staticEqualizer, stereoWidener } from './processing.ts';
import { probeControlCurve, probeExcerptFrom, probeExcerptLength } from './probe-excerpt.ts';
import { handBackScratch, takeScratch } from '../dsp/scratch-memory.ts';
import { RENDER_BLOCK_FRAMES, runPass } from './render-pass.ts';
import { runSplitWidenerPass, widenerSplit } from './split-widener-pass.ts';
import { LOCAL_TAPS, tapsBeside, type TapHost } from './tap-host.ts';

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
  | GivenRider
  /**
   * Given when the render reaches the rider and not before (a probe's, planned
   * elsewhere meanwhile); `taken` says whether a render has already waited
   * for it (until then the tap host may be busy planning it).
   */
  | { readonly kind: 'awaited'; readonly take: () => GivenRider; readonly taken: () => boolean };

export interface GivenRider {
  readonly kind: 'given';
  readonly blockGains: Float32Array | null;
  readonly plan: RiderPlan | null;
}

export interface RenderRequest {
  readonly decision: MasteringDecision;
  readonly curve: readonly MatchBand[];
  /** The target's integrated loudness (aligns the compressor's threshold). */
  readonly targetIntegratedLufs: number | null;
  /** A mono target (or a stereo file holding mono) stays mono: no width stage. */
  readonly targetIsMono: boolean;
  /** What the dynamics stages do to side/mid per band, from a probe (see {@link probeChain}). */
  readonly widthTransferDb?: WidthTransfer | null;
  /**
   * The width of the signal as it reaches the width stage, where an earlier
   * pass took it: only possible when `curve` is flat (no matching FIR comes
   * between). Absent: measured here.
   */
  readonly widthIn?: StereoWidth | null;
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
 * Everything after the static equaliser (already applied), over the track's
 * working copy in `store`, in passes (`render-pass.ts`): matching FIR (and the
 * width it leaves), width stage (and the loudness the compressor follows),
 * compressor and de-esser (and what the rider plans on), then the rider and
 * the loudness stage (`convergence.ts`), whose last pass writes the master
 * over the store or hands it to `output.sink`.
 *
 * @example const report = renderAfterStaticEq(memoryTrackStore(channels, 44100), { decision, curve, targetIntegratedLufs: -22, targetIsMono: false, goalLufs: -10, rider: { kind: 'plan' } });
 */
export function renderAfterStaticEq(store: TrackStore, request: RenderRequest, output: ConvergenceOutput = {}): RenderReport {
  const { decision } = request;
  const { sampleRateHz, length, channelCount } = store;
  const matchEq = matchEqualizer(request.curve, sampleRateHz);
  const probe = request.probe === true;
  // Width is planned on the signal as it reaches the stage (equalisation moves
  // side and mid differently) plus what the dynamics stages after it do to it
  // (limiting loud, mid-heavy moments raises the side's share), as a probe measured.
  const stereo = channelCount === 2 && !request.targetIsMono;
  if (request.widthIn !== undefined && matchEq) throw new Error('the width reaching the width stage was measured before a matching FIR that changes it');
  // A rider still being planned on the tap host keeps it busy until the plan is
  // in: the matching FIR's pass would wait there for its width (3-minute pair,
  // reference-match: ~60 ms in the first probe), so it takes it here then.
  const hostPlanning = request.rider.kind === 'awaited' && !request.rider.taken();
  const widthInTap =
    stereo && request.widthIn === undefined ? tapsBeside(output, matchEq !== null && !hostPlanning).open({ kind: 'stereo-width', sampleRateHz, channelCount, length }) : null;
  if (matchEq || widthInTap) runPass(store, matchEq ? [matchEq.stream()] : [], widthInTap ? [widthInTap] : [], { write: matchEq !== null, blockFrames: output.blockFrames });
  const widthIn = stereo ? (request.widthIn ?? widthInTap?.result() ?? null) : null;
  const sideGains = probe || !widthIn ? null : planSideGains(decision.width, widthIn, request.widthTransferDb ?? null);
  const widener = stereoWidener(sideGains, sampleRateHz);
  const compressor = compressorStage(decision, sampleRateHz, request.targetIntegratedLufs);
  const compressing = decision.compressor.amount > 0;
  // The compressor's threshold follows its input's programme loudness, measured over the whole track first.
  const blockFrames = output.blockFrames ?? RENDER_BLOCK_FRAMES;
  const measuringProgramme = compressing && request.targetIntegratedLufs !== null;
  // Split, the host widens part of the track and this thread takes the taps.
  const split = widener ? widenerSplit(store, widener, output.tapHost, blockFrames, measuringProgramme) : null;
  const programmeTap = measuringProgramme ? tapsBeside(output, widener !== null && !split).open({ kind: 'kweighted-energy', sampleRateHz, channelCount, length }) : null;
  const programmeTaps = programmeTap ? [programmeTap] : [];
  let widened: StereoWidenerReport | null = null;
  if (split) {
    widened = runSplitWidenerPass(store, widener!, split, programmeTaps, blockFrames);
  } else if (widener || programmeTap) {
    const widenerStream = widener?.stream() ?? null;
    runPass(store, widenerStream ? [widenerStream] : [], programmeTaps, { write: widenerStream !== null, blockFrames });
    widened = widenerStream?.report() ?? null;
  }
  const width = widened ? { plan: sideGains!, ...widened } : sideGains ? { plan: sideGains, guardedFraction: 0 } : null;

  const compressorStream = compressing ? compressor.stream(length, programmeTap?.result()) : null;
  const deEsserStream = deEsserStage(decision, sampleRateHz)?.stream(length) ?? null;
  const planning = request.rider.kind === 'plan' && decision.dynamics.goalLraLu !== null;
  const dynamics = [compressorStream, deEsserStream].filter((stage): stage is NonNullable<typeof stage> => stage !== null);
  const riderTaps = planning ? riderStatisticsTaps(sampleRateHz, channelCount, length, tapsBeside(output, dynamics.length > 0)) : null;
  if (dynamics.length > 0 || riderTaps) runPass(store, dynamics, riderTaps ? [riderTaps.energy, riderTaps.peaks] : [], { write: dynamics.length > 0, blockFrames: output.blockFrames });
  const compressorReport = compressorStream?.report() ?? { meanReductionDb: 0, maxReductionDb: 0 };
  const deEsser = deEsserStream?.report() ?? null;

  let rider: RiderPlan | null = null;
  let riderGains: Float32Array | null = null;
  if (request.rider.kind === 'plan') {
    rider = riderTaps ? planRider(riderTaps.energy.result(), riderTaps.peaks.result(), length, sampleRateHz, decision, request.goalLufs) : null;
    riderGains = rider?.blockGains ?? null;
  } else {
    const given = request.rider.kind === 'given' ? request.rider : request.rider.take();
    rider = given.plan;
    riderGains = given.blockGains;
  }

  const widthOutTap = probe && widthIn ? tapsBeside(output, true).open({ kind: 'stereo-width', sampleRateHz, channelCount, length }) : null;
  const converged = convergeLoudness(
    store,
    {
      goalLufs: request.goalLufs,
      limiter: limiterStage(decision, sampleRateHz),
      truePeakCeilingDbtp: decision.truePeak.ceilingDbtp,
      toleranceDb: decision.loudness.toleranceDb,
      maxCorrectionDb: decision.loudness.maxCorrectionDb,
      // A plan made here solved the gain for the signal it rides, with the same goal and limiter.
      expectedGainDb: request.rider.kind === 'plan' ? (rider?.loudnessGainDb ?? null) : null,
    },
    !probe,
    { ...output, before: riderGains ? [createGainRider(riderGains).stream()] : [], taps: [...(output.taps ?? []), ...(widthOutTap ? [widthOutTap] : [])] },
  );
  const widthOut = widthOutTap?.result() ?? null;
  return {
    matchFirTaps: matchEq?.taps ?? 0,
    width,
    widthTransferDb: widthIn && widthOut ? widthTransfer(widthIn, widthOut) : null,
    compressor: { amount: decision.compressor.amount, ...compressorReport },
    deEsser,
    rider,
    converged,
  };
}

/** Block statistics the gain rider plans on: K-weighted energy and sample peaks per {@link ENERGY_BLOCK}, taken on `host`. */
export function riderStatisticsTaps(sampleRateHz: number, channelCount: number, length: number, host: TapHost = LOCAL_TAPS) {
  return { energy: host.open({ kind: 'kweighted-energy', sampleRateHz, channelCount, length }), peaks: host.open({ kind: 'sample-peaks', length }) };
}

/** The gain rider's plan for a signal with these block statistics, or null when there is no range to aim at. */
export function planRider(energy: Float64Array, blockPeaks: Float32Array, length: number, sampleRateHz: number, decision: MasteringDecision, goalLufs: number | null): RiderPlan | null {
  const settings = riderSettings(decision, sampleRateHz, goalLufs);
  return settings && planGainRider({ ...settings, energy, blockPeaks, length, sampleRateHz });
}

/** How the decision sets the rider aiming at `goalLufs`, or null when there is no range to aim at. */
export function riderSettings(decision: MasteringDecision, sampleRateHz: number, goalLufs: number | null): RiderSettings | null {
  if (decision.dynamics.goalLraLu === null) return null;
  const limiter = limiterStage(decision, sampleRateHz);
  return {
    timing: limiter.timing,
    ceilingLinear: Math.min(limiter.ceilingLinear, Math.pow(10, (decision.truePeak.ceilingDbtp - GUARD_MARGIN_DB) / 20)),
    goalLufs,
    goalLraLu: decision.dynamics.goalLraLu,
    maxGainDb: MAX_LOUDNESS_GAIN_DB,
  };
}

/** What a probe learnt about the chain. */
export interface ChainProbe {
  /** The matching curve after closing the loop on tone. */
  readonly curve: readonly MatchBand[];
  /** What compression, riding and limiting do to side/mid per band (dB); null for mono or without a probe. */
  readonly widthTransferDb: WidthTransfer | null;
}

/** Whether {@link probeChain} has anything to learn for this decision and target. */
export function probeWanted(decision: MasteringDecision, target: TrackAnalysis, channelCount: number): boolean {
  return decision.toneGoal !== null || (channelCount === 2 && !isMonoWidth(target.width));
}

/**
 * Probe renders of `equalized` (the statically equalised target, or an
 * excerpt of it) close the loop on tone: the chain's tonal effect, measured
 * and laid over the whole target's spectrum, is compared with the goal and
 * folded into the curve. The last probe also tells what the dynamics stages do
 * to the stereo width, so the width stage can plan for it. The rider changes
 * where the limiter bites, and so the tone and width it leaves: the probe
 * rides as the full render will, by `riderPlan`, the plan for the whole
 * equalised track aiming at the decision's loudness (null without a range
 * goal), taken only when a probe reaches its rider (it may be solved on
 * another thread meanwhile, see `rider-plan-tap.ts`). The probe passes that
 * run stages take their taps on `tapHost` where given (as the full render
 * does; the same results).
 *
 * @example const { curve, widthTransferDb } = probeChain(memorySource(equalized), decision, target, () => plan);
 */
export function probeChain(
  equalized: PcmSource,
  decision: MasteringDecision,
  target: TrackAnalysis,
  riderPlan: () => RiderPlan | null,
  tapHost?: TapHost,
): ChainProbe {
  const { sampleRateHz, length } = equalized;
  if (!probeWanted(decision, target, equalized.channelCount)) return { curve: decision.eqCurve, widthTransferDb: null };
  // Each pass renders over the excerpt in the same arrays, cut again from
  // `equalized` (which no pass changes) for every pass after the first:
  // fresh memory for a working copy cost more in page faults than cutting
  // again (reference-match, 3-minute pair: ~20 ms). The arrays lie in scratch
  // memory, handed back for the render's rider search, which wants about as
  // much next (3-minute pair: ~10 MB; the search 59 → 52 ms in it, 10 runs).
  const excerptLength = probeExcerptLength(length, sampleRateHz);
  const memory = takeScratch(equalized.channelCount * excerptLength * Float32Array.BYTES_PER_ELEMENT);
  try {
    const arrays = Array.from({ length: equalized.channelCount }, (_, c) => new Float32Array(memory, c * excerptLength * Float32Array.BYTES_PER_ELEMENT, excerptLength));
    return probeExcerptRenders(equalized, probeExcerptFrom(equalized, arrays), decision, target, riderPlan, tapHost);
  } finally {
    handBackScratch(memory);
  }
}

/** {@link probeChain}'s renders over `excerpt`, cut from `equalized` (and cut again into the same arrays for each pass after the first). */
function probeExcerptRenders(
  equalized: PcmSource,
  excerpt: Float32Array[],
  decision: MasteringDecision,
  target: TrackAnalysis,
  riderPlan: () => RiderPlan | null,
  tapHost: TapHost | undefined,
): ChainProbe {
  let curve = decision.eqCurve;
  const goal = decision.toneGoal;
  const { sampleRateHz, length } = equalized;
  const targetIsMono = isMonoWidth(target.width);
  const passes = goal ? REFINEMENT_PASSES : 1;
  // The tone the probes start from, only wanted when there is a tone goal to refine the curve towards.
  const probeInput = goal ? analyzeSpectrum(excerpt, sampleRateHz) : null;
  let probeGains: GivenRider | null = null;
  const probeRider: RiderSource = {
    kind: 'awaited',
    taken: () => probeGains !== null,
    take: () => {
      if (!probeGains) {
        const rider = riderPlan();
        probeGains = { kind: 'given', plan: null, blockGains: rider?.blockGains ? probeControlCurve(rider.blockGains, ENERGY_BLOCK, length, sampleRateHz) : null };
      }
      return probeGains;
    },
  };
  const staticEq = staticEqualizer(decision, sampleRateHz);
  let widthTransferDb: WidthTransfer | null = null;
  for (let pass = 0; pass < passes; pass++) {
    const probe = pass > 0 ? probeExcerptFrom(equalized, excerpt) : excerpt;
    const report = renderAfterStaticEq(
      memoryTrackStore(probe, sampleRateHz),
      {
        decision,
        curve,
        targetIntegratedLufs: target.integratedLufs,
        targetIsMono,
        goalLufs: decision.loudness.lufs,
        rider: probeRider,
        probe: true,
      },
      { tapHost },
    );
    widthTransferDb = report.widthTransferDb;
    if (!goal) break;
    const transfer = bandTransfer(probeInput!, analyzeSpectrum(probe, sampleRateHz));
    const response = (frequencyHz: number) => staticEq.powerResponse(frequencyHz) * transfer(frequencyHz);
    const refined = refineCurve(curve, target.spectrum, response, goal, decision.profile);
    const largestChangeDb = Math.max(...refined.map((band, i) => Math.abs(band.correctionDb - curve[i].correctionDb)));
    curve = refined;
    if (largestChangeDb < REFINEMENT_SETTLED_DB) break;
  }
  return { curve, widthTransferDb };
}
