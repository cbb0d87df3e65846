/**
 * Dynamic de-esser on the 5–10 kHz sibilance band. The side chain follows the
 * band's share of the total energy (the same "sibilance ratio" the analysis
 * reports, so the decided threshold is in the units it was derived from);
 * while the share exceeds the threshold the band is cut, up to `depthDb` when
 * the share reaches twice the threshold. The cut is x + (g − 1)·BP(x) with a
 * unity-peak band-pass, i.e. a bell whose gain follows g: at g = 1 the audio
 * passes bit for bit, and the band is attenuated without touching the rest.
 */
import type { BiquadCoefficients } from './biquad.ts';
import { filterChannelsInPlace } from './channel-cascade.ts';
import { usableFrequencyHz } from './filters.ts';
import { SIMD_ENERGY_BLOCK, stereoBlockEnergySimd } from './stereo-levels-simd.ts';

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
  const length = channels.length ? channels[0].length : 0;
  if (settings.depthDb <= 0 || length === 0) return { activeFraction: 0, maxCutDb: 0 };

  // The band signal is both what the detector measures and what gets cut.
  const bands = channels.map((samples) => samples.slice());
  filterChannelsInPlace([designSibilanceBandPass(sampleRateHz)], bands);
  const block = DE_ESSER_CONTROL_BLOCK;
  const blocks = Math.ceil(length / block);
  const bandEnergy = blockEnergies(bands, blocks);
  const totalEnergy = blockEnergies(channels, blocks);

  const controlRateHz = sampleRateHz / block;
  const attack = Math.exp(-1 / (((settings.attackMs ?? 2) / 1000) * controlRateHz));
  const release = Math.exp(-1 / (((settings.releaseMs ?? 60) / 1000) * controlRateHz));
  const energyCoef = Math.exp(-1 / (0.005 * controlRateHz));
  const threshold = settings.thresholdShare;
  const depthDb = settings.depthDb;
  // The band's gain minus one at each block start (0: no cut), one more for the end.
  const gainsMinusOne = new Float32Array(blocks + 1);
  let band = 0;
  let total = 0;
  let cutDb = 0;
  let maxCutDb = 0;
  // 10^(−dB/20) as one exp (Math.pow costs several times as much).
  const perDb = -Math.LN10 / 20;
  for (let b = 0; b < blocks; b++) {
    band = energyCoef * band + (1 - energyCoef) * bandEnergy[b];
    total = energyCoef * total + (1 - energyCoef) * totalEnergy[b];
    const share = total > 1e-12 * block ? band / total : 0;
    const over = share > threshold ? Math.min(1, (share - threshold) / threshold) : 0;
    const targetCut = depthDb * over;
    const coef = targetCut > cutDb ? attack : release;
    cutDb = coef * cutDb + (1 - coef) * targetCut;
    if (cutDb > INACTIVE_CUT_DB) {
      if (cutDb > maxCutDb) maxCutDb = cutDb;
      gainsMinusOne[b] = Math.exp(perDb * cutDb) - 1;
    }
  }
  gainsMinusOne[blocks] = gainsMinusOne[blocks - 1];

  let activeSamples = 0;
  const step = 1 / block;
  for (let b = 0; b < blocks; b++) {
    const g0 = gainsMinusOne[b];
    const g1 = gainsMinusOne[b + 1];
    if (g0 === 0 && g1 === 0) continue;
    const start = b * block;
    const end = Math.min(length, start + block);
    activeSamples += end - start;
    const dg = (g1 - g0) * step;
    for (let c = 0; c < channels.length; c++) {
      const samples = channels[c];
      const cut = bands[c];
      for (let i = start, k = 0; i < end; i++, k++) samples[i] += (g0 + dg * k) * cut[i];
    }
  }
  return { activeFraction: activeSamples / length, maxCutDb };
}

/** Σ over channels of Σ x² per {@link DE_ESSER_CONTROL_BLOCK} samples (the last block cut at the end). */
function blockEnergies(channels: readonly Float32Array[], blocks: number): Float64Array {
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
export function createDeEsser(sampleRateHz: number, settings: DeEsserSettings): { process(channels: readonly Float32Array[]): DeEsserReport } {
  return { process: (channels) => deEss(channels, sampleRateHz, settings) };
}
