/**
 * The pure mastering pipeline: analysis → decision → processing → render
 * (SPEC section 4). Takes decoded audio, returns mastered audio at the
 * target's own sample rate and channel layout, plus diagnostics. Publishes
 * TrackAnalyzed (target, then reference), MasteringDecided and
 * MasteringRendered through the given publisher.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { noopEventPublisher, type DomainEvent, type DomainEventName, type EventPublisher } from '../domain/events.ts';
import { analyzeTrack, summarizeAnalysis, type TrackAnalysis } from './analysis.ts';
import { convergeLoudness } from './convergence.ts';
import { decideMastering, type DecisionOptions } from './decision.ts';
import { buildDiagnostics, type MasteringDiagnostics } from './diagnostics.ts';
import { DEFAULT_MASTERING_OPTIONS } from './options.ts';
import { analyzeSpectrum } from '../dsp/spectrum.ts';
import { probeExcerpt } from './probe-excerpt.ts';
import { bandTransfer, refineCorrections, type MatchBand } from './eq-match.ts';
import { applyDynamics, applyMatchEq, applyStaticEq, staticEqPowerResponse, type DynamicsReport } from './processing.ts';
import type { MasteringDecision } from './decision.ts';
import type { ConvergenceResult } from './convergence.ts';

export interface MasterOptions extends Partial<DecisionOptions> {
  readonly correlationId?: string;
  readonly events?: EventPublisher;
  /** Timestamp source for events (ISO-8601). */
  readonly now?: () => Date;
  /** Process the target's buffers in place instead of a copy (saves memory when the caller is done with them). */
  readonly inPlace?: boolean;
}

export interface MasterResult {
  readonly audio: PcmAudio;
  readonly diagnostics: MasteringDiagnostics;
}

/**
 * Masters `target` so it sounds like `reference`. The reference may be given
 * as audio or as its {@link analyzeTrack} result: mastering needs only the
 * analysis, so a caller can release the reference's samples early, or analyse
 * one reference once for a whole batch of targets.
 *
 * @example
 * const { audio, diagnostics } = master(target, reference, { eqMode: 'reference-match' });
 * diagnostics.output_lufs // ≈ reference loudness
 */
export function master(target: PcmAudio, reference: PcmAudio | TrackAnalysis, options: MasterOptions = {}): MasterResult {
  const events = options.events ?? noopEventPublisher;
  const correlationId = options.correlationId ?? 'local';
  const now = options.now ?? (() => new Date());
  const publish = (name: DomainEventName, payload: Record<string, unknown>) => {
    const event: DomainEvent = { name, correlationId, occurredAt: now().toISOString(), payload };
    events.publish(event);
  };
  const stageMs: Record<string, number> = {};
  let mark = performance.now();
  const lap = (stage: string) => {
    const t = performance.now();
    stageMs[stage] = Number((t - mark).toFixed(1));
    mark = t;
  };

  const targetAnalysis = analyzeTrack(target);
  publish('TrackAnalyzed', { role: 'target', ...summarizeAnalysis(targetAnalysis) });
  const referenceAnalysis = isTrackAnalysis(reference) ? reference : analyzeTrack(reference);
  publish('TrackAnalyzed', { role: 'reference', ...summarizeAnalysis(referenceAnalysis) });
  lap('analysis_ms');

  const decision = decideMastering(targetAnalysis, referenceAnalysis, {
    eqMode: options.eqMode ?? DEFAULT_MASTERING_OPTIONS.eqMode,
    eqPreset: options.eqPreset ?? DEFAULT_MASTERING_OPTIONS.eqPreset,
    deEsserMode: options.deEsserMode ?? DEFAULT_MASTERING_OPTIONS.deEsserMode,
    profile: options.profile,
    targetLufs: options.targetLufs,
  });
  publish('MasteringDecided', {
    profile: decision.profile.id,
    strategy: decision.strategy.id,
    conditions: decision.strategy.conditions,
    eq_mode: decision.eqMode,
    eq_preset: decision.eqPreset,
    low_shelf_db: round(decision.lowShelfDb),
    high_shelf_db: round(decision.highShelfDb),
    compressor_threshold_db: round(decision.compressor.thresholdDb),
    compressor_ratio: round(decision.compressor.ratio),
    de_esser_mode: decision.deEsser.mode,
    limiter_ceiling_dbtp: round(decision.limiter.ceilingDbtp),
    loudness_goal_lufs: decision.loudness.lufs === null ? null : round(decision.loudness.lufs),
    loudness_goal_source: decision.loudness.source,
  });
  lap('decision_ms');

  const channels = options.inPlace ? target.channels : target.channels.map((samples) => samples.slice());
  const { sampleRateHz } = target;
  const eqSections = applyStaticEq(channels, sampleRateHz, decision);
  lap('eq_ms');
  // Reference-match closes the loop on tone: probe renders of an excerpt are
  // measured against the reference and the matching curve corrected, then
  // the whole track is rendered once with the refined curve.
  let curve = decision.eqCurve;
  if (curve.length > 0) {
    // What the chain does to the probe, per band, laid over the whole track's
    // (statically equalised) spectrum: an excerpt's own tone does not count.
    const probeInput = analyzeSpectrum(probeExcerpt(channels, sampleRateHz), sampleRateHz);
    const staticResponse = staticEqPowerResponse(decision, sampleRateHz);
    for (let pass = 0; pass < REFINEMENT_PASSES; pass++) {
      const probe = probeExcerpt(channels, sampleRateHz);
      renderFromEqualized(probe, sampleRateHz, decision, curve, targetAnalysis.integratedLufs, false);
      const transfer = bandTransfer(probeInput, analyzeSpectrum(probe, sampleRateHz));
      const response = (frequencyHz: number) => staticResponse(frequencyHz) * transfer(frequencyHz);
      const refined = refineCorrections(curve, targetAnalysis.spectrum, response, referenceAnalysis.spectrum, decision.profile);
      const largestChangeDb = Math.max(...refined.map((band, i) => Math.abs(band.correctionDb - curve[i].correctionDb)));
      curve = refined;
      if (largestChangeDb < REFINEMENT_SETTLED_DB) break;
    }
    lap('eq_refinement_ms');
  }
  const rendered = renderFromEqualized(channels, sampleRateHz, decision, curve, targetAnalysis.integratedLufs, true);
  lap('render_ms');

  const diagnostics = buildDiagnostics(targetAnalysis, referenceAnalysis, { ...decision, eqCurve: curve }, { eqSections, ...rendered }, rendered.converged, stageMs);
  publish('MasteringRendered', {
    output_lufs: diagnostics.output_lufs,
    output_true_peak_dbtp: diagnostics.output_true_peak_dbtp,
    output_lra_lu: diagnostics.output_lra_lu,
    loudness_gain_db: diagnostics.chain.loudness_gain_db,
    convergence_rounds: diagnostics.chain.convergence_rounds,
    goal_reached: diagnostics.loudness_goal_reached,
    duration_s: round(channels.length ? channels[0].length / target.sampleRateHz : 0),
  });
  return { audio: { sampleRateHz: target.sampleRateHz, channels }, diagnostics };
}

const round = (value: number) => Math.round(value * 100) / 100;

function isTrackAnalysis(value: PcmAudio | TrackAnalysis): value is TrackAnalysis {
  return 'spectrum' in value;
}

/** Probe-measure-correct iterations of the matching curve (reference-match only), at most. */
export const REFINEMENT_PASSES = 2;
/** A pass that moves no band by this much has converged; the next would not pay for itself. */
const REFINEMENT_SETTLED_DB = 0.3;

interface RenderReport extends DynamicsReport {
  readonly matchFirTaps: number;
  readonly converged: ConvergenceResult;
}

/** Matching EQ, dynamics, loudness and limiting on already high-passed/shelved channels, in place. */
function renderFromEqualized(
  channels: Float32Array[],
  sampleRateHz: number,
  decision: MasteringDecision,
  curve: readonly MatchBand[],
  targetLufs: number | null,
  verify: boolean,
): RenderReport {
  const matchFirTaps = applyMatchEq(channels, sampleRateHz, curve);
  const dynamics = applyDynamics(channels, sampleRateHz, decision, targetLufs);
  const converged = convergeLoudness(channels, sampleRateHz, {
    goalLufs: decision.loudness.lufs,
    limiterCeilingDbtp: decision.limiter.ceilingDbtp,
    truePeakCeilingDbtp: decision.truePeak.ceilingDbtp,
    toleranceDb: decision.loudness.toleranceDb,
    maxCorrectionDb: decision.loudness.maxCorrectionDb,
  }, verify);
  return { matchFirTaps, ...dynamics, converged };
}
