/**
 * Dynamic de-esser on the 5–10 kHz sibilance band. The side chain follows the
 * band's share of the total energy (the same "sibilance ratio" the analysis
 * reports, so the decided threshold is in the units it was derived from);
 * while the share exceeds the threshold the band is cut, up to `depthDb` when
 * the share reaches twice the threshold. The cut is x + (g − 1)·BP(x) with a
 * unity-peak band-pass, i.e. a bell whose gain follows g: at g = 1 the audio
 * passes bit for bit, and the band is attenuated without touching the rest.
 * It runs block by block ({@link deEsserStream}); {@link deEss} is that
 * stream fed the track as one block.
 */
import type { BiquadCoefficients } from './biquad.ts';
import { createCascadeState, filterChannelsInPlace } from './channel-cascade.ts';
import { usableFrequencyHz } from './filters.ts';
import { createHeldFrames, noFrames } from './held-frames.ts';
import { SIMD_ENERGY_BLOCK, stereoBlockEnergySimd } from './stereo-levels-simd.ts';
import { frameLength, processWhole, type Frames, type StreamStage } from './stream-stage.ts';

export interface DeEsserSettings {
  /** Sibilance share (5–10 kHz energy / total) above which the cut starts. */
  readonly thresholdShare: number;
  /** Maximum cut in dB. */
  readonly depthDb: number;
  readonly attackMs?: number;
  readonly releaseMs?: number;
}

export interface DeEsserReport {
  /** Fraction of samples where any cut was applied. */
  readonly activeFraction: number;
  readonly maxCutDb: number;
}

const BAND_LOW_HZ = 5000;
const BAND_HIGH_HZ = 10000;

/** Constant-0-dB-peak band-pass (RBJ) centred between the band edges. */
function designSibilanceBandPass(sampleRateHz: number): BiquadCoefficients {
  const high = usableFrequencyHz(BAND_HIGH_HZ, sampleRateHz);
  const low = Math.min(BAND_LOW_HZ, high / 2);
  const centre = Math.sqrt(low * high);
  const octaves = Math.log2(high / low);
  const w0 = (2 * Math.PI * centre) / sampleRateHz;
  const alpha = Math.sin(w0) * Math.sinh(((Math.LN2 / 2) * octaves * w0) / Math.sin(w0));
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b1: 0, b2: -alpha / a0, a1: (-2 * Math.cos(w0)) / a0, a2: (1 - alpha) / a0 };
}

/** Samples per side-chain step: 0.36 ms at 44.1 kHz, far below the 2 ms attack. */
export const DE_ESSER_CONTROL_BLOCK = SIMD_ENERGY_BLOCK;
/** Cuts below this (dB) are left out: inaudible, and the blocks they cover are not touched. */
const INACTIVE_CUT_DB = 0.01;

/**
 * De-esses planar `channels` in place (linked across channels).
 *
 * The side chain runs at a control rate of one step per
 * {@link DE_ESSER_CONTROL_BLOCK} samples (mean band and total energy of the
 * block), like the compressor's, and the band's gain is interpolated per
 * sample between steps: per-sample detection cost two to three times as much
 * for the same cut, and blocks without a cut are skipped.
 *
 * @example deEss(audio.channels, 44100, { thresholdShare: 0.08, depthDb: 4 });
 */
export function deEss(channels: readonly Float32Array[], sampleRateHz: number, settings: DeEsserSettings): DeEsserReport {
  return processWhole(deEsserStream(sampleRateHz, settings, frameLength(channels)), channels);
}

/**
 * The de-esser block by block over a track of `length` frames. The band-pass
 * runs on with its state as blocks arrive; a control block is measured once
 * it is complete, and given out once the next one is measured (its band gain
 * ramps to the next block's; the last one's to its own), so the output lags
 * by one to two control blocks and only those frames and their band are held.
 *
 * @example const stage = deEsserStream(44100, { thresholdShare: 0.08, depthDb: 4 }, length);
 */
export function deEsserStream(sampleRateHz: number, settings: DeEsserSettings, length: number): StreamStage<DeEsserReport> {
  const bypass = settings.depthDb <= 0;
  const block = DE_ESSER_CONTROL_BLOCK;
  const blocks = Math.ceil(length / block);
  const bandPass = designSibilanceBandPass(sampleRateHz);
  const sideChain = createSideChain(sampleRateHz, settings);
  const held = createHeldFrames();
  /** The band-pass's memory, carried from one stretch to the next. */
  let bandState: Float64Array | null = null;
  /** The band signal alongside the frames in hand: what the detector measures and what gets cut. */
  let bands: Float32Array[] = [];
  let received = 0;
  let emitted = 0;
  let measured = 0;
  /** The band's gain minus one at each block start from emitted / block on (0: no cut). */
  let gainsMinusOne = new Float32Array(0);
  let lastGainMinusOne = 0;
  let activeSamples = 0;
  let channelCount = 0;
  return {
    push(input) {
      channelCount = input.length;
      received += frameLength(input);
      if (received > length) throw new RangeError(`the de-esser was told of ${length} frames and got ${received}`);
      if (bypass) return input;
      const frames = held.join(input);
      const count = frameLength(frames);
      const firstBlock = emitted / block;
      const complete = received === length ? blocks : Math.floor(received / block);
      if (gainsMinusOne.length < complete - firstBlock + 1) gainsMinusOne = new Float32Array(Math.max(complete - firstBlock + 1, 2 * gainsMinusOne.length));
      let g = measured - firstBlock;
      if (g > 0) gainsMinusOne[0] = lastGainMinusOne;
      if (bands.length !== frames.length || bands[0].length < count) {
        const kept = bands;
        bands = frames.map((_, c) => {
          const grown = new Float32Array(Math.max(count, 2 * (kept[c]?.length ?? 0)));
          if (kept[c]) grown.set(kept[c].subarray(0, g * block), 0);
          return grown;
        });
      }
      if (complete > measured) {
        const from = measured * block - emitted;
        const to = Math.min(received, complete * block) - emitted;
        const newBands = frames.map((samples, c) => {
          const stretch = bands[c].subarray(from, to);
          stretch.set(samples.subarray(from, to));
          return stretch;
        });
        bandState ??= createCascadeState(1, frames.length);
        filterChannelsInPlace([bandPass], newBands, bandState);
        const newBlocks = complete - measured;
        const totalEnergy = blockEnergies(frames.map((samples) => samples.subarray(from, to)), newBlocks);
        runSideChain(sideChain, blockEnergies(newBands, newBlocks), totalEnergy, newBlocks, gainsMinusOne, g);
        g += newBlocks;
        measured = complete;
        lastGainMinusOne = gainsMinusOne[g - 1];
      }
      // The last block ramps to its own gain; every other waits for its successor's.
      const releasedBlocks = measured === blocks ? blocks : measured - 1;
      if (releasedBlocks <= firstBlock) {
        held.keep(frames, 0);
        return noFrames(channelCount);
      }
      if (measured === blocks) gainsMinusOne[blocks - firstBlock] = gainsMinusOne[blocks - 1 - firstBlock];
      const released = Math.min(length, releasedBlocks * block) - emitted;
      activeSamples += applyBandGains(frames, bands, gainsMinusOne, releasedBlocks - firstBlock, released);
      // The measured block held back keeps its band for the next push.
      bands.forEach((cut) => cut.copyWithin(0, released, measured * block - emitted));
      held.keep(frames, released);
      emitted += released;
      return frames.map((samples) => samples.subarray(0, released));
    },
    finish() {
      if (received !== length) throw new RangeError(`the de-esser was told of ${length} frames and got ${received}`);
      return noFrames(channelCount);
    },
    report() {
      if (bypass || length === 0) return { activeFraction: 0, maxCutDb: 0 };
      return { activeFraction: activeSamples / length, maxCutDb: sideChain.maxCutDb };
    },
  };
}

/** The side chain's constants and running values. */
interface SideChain {
  readonly attack: number;
  readonly release: number;
  /** Smoothing of the band and total energies (5 ms). */
  readonly energyCoef: number;
  readonly thresholdShare: number;
  readonly depthDb: number;
  band: number;
  total: number;
  cutDb: number;
  maxCutDb: number;
}

function createSideChain(sampleRateHz: number, settings: DeEsserSettings): SideChain {
  const controlRateHz = sampleRateHz / DE_ESSER_CONTROL_BLOCK;
  return {
    attack: Math.exp(-1 / (((settings.attackMs ?? 2) / 1000) * controlRateHz)),
    release: Math.exp(-1 / (((settings.releaseMs ?? 60) / 1000) * controlRateHz)),
    energyCoef: Math.exp(-1 / (0.005 * controlRateHz)),
    thresholdShare: settings.thresholdShare,
    depthDb: settings.depthDb,
    band: 0,
    total: 0,
    cutDb: 0,
    maxCutDb: 0,
  };
}

/**
 * Runs the side chain over `count` control blocks (their band and total
 * energies), writing the band's gain minus one at each block's start to
 * gainsMinusOne[at..] (0 where the cut is below {@link INACTIVE_CUT_DB}).
 */
function runSideChain(chain: SideChain, bandEnergy: Float64Array, totalEnergy: Float64Array, count: number, gainsMinusOne: Float32Array, at: number): void {
  const { attack, release, energyCoef, thresholdShare: threshold, depthDb } = chain;
  const block = DE_ESSER_CONTROL_BLOCK;
  // 10^(−dB/20) as one exp (Math.pow costs several times as much).
  const perDb = -Math.LN10 / 20;
  let { band, total, cutDb, maxCutDb } = chain;
  for (let b = 0; b < count; b++) {
    band = energyCoef * band + (1 - energyCoef) * bandEnergy[b];
    total = energyCoef * total + (1 - energyCoef) * totalEnergy[b];
    const share = total > 1e-12 * block ? band / total : 0;
    const over = share > threshold ? Math.min(1, (share - threshold) / threshold) : 0;
    const targetCut = depthDb * over;
    const coef = targetCut > cutDb ? attack : release;
    cutDb = coef * cutDb + (1 - coef) * targetCut;
    gainsMinusOne[at + b] = 0;
    if (cutDb > INACTIVE_CUT_DB) {
      if (cutDb > maxCutDb) maxCutDb = cutDb;
      gainsMinusOne[at + b] = Math.exp(perDb * cutDb) - 1;
    }
  }
  chain.band = band;
  chain.total = total;
  chain.cutDb = cutDb;
  chain.maxCutDb = maxCutDb;
}

/**
 * samples += (g − 1)·band over the first `count` frames, the gain ramping from
 * block to block (`gainsMinusOne` holds `blocks` + 1 values); blocks without
 * a cut at either end are left alone. Returns the frames touched.
 */
function applyBandGains(frames: Frames, bands: readonly Float32Array[], gainsMinusOne: Float32Array, blocks: number, count: number): number {
  const block = DE_ESSER_CONTROL_BLOCK;
  const step = 1 / block;
  let touched = 0;
  for (let b = 0; b < blocks; b++) {
    const g0 = gainsMinusOne[b];
    const g1 = gainsMinusOne[b + 1];
    if (g0 === 0 && g1 === 0) continue;
    const start = b * block;
    const end = Math.min(count, start + block);
    touched += end - start;
    const dg = (g1 - g0) * step;
    for (let c = 0; c < frames.length; c++) {
      const samples = frames[c];
      const cut = bands[c];
      for (let i = start, k = 0; i < end; i++, k++) samples[i] += (g0 + dg * k) * cut[i];
    }
  }
  return touched;
}

/** Σ over channels of Σ x² per {@link DE_ESSER_CONTROL_BLOCK} samples (the last block cut at the end). */
function blockEnergies(channels: Frames, blocks: number): Float64Array {
  if (channels.length === 2) {
    const simd = stereoBlockEnergySimd(channels[0], channels[1]);
    if (simd) return simd;
  }
  const energies = new Float64Array(blocks);
  for (const samples of channels) {
    for (let b = 0; b < blocks; b++) {
      const end = Math.min(samples.length, (b + 1) * DE_ESSER_CONTROL_BLOCK);
      let sum = 0;
      for (let i = b * DE_ESSER_CONTROL_BLOCK; i < end; i++) sum += samples[i] * samples[i];
      energies[b] += sum;
    }
  }
  return energies;
}

/**
 * The de-esser as one processor for a sample rate and its settings.
 *
 * @example createDeEsser(44100, { thresholdShare: 0.08, depthDb: 4 }).process(channels);
 */
export function createDeEsser(
  sampleRateHz: number,
  settings: DeEsserSettings,
): { process(channels: readonly Float32Array[]): DeEsserReport; stream(length: number): StreamStage<DeEsserReport> } {
  return { process: (channels) => deEss(channels, sampleRateHz, settings), stream: (length) => deEsserStream(sampleRateHz, settings, length) };
}
