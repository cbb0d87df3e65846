/**
 * The pure mastering pipeline: analysis → decision → processing → render
 * (SPEC section 4). Takes decoded audio, returns mastered audio at the
 * target's own sample rate (or the requested output rate) and channel
 * layout, plus diagnostics. Publishes TrackAnalyzed (target, then each
 * reference), MasteringDecided, MasteringRendered and, when the master has
 * warnings (see `warnings.ts`), MasteringWarned through the given publisher.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { resampleChannel } from '../audio/resample.ts';
import { AudoEqError } from '../domain/errors.ts';
import { countClippedRuns } from '../dsp/clipped-runs.ts';
import { samplePeakEnvelope } from '../dsp/limiter.ts';
import { measureStereoWidthOf } from '../dsp/stereo-width.ts';
import { noopEventPublisher, type DomainEvent, type DomainEventName, type EventPublisher } from '../domain/events.ts';
import { analyzeTrack, summarizeAnalysis, type TrackAnalysis } from './analysis.ts';
import { decideMastering, type DecisionOptions, type MasteringDecision } from './decision.ts';
import { buildDiagnostics, type MasteringDiagnostics } from './diagnostics.ts';
import { planGainRider, riddenPredictor } from './dynamics-match.ts';
import type { MatchBand } from './eq-match.ts';
import { blockMaxima, ENERGY_BLOCK, kWeightedBlockEnergy } from './loudness-prediction.ts';
import { MAX_LOUDNESS_GAIN_DB } from './convergence.ts';
import { DEFAULT_MASTERING_OPTIONS, type OutputSampleRateHz } from './options.ts';
import { applyPreviewFades, loudestRegion, type PreviewRegion } from './preview.ts';
import { limiterStage, staticEqualizer } from './processing.ts';
import { combineReferences } from './reference-profile.ts';
import { masteringWarnings } from './warnings.ts';
import { isMonoWidth } from './width-match.ts';
import { probeChain, renderAfterStaticEq, type RenderReport, type RiderSource } from './render.ts';

export interface MasterOptions extends Partial<DecisionOptions> {
  readonly correlationId?: string;
  readonly events?: EventPublisher;
  /** Timestamp source for events (ISO-8601). */
  readonly now?: () => Date;
  /** Process the target's buffers in place instead of a copy (saves memory when the caller is done with them). */
  readonly inPlace?: boolean;
  /** Output sample rate; absent keeps the target's. */
  readonly outputSampleRateHz?: OutputSampleRateHz;
  /** Render only the loudest 30 s (with 1 s fades) of what the whole track decides. */
  readonly preview?: boolean;
  /**
   * The target's {@link analyzeTrack} result when the caller already has it
   * (it analysed the target while the references were analysed elsewhere);
   * ignored when the output rate differs from the target's.
   */
  readonly targetAnalysis?: TrackAnalysis;
}

export interface MasterResult {
  readonly audio: PcmAudio;
  readonly diagnostics: MasteringDiagnostics;
}

/** A reference as audio, or as its {@link analyzeTrack} result. */
export type ReferenceInput = PcmAudio | TrackAnalysis;

/**
 * Masters `target` so it sounds like `reference` (or the combination of
 * several references, loudness-weighted, see `reference-profile.ts`). A
 * reference may be given as audio or as its {@link analyzeTrack} result:
 * mastering needs only the analysis, so a caller can release the reference's
 * samples early, or analyse one reference once for a whole batch of targets.
 *
 * @example
 * const { audio, diagnostics } = master(target, reference, { eqMode: 'reference-match', strength: 70, match: ['loudness', 'tone'] });
 * diagnostics.output_lufs // ≈ reference loudness
 */
export function master(target: PcmAudio, reference: ReferenceInput | readonly ReferenceInput[], options: MasterOptions = {}): MasterResult {
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

  // Clipping is judged on the target as it came in, before any resampling smooths the flat tops.
  const targetClipping = countClippedRuns(target.channels);
  let source = target;
  if (options.outputSampleRateHz !== undefined && options.outputSampleRateHz !== target.sampleRateHz) {
    const toHz = options.outputSampleRateHz;
    source = { sampleRateHz: toHz, channels: target.channels.map((samples) => resampleChannel(samples, target.sampleRateHz, toHz)) };
    lap('resample_ms');
  }
  const { sampleRateHz } = source;

  const targetAnalysis = source === target && options.targetAnalysis ? options.targetAnalysis : analyzeTrack(source);
  publish('TrackAnalyzed', { role: 'target', ...summarizeAnalysis(targetAnalysis) });
  const references = (isReferenceList(reference) ? reference : [reference]).map((input) => (isTrackAnalysis(input) ? input : analyzeTrack(input)));
  references.forEach((analysis, index) => publish('TrackAnalyzed', { role: 'reference', index, ...summarizeAnalysis(analysis) }));
  const audible = audibleReferences(references, options);
  const referenceProfile = combineReferences(audible.references);
  lap('analysis_ms');

  const decision = decideMastering(targetAnalysis, referenceProfile, {
    eqMode: options.eqMode ?? DEFAULT_MASTERING_OPTIONS.eqMode,
    eqPreset: options.eqPreset ?? DEFAULT_MASTERING_OPTIONS.eqPreset,
    deEsserMode: options.deEsserMode ?? DEFAULT_MASTERING_OPTIONS.deEsserMode,
    profile: options.profile,
    goalLufs: options.goalLufs,
    loudnessPreset: options.loudnessPreset,
    ceilingDbtp: options.ceilingDbtp,
    strength: options.strength ?? DEFAULT_MASTERING_OPTIONS.strength,
    // Nothing can be matched to silence: only the explicit loudness goal applies.
    match: audible.allSilent ? [] : (options.match ?? DEFAULT_MASTERING_OPTIONS.match),
  });
  publish('MasteringDecided', decidedSummary(decision, references.length));
  lap('decision_ms');

  const rendered = options.preview
    ? renderPreview(source, decision, targetAnalysis, lap)
    : renderWhole(source, decision, targetAnalysis, options.inPlace === true || source !== target, lap);
  const { channels } = rendered;
  const outputWidth = measureStereoWidthOf(channels, sampleRateHz);
  const warnings = masteringWarnings({
    target: targetAnalysis,
    targetClipping,
    references,
    reference: referenceProfile,
    silentReferenceIndices: audible.silentIndices,
    outputSampleRateHz: sampleRateHz,
    goalLufs: rendered.goalLufs,
    goalSource: decision.loudness.source,
    reachedLufs: rendered.report.converged.output.integratedLufs,
  });

  const diagnostics = buildDiagnostics({
    target: targetAnalysis,
    reference: referenceProfile,
    referenceCount: references.length,
    decision,
    curve: rendered.curve,
    report: rendered.report,
    outputWidth,
    preview: rendered.region ? { startSeconds: rendered.region.start / sampleRateHz, durationSeconds: (rendered.region.end - rendered.region.start) / sampleRateHz } : null,
    outputSampleRateHz: sampleRateHz,
    stageMs,
    warnings,
  });
  publish('MasteringRendered', {
    output_lufs: diagnostics.output_lufs,
    output_true_peak_dbtp: diagnostics.output_true_peak_dbtp,
    output_lra_lu: diagnostics.output_lra_lu,
    loudness_gain_db: diagnostics.chain.loudness_gain_db,
    convergence_rounds: diagnostics.chain.convergence_rounds,
    goal_reached: diagnostics.loudness_goal_reached,
    preview: options.preview === true,
    duration_s: round(channels.length ? channels[0].length / sampleRateHz : 0),
  });
  if (warnings.length > 0) publish('MasteringWarned', { warnings });
  return { audio: { sampleRateHz, channels }, diagnostics };
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * The references that can be matched: silent ones (RMS at or below −60 dBFS)
 * are left out while any other has sound. When every reference is silent,
 * matching it would give a master at whatever level and tone silence
 * suggests, so that is refused (`422 silent_reference`) unless the request
 * names its own loudness goal (`target_lufs` or `loudness_preset`): then the
 * master gets that loudness and nothing is matched.
 */
function audibleReferences(references: readonly TrackAnalysis[], options: MasterOptions): { references: readonly TrackAnalysis[]; silentIndices: number[]; allSilent: boolean } {
  const silentIndices = references.flatMap((analysis, index) => (analysis.silent ? [index] : []));
  if (silentIndices.length === 0) return { references, silentIndices, allSilent: false };
  if (silentIndices.length < references.length) {
    return { references: references.filter((analysis) => !analysis.silent), silentIndices, allSilent: false };
  }
  if (options.goalLufs === undefined && options.loudnessPreset === undefined) {
    const several = references.length > 1;
    throw new AudoEqError(
      'silent_reference',
      `${several ? 'Every reference is' : 'The reference is'} silent (RMS at or below -60 dBFS): there is no loudness or tone to match. Send a reference with sound, or give target_lufs or loudness_preset.`,
      { part: 'reference', ...(several ? { reference_indices: silentIndices.map((index) => index + 1) } : {}) },
    );
  }
  return { references, silentIndices, allSilent: true };
}

function isTrackAnalysis(value: ReferenceInput): value is TrackAnalysis {
  return 'spectrum' in value;
}

function isReferenceList(value: ReferenceInput | readonly ReferenceInput[]): value is readonly ReferenceInput[] {
  return Array.isArray(value);
}

function decidedSummary(decision: MasteringDecision, referenceCount: number): Record<string, unknown> {
  return {
    profile: decision.profile.id,
    strategy: decision.strategy.id,
    conditions: decision.strategy.conditions,
    eq_mode: decision.eqMode,
    eq_preset: decision.eqPreset,
    strength: round(decision.strength * 100),
    match: [...decision.match],
    references: referenceCount,
    low_shelf_db: round(decision.lowShelfDb),
    high_shelf_db: round(decision.highShelfDb),
    compressor_threshold_db: round(decision.compressor.thresholdDb),
    compressor_ratio: round(decision.compressor.ratio),
    de_esser_mode: decision.deEsser.mode,
    width_goal_db: Object.fromEntries(decision.width.bands.map((band) => [band.id, band.goalDb === null ? null : round(band.goalDb)])),
    loudness_range_goal_lu: decision.dynamics.goalLraLu === null ? null : round(decision.dynamics.goalLraLu),
    limiter_ceiling_dbtp: round(decision.limiter.ceilingDbtp),
    true_peak_ceiling_dbtp: decision.truePeak.ceilingDbtp,
    loudness_goal_lufs: decision.loudness.lufs === null ? null : round(decision.loudness.lufs),
    loudness_goal_source: decision.loudness.source,
  };
}

interface Rendered {
  readonly channels: Float32Array[];
  readonly curve: readonly MatchBand[];
  readonly report: RenderReport;
  readonly region: PreviewRegion | null;
  /** The loudness the render aimed at (a preview's: its excerpt's share of the whole's goal). */
  readonly goalLufs: number | null;
}

/** The full render of the whole track. */
function renderWhole(source: PcmAudio, decision: MasteringDecision, target: TrackAnalysis, inPlace: boolean, lap: (stage: string) => void): Rendered {
  const { sampleRateHz } = source;
  const channels = inPlace ? [...source.channels] : source.channels.map((samples) => samples.slice());
  const staticEq = staticEqualizer(decision, sampleRateHz);
  staticEq.process(channels);
  lap('eq_ms');
  const { curve, widthTransferDb } = probeChain(channels, sampleRateHz, decision, target);
  lap('probe_ms');
  const report = renderAfterStaticEq(channels, sampleRateHz, {
    decision,
    curve,
    targetIntegratedLufs: target.integratedLufs,
    targetIsMono: isMonoWidth(target.width),
    widthTransferDb,
    goalLufs: decision.loudness.lufs,
    rider: { kind: 'plan' },
  });
  lap('render_ms');
  return { channels, curve, report, region: null, goalLufs: decision.loudness.lufs };
}

/** The loudest 30 s of the track, rendered as the full master would sound there (see `preview.ts`). */
function renderPreview(source: PcmAudio, decision: MasteringDecision, target: TrackAnalysis, lap: (stage: string) => void): Rendered {
  const { sampleRateHz } = source;
  const length = source.channels.length ? source.channels[0].length : 0;
  const energy = kWeightedBlockEnergy(source.channels, sampleRateHz);
  const region = loudestRegion(energy, length, sampleRateHz);
  const limiter = limiterStage(decision, sampleRateHz);
  const problem = { energy, blockPeaks: blockMaxima(samplePeakEnvelope(source.channels)), length, sampleRateHz, timing: limiter.timing };
  const ceilingLinear = Math.min(limiter.ceilingLinear, Math.pow(10, (decision.truePeak.ceilingDbtp - 0.02) / 20));
  const goalLufs = decision.loudness.lufs;
  const plan =
    decision.dynamics.goalLraLu !== null
      ? planGainRider({ ...problem, ceilingLinear, goalLufs, goalLraLu: decision.dynamics.goalLraLu, maxGainDb: MAX_LOUDNESS_GAIN_DB })
      : null;
  // The loudness the whole master is predicted to have over the excerpt.
  let excerptGoalLufs = goalLufs;
  if (goalLufs !== null && plan) {
    excerptGoalLufs = riddenPredictor(problem, plan.blockGains).regionLoudness(plan.loudnessGainDb, ceilingLinear, region.start, region.end) ?? goalLufs;
  }
  const firstBlock = region.start / ENERGY_BLOCK;
  const rider: RiderSource = {
    kind: 'given',
    plan,
    blockGains: plan?.blockGains ? plan.blockGains.slice(firstBlock, firstBlock + Math.ceil((region.end - region.start) / ENERGY_BLOCK) + 1) : null,
  };
  const channels = source.channels.map((samples) => samples.slice(region.start, region.end));
  lap('preview_plan_ms');
  const staticEq = staticEqualizer(decision, sampleRateHz);
  staticEq.process(channels);
  const { curve, widthTransferDb } = probeChain(channels, sampleRateHz, decision, target);
  const report = renderAfterStaticEq(channels, sampleRateHz, {
    decision,
    curve,
    targetIntegratedLufs: target.integratedLufs,
    targetIsMono: isMonoWidth(target.width),
    widthTransferDb,
    goalLufs: excerptGoalLufs,
    rider,
  });
  applyPreviewFades(channels, sampleRateHz);
  lap('render_ms');
  return { channels, curve, report, region, goalLufs: excerptGoalLufs };
}
