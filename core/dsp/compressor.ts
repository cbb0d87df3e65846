/**
 * Stereo-linked feed-forward compressor (log-domain gain computer with a soft
 * knee, attack/release smoothing of the gain reduction, after Giannoulis, Massberg
 * & Reiss 2012). The side chain runs at a control rate of one value per
 * {@link CONTROL_BLOCK} samples (block peak), and the gain is interpolated per
 * sample: at 44.1 kHz a block is 0.36 ms, far below the 15 ms attack, so the
 * result is indistinguishable from per-sample control at a fraction of the cost.
 * It runs block by block ({@link CompressorStage.stream}); the whole-buffer
 * `process` is that stream fed the track as one block.
 */
import { applyGainRamps } from './block-gains.ts';
import { linkedBlockPeaks, PEAK_BLOCK } from './block-peaks.ts';
import { createHeldFrames, noFrames } from './held-frames.ts';
import { kWeightedBlockEnergy } from './kweighted-blocks.ts';
import { centredShortTermLoudness, interpolateStepAt } from './short-term-loudness.ts';
import { frameLength, processWhole, type StreamStage } from './stream-stage.ts';

export const CONTROL_BLOCK = PEAK_BLOCK;

export interface CompressorSettings {
  readonly thresholdDb: number;
  readonly ratio: number;
  readonly attackMs: number;
  readonly releaseMs: number;
  readonly kneeDb: number;
  /** Added to the detected level before the gain computer (aligns the threshold to a programme level). */
  readonly detectorOffsetDb: number;
}

/** Gain reduction (dB, ≥ 0) per control block, with the block length it was computed for. */
export interface GainReductionEnvelope {
  readonly blockSize: number;
  readonly reductionDb: Float32Array;
}

/** Static curve: gain reduction (dB ≥ 0) for an input level (dB). */
export function staticGainReductionDb(levelDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const over = levelDb - thresholdDb;
  const slope = 1 - 1 / ratio;
  if (kneeDb > 0 && 2 * Math.abs(over) <= kneeDb) {
    const x = over + kneeDb / 2;
    return (slope * x * x) / (2 * kneeDb);
  }
  return over > 0 ? slope * over : 0;
}

/**
 * Computes the compressor's gain-reduction envelope for planar `channels`
 * (linked: the loudest channel drives all).
 *
 * @example const { reductionDb } = computeGainReduction(audio.channels, 44100, settings);
 */
export function computeGainReduction(
  channels: readonly Float32Array[],
  sampleRateHz: number,
  settings: CompressorSettings,
): GainReductionEnvelope {
  const length = frameLength(channels);
  const blocks = Math.ceil(length / CONTROL_BLOCK);
  const reductionDb = new Float32Array(blocks);
  runSideChain(createSideChain(sampleRateHz, settings, null), linkedBlockPeaks(channels, blocks), 0, blocks, reductionDb, 0);
  return { blockSize: CONTROL_BLOCK, reductionDb };
}

/** The side chain's constants and its one running value. */
interface SideChain {
  readonly attackCoef: number;
  readonly releaseCoef: number;
  readonly thresholdDb: number;
  readonly ratio: number;
  readonly kneeDb: number;
  readonly detectorOffsetDb: number;
  /** Where the knee starts: below it the curve gives no reduction, and a block skips the logarithm. */
  readonly kneeStartDb: number;
  readonly kneeStartLinear: number;
  /** A threshold that follows the programme: detector offsets per `offsetStep` frames, instead of `detectorOffsetDb`. */
  readonly stepOffsetsDb: Float64Array | null;
  readonly offsetStep: number;
  /** The smoothed gain reduction (dB) after the last block run. */
  smoothedDb: number;
}

function createSideChain(sampleRateHz: number, settings: CompressorSettings, programme: { stepOffsetsDb: Float64Array; step: number } | null): SideChain {
  const controlRateHz = sampleRateHz / CONTROL_BLOCK;
  const kneeStartDb = settings.thresholdDb - Math.max(0, settings.kneeDb) / 2;
  return {
    attackCoef: Math.exp(-1 / ((settings.attackMs / 1000) * controlRateHz)),
    releaseCoef: Math.exp(-1 / ((settings.releaseMs / 1000) * controlRateHz)),
    thresholdDb: settings.thresholdDb,
    ratio: settings.ratio,
    kneeDb: settings.kneeDb,
    detectorOffsetDb: settings.detectorOffsetDb,
    kneeStartDb,
    kneeStartLinear: Math.pow(10, (kneeStartDb - settings.detectorOffsetDb) / 20),
    stepOffsetsDb: programme?.stepOffsetsDb ?? null,
    offsetStep: programme?.step ?? 1,
    smoothedDb: 0,
  };
}

/**
 * Runs the side chain over `count` control blocks from block `firstBlock`
 * (their linked peaks in `peaks`), writing each block's smoothed gain
 * reduction (dB) to reductionDb[at..]: attack and release smoothing of the
 * static curve's reduction, one step per block.
 */
function runSideChain(chain: SideChain, peaks: Float32Array, firstBlock: number, count: number, reductionDb: Float32Array, at: number): void {
  const { attackCoef, releaseCoef, thresholdDb, ratio, kneeDb, detectorOffsetDb, kneeStartDb, kneeStartLinear, stepOffsetsDb, offsetStep } = chain;
  let smoothed = chain.smoothedDb;
  for (let k = 0; k < count; k++) {
    const peak = peaks[k];
    // The detector level in dB only where it is looked at (one logarithm a block, none under a fixed knee).
    let target = 0;
    if (stepOffsetsDb) {
      if (peak > 1e-10) {
        const levelDb = 20 * Math.log10(peak) + interpolateStepAt(stepOffsetsDb, offsetStep, CONTROL_BLOCK, firstBlock + k);
        if (levelDb > kneeStartDb) target = staticGainReductionDb(levelDb, thresholdDb, ratio, kneeDb);
      }
    } else if (peak > kneeStartLinear) {
      target = staticGainReductionDb(peak > 1e-10 ? 20 * Math.log10(peak) + detectorOffsetDb : -200, thresholdDb, ratio, kneeDb);
    }
    const coef = target > smoothed ? attackCoef : releaseCoef;
    smoothed = coef * smoothed + (1 - coef) * target;
    reductionDb[at + k] = smoothed;
  }
  chain.smoothedDb = smoothed;
}

export interface CompressorStageSettings extends CompressorSettings {
  readonly sampleRateHz: number;
  /** 0–1: how much of the computed gain reduction is applied (0 bypasses). */
  readonly amount: number;
  /**
   * Let the threshold follow the programme: the detector is offset by
   * `referenceLufs` − the input's centred 3 s loudness (held within `spanLu`
   * of `integratedLufs`, so pauses are not compressed as if loud). The
   * compressor then shapes each passage's peaks against its own level — its
   * density — and leaves the level differences between passages (the loudness
   * range) to the gain rider.
   */
  readonly followProgramme?: { readonly referenceLufs: number; readonly integratedLufs: number; readonly spanLu: number };
}

/** The reduction a compressor applied (dB, `amount` × the side chain's): mean over control blocks and maximum. */
export interface CompressorReport {
  readonly meanReductionDb: number;
  readonly maxReductionDb: number;
}

export interface CompressorStage {
  /** Compresses planar channels in place; reports the reduction applied. */
  process(channels: readonly Float32Array[]): CompressorReport;
  /**
   * The same compressor block by block over a track of `length` frames (the
   * output lags the input by one to two control blocks, given out by the time
   * the last frame is in). With `followProgramme` it needs `programmeEnergy`:
   * `kWeightedBlockEnergy` of its whole input, measured in an earlier pass.
   */
  stream(length: number, programmeEnergy?: Float64Array): StreamStage<CompressorReport>;
}

/**
 * The compressor as one processor.
 *
 * @example createCompressor({ sampleRateHz: 44100, thresholdDb: -22, ratio: 2.2, attackMs: 15, releaseMs: 120, kneeDb: 6, detectorOffsetDb: 0, amount: 1 }).process(channels);
 */
export function createCompressor(settings: CompressorStageSettings): CompressorStage {
  const stream = (length: number, programmeEnergy?: Float64Array) => compressorStream(settings, length, programmeEnergy);
  return {
    stream,
    process(channels) {
      if (settings.amount <= 0) return { meanReductionDb: 0, maxReductionDb: 0 };
      const energy = settings.followProgramme ? kWeightedBlockEnergy(channels, settings.sampleRateHz) : undefined;
      return processWhole(stream(frameLength(channels), energy), channels);
    },
  };
}

/**
 * The compressor over a stream. Each control block's gain is known once the
 * block is in; the samples of block b ramp from its gain to block b + 1's, so
 * a block is given out when the next one has been measured (the last one
 * ramps to its own gain again). Nothing per sample is kept beyond the frames
 * held back, and per control block only what the push in hand covers.
 */
function compressorStream(settings: CompressorStageSettings, length: number, programmeEnergy: Float64Array | undefined): StreamStage<CompressorReport> {
  const blocks = Math.ceil(length / CONTROL_BLOCK);
  const bypass = settings.amount <= 0;
  const follow = settings.followProgramme;
  if (follow && !bypass && !programmeEnergy) throw new Error('a programme-following compressor needs the K-weighted energy of its whole input');
  const programme = follow && programmeEnergy && !bypass ? programmeStepOffsets(programmeEnergy, length, settings.sampleRateHz, follow) : null;
  const sideChain = createSideChain(settings.sampleRateHz, settings, programme);
  /** 10^(−amount·dB/20) = exp(perDb·dB). */
  const perDb = (-settings.amount * Math.LN10) / 20;
  /** Sum and maximum of the reductions so far (dB). */
  const summary = new Float64Array(2);
  const held = createHeldFrames();
  let received = 0;
  let emitted = 0;
  /** Control blocks measured so far; those from emitted / CONTROL_BLOCK on have their gains in `gains`. */
  let measured = 0;
  let gains = new Float32Array(0);
  let lastGain = 1;
  let channelCount = 0;
  return {
    push(input) {
      channelCount = input.length;
      received += frameLength(input);
      if (received > length) throw new RangeError(`the compressor was told of ${length} frames and got ${received}`);
      if (bypass) return input;
      const frames = held.join(input);
      const firstBlock = emitted / CONTROL_BLOCK;
      const complete = received === length ? blocks : Math.floor(received / CONTROL_BLOCK);
      if (gains.length < complete - firstBlock + 1) gains = new Float32Array(Math.max(complete - firstBlock + 1, 2 * gains.length));
      let g = measured - firstBlock;
      if (g > 0) gains[0] = lastGain;
      if (complete > measured) {
        const from = measured * CONTROL_BLOCK - emitted;
        const to = Math.min(received, complete * CONTROL_BLOCK) - emitted;
        const peaks = linkedBlockPeaks(frames.map((samples) => samples.subarray(from, to)), complete - measured);
        runSideChain(sideChain, peaks, measured, complete - measured, gains, g);
        reductionsToGains(gains, g, complete - measured, perDb, summary);
        g += complete - measured;
        measured = complete;
        lastGain = gains[g - 1];
      }
      // The last block ramps to its own gain; every other waits for its successor's.
      const releasedBlocks = measured === blocks ? blocks : measured - 1;
      if (releasedBlocks <= firstBlock) {
        held.keep(frames, 0);
        return noFrames(channelCount);
      }
      if (measured === blocks) gains[blocks - firstBlock] = gains[blocks - 1 - firstBlock];
      const released = Math.min(length, releasedBlocks * CONTROL_BLOCK) - emitted;
      const output = frames.map((samples) => samples.subarray(0, released));
      applyGainRamps(output, gains.subarray(0, releasedBlocks - firstBlock + 1));
      held.keep(frames, released);
      emitted += released;
      return output;
    },
    finish() {
      if (received !== length) throw new RangeError(`the compressor was told of ${length} frames and got ${received}`);
      return noFrames(channelCount);
    },
    report() {
      if (bypass) return { meanReductionDb: 0, maxReductionDb: 0 };
      return { meanReductionDb: (settings.amount * summary[0]) / (blocks || 1), maxReductionDb: settings.amount * summary[1] };
    },
  };
}

/**
 * Turns `count` reductions (dB) at values[at..] into gains 10^(−amount·dB/20)
 * in place, adding each reduction to summary[0] and raising summary[1] to the largest.
 */
function reductionsToGains(values: Float32Array, at: number, count: number, perDb: number, summary: Float64Array): void {
  let sum = summary[0];
  let max = summary[1];
  for (let k = at; k < at + count; k++) {
    const reductionDb = values[k];
    sum += reductionDb;
    if (reductionDb > max) max = reductionDb;
    // One exp per block (Math.pow costs several times as much).
    values[k] = Math.exp(perDb * reductionDb);
  }
  summary[0] = sum;
  summary[1] = max;
}

/** Programme-following detector offsets (dB) per step of 0.1 s (see `followProgramme`), from the input's K-weighted block energy. */
function programmeStepOffsets(
  energy: Float64Array,
  length: number,
  sampleRateHz: number,
  follow: NonNullable<CompressorStageSettings['followProgramme']>,
): { stepOffsetsDb: Float64Array; step: number } {
  const step = Math.max(CONTROL_BLOCK, Math.round(0.1 * sampleRateHz));
  const loudness = centredShortTermLoudness(energy, length, sampleRateHz, step);
  const low = follow.integratedLufs - follow.spanLu;
  const high = follow.integratedLufs + follow.spanLu;
  return { stepOffsetsDb: loudness.map((lufs) => follow.referenceLufs - Math.min(high, Math.max(low, lufs))), step };
}
