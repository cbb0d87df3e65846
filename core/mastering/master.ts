/**
 * The pure mastering pipeline: analysis → decision → processing → render
 * (SPEC section 4). Takes decoded audio, returns mastered audio at the
 * target's own sample rate (or the requested output rate) and channel
 * layout, plus diagnostics. Publishes TrackAnalyzed (target, then each
 * reference), MasteringDecided, MasteringRendered and, when the master has
 * warnings (see `warnings.ts`), MasteringWarned through the given publisher.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { isMemoryTrackStore, memoryTrackStore, type TrackStore } from '../audio/pcm-source.ts';
import type { Frames } from '../dsp/stream-stage.ts';
import type { StereoWidth } from '../dsp/stereo-width.ts';
import { resampleChannel } from '../audio/resample.ts';
import { AudoEqError } from '../domain/errors.ts';
import { countClippedRuns, type ClippedRuns } from '../dsp/clipped-runs.ts';
import { samplePeakEnvelope } from '../dsp/limiter.ts';
import { measureStereoWidthOf, midSpectrumTap, widthFromSpectra } from '../dsp/stereo-width.ts';
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
import { changesTone, limiterStage, staticEqualizer } from './processing.ts';
import { combineReferences, type ReferenceProfile } from './reference-profile.ts';
import { masteringWarnings } from './warnings.ts';
import { isMonoWidth } from './width-match.ts';
import { planRider, probeChain, probeWanted, renderAfterStaticEq, riderSettings, type RenderReport, type RiderSource } from './render.ts';
import { memoryCurveStore, type ConvergenceOutput, type CurveStoreFactory } from './convergence.ts';
import { LOCAL_TAPS, sharedChannelsOf, tapsBeside, type TapHost } from './tap-host.ts';
import { RENDER_BLOCK_FRAMES, runPass } from './render-pass.ts';
import { createStageTimer, type StageTimer } from './stage-timer.ts';

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
  /** Where the render's taps run beside its stages (another thread, at the same time); default here. The master is the same either way. */
  readonly tapHost?: TapHost;
  /**
   * Where the measuring rounds keep the limiter's curve (see
   * `ConvergenceOutput.curveStore`); default in memory for a track up to
   * `MEMORY_CURVE_FRAMES`. The master is the same either way.
   */
  readonly curveStore?: CurveStoreFactory;
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
  const session = startSession(options);
  // Clipping is judged on the target as it came in, before any resampling smooths the flat tops.
  const targetClipping = countClippedRuns(target.channels);
  let source = target;
  if (options.outputSampleRateHz !== undefined && options.outputSampleRateHz !== target.sampleRateHz) {
    const toHz = options.outputSampleRateHz;
    source = { sampleRateHz: toHz, channels: target.channels.map((samples) => resampleChannel(samples, target.sampleRateHz, toHz)) };
    session.lap('resample_ms');
  }
  const targetAnalysis = source === target && options.targetAnalysis ? options.targetAnalysis : analyzeTrack(source);
  const plan = decide(targetAnalysis, reference, options, session);
  let rendered: Rendered;
  let channels: Float32Array[];
  if (options.preview) {
    const preview = renderPreview(source, plan.decision, targetAnalysis, session.lap);
    rendered = preview;
    channels = preview.channels;
  } else {
    channels = options.inPlace === true || source !== target ? [...source.channels] : source.channels.map((samples) => samples.slice());
    rendered = renderStore(memoryTrackStore(channels, source.sampleRateHz), plan.decision, targetAnalysis, session.lap, {
      curveStore: options.curveStore ?? memoryCurveStore(channels.length ? channels[0].length : 0),
      tapHost: options.tapHost,
    });
  }
  const diagnostics = finishSession(session, plan, targetAnalysis, targetClipping, rendered, source.sampleRateHz, channels.length ? channels[0].length : 0, options.preview === true);
  return { audio: { sampleRateHz: source.sampleRateHz, channels }, diagnostics };
}

/** The target of {@link masterStore}: its working copy, and what was measured while it was read in. */
export interface StoredTarget {
  /** The decoded target, which the render overwrites block by block (with the master too, unless a sink takes it from a store in a file). */
  readonly store: TrackStore;
  /** The target's {@link analyzeTrack} result (from `analyzeTrackFrom(store)` as it was read in). */
  readonly analysis: TrackAnalysis;
  /** The target's clipped runs as it came in (see `countClippedRuns`). */
  readonly clipping: ClippedRuns;
}

export interface StoreMasterOptions extends Omit<MasterOptions, 'inPlace' | 'outputSampleRateHz' | 'preview' | 'targetAnalysis' | 'curveStore'> {
  /**
   * Receives the master block by block as the last pass produces it (an
   * encoder writing a file). A store in memory is written over as well (the
   * last pass then works in the store's own blocks, as every pass before it:
   * no copy of each block to render into); one in a file is not.
   */
  readonly sink?: (frames: Frames) => void;
  /** Frames per block of the render's passes (default `RENDER_BLOCK_FRAMES`); the master is the same, within float rounding, for any. */
  readonly blockFrames?: number;
  /** Where the render may keep the limiter's gain curve (one channel, the track's length) instead of limiting twice; without it, it limits twice. */
  readonly curveStore?: CurveStoreFactory;
}

/**
 * {@link master} over a target held in a {@link TrackStore} (a file-backed
 * store for a long track): every stage runs block by block in passes over the
 * store, so memory is set by the block size and the analysis data, not by the
 * track's duration. The master is written over the store, or handed to
 * `options.sink` as it is produced. The whole track is rendered at its own
 * rate (a preview or another output rate goes through {@link master}).
 *
 * @example const { diagnostics } = masterStore({ store, analysis, clipping }, referenceAnalysis, { sink: (frames) => out.write(encoder.encode(frames)) });
 */
export function masterStore(target: StoredTarget, reference: ReferenceInput | readonly ReferenceInput[], options: StoreMasterOptions = {}): { readonly diagnostics: MasteringDiagnostics } {
  const session = startSession(options);
  const plan = decide(target.analysis, reference, options, session);
  const output: ConvergenceOutput = {
    ...(options.sink ? { sink: options.sink, write: isMemoryTrackStore(target.store) } : {}),
    blockFrames: options.blockFrames,
    curveStore: options.curveStore,
    tapHost: options.tapHost,
  };
  const rendered = renderStore(target.store, plan.decision, target.analysis, session.lap, output);
  return { diagnostics: finishSession(session, plan, target.analysis, target.clipping, rendered, target.store.sampleRateHz, target.store.length, false) };
}

interface Session extends StageTimer {
  readonly publish: (name: DomainEventName, payload: Record<string, unknown>) => void;
}

function startSession(options: Pick<MasterOptions, 'events' | 'correlationId' | 'now'>): Session {
  const events = options.events ?? noopEventPublisher;
  const correlationId = options.correlationId ?? 'local';
  const now = options.now ?? (() => new Date());
  const publish = (name: DomainEventName, payload: Record<string, unknown>) => {
    const event: DomainEvent = { name, correlationId, occurredAt: now().toISOString(), payload };
    events.publish(event);
  };
  return { publish, ...createStageTimer() };
}

interface MasteringPlan {
  readonly references: readonly TrackAnalysis[];
  readonly audible: ReturnType<typeof audibleReferences>;
  readonly referenceProfile: ReferenceProfile;
  readonly decision: MasteringDecision;
}

/** Analyses the references (when given as audio), combines the audible ones and decides the chain. */
function decide(targetAnalysis: TrackAnalysis, reference: ReferenceInput | readonly ReferenceInput[], options: Partial<DecisionOptions>, session: Session): MasteringPlan {
  const { publish, lap } = session;
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
  return { references, audible, referenceProfile, decision };
}

/** Warnings, diagnostics and the closing events of a render. */
function finishSession(
  session: Session,
  plan: MasteringPlan,
  targetAnalysis: TrackAnalysis,
  targetClipping: ClippedRuns,
  rendered: Rendered,
  sampleRateHz: number,
  length: number,
  preview: boolean,
): MasteringDiagnostics {
  const { decision, references, referenceProfile, audible } = plan;
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
    outputWidth: rendered.outputWidth,
    preview: rendered.region ? { startSeconds: rendered.region.start / sampleRateHz, durationSeconds: (rendered.region.end - rendered.region.start) / sampleRateHz } : null,
    outputSampleRateHz: sampleRateHz,
    stageMs: session.stageMs,
    warnings,
  });
  session.publish('MasteringRendered', {
    output_lufs: diagnostics.output_lufs,
    output_true_peak_dbtp: diagnostics.output_true_peak_dbtp,
    output_lra_lu: diagnostics.output_lra_lu,
    loudness_gain_db: diagnostics.chain.loudness_gain_db,
    convergence_rounds: diagnostics.chain.convergence_rounds,
    goal_reached: diagnostics.loudness_goal_reached,
    preview,
    duration_s: round(length / sampleRateHz),
  });
  if (warnings.length > 0) session.publish('MasteringWarned', { warnings });
  return diagnostics;
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
function audibleReferences(references: readonly TrackAnalysis[], options: Pick<Partial<DecisionOptions>, 'goalLufs' | 'loudnessPreset'>): { references: readonly TrackAnalysis[]; silentIndices: number[]; allSilent: boolean } {
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
  readonly curve: readonly MatchBand[];
  readonly report: RenderReport;
  readonly region: PreviewRegion | null;
  /** The loudness the render aimed at (a preview's: its excerpt's share of the whole's goal). */
  readonly goalLufs: number | null;
  /** The master's width, measured as the last pass wrote it. */
  readonly outputWidth: StereoWidth | null;
}

/** The full render of the whole track in `store`, block by block. */
function renderStore(store: TrackStore, decision: MasteringDecision, target: TrackAnalysis, lap: (stage: string) => void, output: ConvergenceOutput): Rendered {
  const { sampleRateHz, channelCount, length } = store;
  const staticEq = staticEqualizer(decision, sampleRateHz);
  const equalizing = staticEq.sections.length > 0;
  // The probe's rider is planned on the equalised track as the equaliser
  // writes it, on the tap thread where there is one: planned there while
  // the probe's first passes run here.
  const riderGoal = probeWanted(decision, target, channelCount) ? riderSettings(decision, sampleRateHz, decision.loudness.lufs) : null;
  const probePlanTap = riderGoal ? tapsBeside(output, true).open({ kind: 'rider-plan', sampleRateHz, channelCount, length, settings: riderGoal }) : null;
  // With no tone goal the probe leaves the curve as it is; a flat one has no
  // matching FIR, so the signal reaching the width stage is the equaliser's
  // output: its width is taken now instead of in the render (on the tap
  // thread unless the rider's plan has it). With the plan on the tap thread,
  // the width is taken after the equaliser's pass, so the plan starts as soon
  // as the equalised track is in (taken in that pass, it held the plan back
  // and the probe waited ~70 ms more for it on a 3-minute pair); see
  // `widthAfterEqualizer` for where.
  const widthInHere = channelCount === 2 && !isMonoWidth(target.width) && decision.toneGoal === null && !changesTone(decision.eqCurve);
  const widthAfter = widthInHere && probePlanTap !== null && output.tapHost !== undefined;
  const widthInTap = widthInHere && !widthAfter ? tapsBeside(output, equalizing && !probePlanTap).open({ kind: 'stereo-width', sampleRateHz, channelCount, length }) : null;
  const taps = [probePlanTap, widthInTap].filter((tap) => tap !== null);
  const blockFrames = output.blockFrames;
  if (equalizing || taps.length > 0) runPass(store, equalizing ? [staticEq.stream()] : [], taps, { write: equalizing, blockFrames });
  const widthIn = widthAfter ? widthAfterEqualizer(store, output.tapHost!, blockFrames) : widthInTap;
  lap('eq_ms');
  const { curve, widthTransferDb } = probeChain(store, decision, target, () => probePlanTap?.result() ?? null, output.tapHost);
  lap('probe_ms');
  // Taken in the last pass, beside its stages.
  const widthTap = channelCount === 2 ? tapsBeside(output, true).open({ kind: 'stereo-width', sampleRateHz, channelCount, length }) : null;
  const report = renderAfterStaticEq(
    store,
    {
      decision,
      curve,
      targetIntegratedLufs: target.integratedLufs,
      targetIsMono: isMonoWidth(target.width),
      widthTransferDb,
      ...(widthIn ? { widthIn: widthIn.result() } : {}),
      goalLufs: decision.loudness.lufs,
      rider: { kind: 'plan' },
    },
    { ...output, taps: [...(output.taps ?? []), ...(widthTap ? [widthTap] : [])] },
  );
  lap('render_ms');
  return { curve, report, region: null, goalLufs: decision.loudness.lufs, outputWidth: widthTap?.result() ?? null };
}

/**
 * The stereo width of the equalised track in `store`, while the tap thread
 * plans the probe's rider. Where the track lies in shared memory, its side
 * spectrum is left to the tap thread (after the plan, beside the probe's
 * first passes here: nothing writes the track until the render asks for its
 * width) and only the mid spectrum is taken here, so the probe reaches its
 * rider about when the plan is in; else both in a pass of their own here.
 * The same figures either way.
 */
function widthAfterEqualizer(store: TrackStore, host: TapHost, blockFrames: number | undefined): { result(): StereoWidth | null } {
  const { sampleRateHz, channelCount, length } = store;
  const shared = host.measureShared ? sharedChannelsOf(store) : null;
  if (!shared) {
    const tap = LOCAL_TAPS.open({ kind: 'stereo-width', sampleRateHz, channelCount, length });
    runPass(store, [], [tap], { write: false, blockFrames });
    return tap;
  }
  const side = host.measureShared!({ kind: 'side-spectrum', sampleRateHz, length }, shared, blockFrames ?? RENDER_BLOCK_FRAMES);
  const mid = midSpectrumTap(sampleRateHz, length);
  runPass(store, [], [mid], { write: false, blockFrames });
  return { result: () => widthFromSpectra(mid.result(), side.result()) };
}

/** The loudest 30 s of the track, rendered as the full master would sound there (see `preview.ts`). */
function renderPreview(source: PcmAudio, decision: MasteringDecision, target: TrackAnalysis, lap: (stage: string) => void): Rendered & { readonly channels: Float32Array[] } {
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
  const excerpt = memoryTrackStore(channels, sampleRateHz);
  const statistics = decision.dynamics.goalLraLu !== null ? { energy: kWeightedBlockEnergy(channels, sampleRateHz), blockPeaks: blockMaxima(samplePeakEnvelope(channels)) } : null;
  const probePlan = () => statistics && planRider(statistics.energy, statistics.blockPeaks, excerpt.length, sampleRateHz, decision, decision.loudness.lufs);
  const { curve, widthTransferDb } = probeChain(excerpt, decision, target, probePlan);
  const report = renderAfterStaticEq(
    excerpt,
    {
      decision,
      curve,
      targetIntegratedLufs: target.integratedLufs,
      targetIsMono: isMonoWidth(target.width),
      widthTransferDb,
      goalLufs: excerptGoalLufs,
      rider,
    },
    { curveStore: memoryCurveStore(excerpt.length) },
  );
  applyPreviewFades(channels, sampleRateHz);
  lap('render_ms');
  return { channels, curve, report, region, goalLufs: excerptGoalLufs, outputWidth: measureStereoWidthOf(channels, sampleRateHz) };
}
