/**
 * Dynamic de-esser on the 5–10 kHz sibilance band. The side chain follows the
 * band's share of the total energy (the same "sibilance ratio" the analysis
 * reports, so the decided threshold is in the units it was derived from);
 * while the share exceeds the threshold the band is cut, up to `depthDb` when
 * the share reaches twice the threshold. The cut is x + (g − 1)·BP(x) with a
 * unity-peak band-pass, i.e. a bell whose gain follows g: at g = 1 the audio
 * passes bit for bit, and the band is attenuated without touching the rest.
 */
import { createBiquadState, runBiquad, type BiquadCoefficients } from './biquad.ts';
import { usableFrequencyHz } from './filters.ts';

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

/**
 * De-esses planar `channels` in place (linked across channels).
 *
 * @example deEss(audio.channels, 44100, { thresholdShare: 0.08, depthDb: 4 });
 */
export function deEss(channels: readonly Float32Array[], sampleRateHz: number, settings: DeEsserSettings): DeEsserReport {
  const length = channels.length ? channels[0].length : 0;
  if (settings.depthDb <= 0 || length === 0) return { activeFraction: 0, maxCutDb: 0 };
  const bandPass = designSibilanceBandPass(sampleRateHz);

  // The band signal is both what the detector measures and what gets cut.
  const bands = channels.map((samples) => runBiquad(bandPass, createBiquadState(), samples, new Float32Array(length)));
  const attack = Math.exp(-1 / (((settings.attackMs ?? 2) / 1000) * sampleRateHz));
  const release = Math.exp(-1 / (((settings.releaseMs ?? 60) / 1000) * sampleRateHz));
  const energyCoef = Math.exp(-1 / (0.005 * sampleRateHz));
  const threshold = settings.thresholdShare;
  const depthDb = settings.depthDb;
  // 10^(−dB/20) as one exp: Math.pow costs several times as much, once per active sample.
  const perDb = -Math.LN10 / 20;

  let bandEnergy = 0;
  let totalEnergy = 0;
  let cutDb = 0;
  let active = 0;
  let maxCutDb = 0;
  for (let i = 0; i < length; i++) {
    let band = 0;
    let total = 0;
    for (let c = 0; c < channels.length; c++) {
      const x = channels[c][i];
      const b = bands[c][i];
      band += b * b;
      total += x * x;
    }
    bandEnergy = energyCoef * bandEnergy + (1 - energyCoef) * band;
    totalEnergy = energyCoef * totalEnergy + (1 - energyCoef) * total;
    const share = totalEnergy > 1e-12 ? bandEnergy / totalEnergy : 0;
    const over = share > threshold ? Math.min(1, (share - threshold) / threshold) : 0;
    const targetCut = depthDb * over;
    const coef = targetCut > cutDb ? attack : release;
    cutDb = coef * cutDb + (1 - coef) * targetCut;
    if (cutDb > 0.01) {
      active++;
      if (cutDb > maxCutDb) maxCutDb = cutDb;
      const gMinusOne = Math.exp(perDb * cutDb) - 1;
      for (let c = 0; c < channels.length; c++) channels[c][i] += gMinusOne * bands[c][i];
    }
  }
  return { activeFraction: active / length, maxCutDb };
}
