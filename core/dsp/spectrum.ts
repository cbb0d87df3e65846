/**
 * Short-time spectral analysis of the mono mix: 300 ms Hann windows with 50 %
 * overlap (SPEC section 4, short-time descriptors), zero-padded to a power of
 * two. One pass yields both the long-term average spectrum (Welch) used for
 * tonal balance and EQ matching, and per-window band energies (trajectories).
 * Consecutive windows travel in pairs through one complex FFT.
 */
import { accumulateSplitPower, fftPlan, hannWindow, nextPowerOfTwo } from './fft.ts';

/** Band edges (Hz) of the per-window trajectories. */
export const TRAJECTORY_BANDS = {
  low: [0, 200],
  mid: [200, 4000],
  high: [4000, Infinity],
  sibilance: [5000, 10000],
} as const;

export type TrajectoryBand = keyof typeof TRAJECTORY_BANDS;

export interface SpectrumAnalysis {
  readonly sampleRateHz: number;
  readonly fftSize: number;
  /** Hz per FFT bin. */
  readonly binHz: number;
  /** Mean power per bin 0..fftSize/2 of the mono mix (arbitrary but consistent scale). */
  readonly longTermPower: Float64Array;
  readonly windowSeconds: number;
  readonly hopSeconds: number;
  readonly frameCount: number;
  /** Per-window power in each trajectory band, and in total. */
  readonly bandTrajectories: Readonly<Record<TrajectoryBand | 'total', Float32Array>>;
}

export interface SpectrumOptions {
  readonly windowSeconds?: number;
  readonly overlap?: number;
}

/**
 * Analyses planar `channels` (averaged to mono) at `sampleRateHz`.
 *
 * @example const spectrum = analyzeSpectrum(audio.channels, audio.sampleRateHz);
 */
export function analyzeSpectrum(
  channels: readonly Float32Array[],
  sampleRateHz: number,
  options: SpectrumOptions = {},
): SpectrumAnalysis {
  const windowSeconds = options.windowSeconds ?? 0.3;
  const overlap = options.overlap ?? 0.5;
  const length = channels.length ? channels[0].length : 0;
  const windowLength = Math.max(2, Math.min(Math.round(windowSeconds * sampleRateHz), Math.max(length, 2)));
  const hop = Math.max(1, Math.round(windowLength * (1 - overlap)));
  const fftSize = nextPowerOfTwo(windowLength);
  const half = fftSize >> 1;
  const binHz = sampleRateHz / fftSize;
  const window = hannWindow(windowLength);
  const plan = fftPlan(fftSize);

  const frameCount = length >= windowLength ? 1 + Math.floor((length - windowLength) / hop) : length > 0 ? 1 : 0;
  const longTermPower = new Float64Array(half + 1);
  const trajectories = {
    total: new Float32Array(frameCount),
    low: new Float32Array(frameCount),
    mid: new Float32Array(frameCount),
    high: new Float32Array(frameCount),
    sibilance: new Float32Array(frameCount),
  };
  const bandBins = Object.fromEntries(
    (Object.keys(TRAJECTORY_BANDS) as TrajectoryBand[]).map((band) => {
      const [lo, hi] = TRAJECTORY_BANDS[band];
      return [band, [Math.max(1, Math.ceil(lo / binHz)), Math.min(half, Math.ceil(hi / binHz) - 1)]];
    }),
  ) as Record<TrajectoryBand, [number, number]>;

  const input = new Float64Array(2 * fftSize);
  const spectrum = new Float64Array(2 * fftSize);
  const powerA = new Float64Array(half + 1);
  const powerB = new Float64Array(half + 1);
  const channelScale = channels.length ? 1 / channels.length : 0;
  // Power normalised by window energy so that levels do not depend on window length.
  let windowEnergy = 0;
  for (let i = 0; i < windowLength; i++) windowEnergy += window[i] * window[i];
  const scale = 1 / (windowEnergy * fftSize);

  for (let frame = 0; frame < frameCount; frame += 2) {
    const hasSecond = frame + 1 < frameCount;
    input.fill(0);
    fillFrame(channels, channelScale, frame * hop, windowLength, window, input, 0);
    if (hasSecond) fillFrame(channels, channelScale, (frame + 1) * hop, windowLength, window, input, 1);
    plan.transform(spectrum, input);
    powerA.fill(0);
    powerB.fill(0);
    accumulateSplitPower(spectrum, fftSize, powerA, hasSecond ? powerB : null, scale);
    recordFrame(powerA, frame, longTermPower, trajectories, bandBins);
    if (hasSecond) recordFrame(powerB, frame + 1, longTermPower, trajectories, bandBins);
  }
  if (frameCount > 0) for (let k = 0; k <= half; k++) longTermPower[k] /= frameCount;

  return {
    sampleRateHz,
    fftSize,
    binHz,
    longTermPower,
    windowSeconds: windowLength / sampleRateHz,
    hopSeconds: hop / sampleRateHz,
    frameCount,
    bandTrajectories: trajectories,
  };
}

function fillFrame(
  channels: readonly Float32Array[],
  channelScale: number,
  start: number,
  windowLength: number,
  window: Float64Array,
  target: Float64Array,
  offset: 0 | 1,
): void {
  const available = Math.min(windowLength, channels[0].length - start);
  for (let c = 0; c < channels.length; c++) {
    const samples = channels[c];
    for (let i = 0; i < available; i++) target[2 * i + offset] += samples[start + i];
  }
  for (let i = 0; i < available; i++) target[2 * i + offset] *= channelScale * window[i];
}

function recordFrame(
  power: Float64Array,
  frame: number,
  longTermPower: Float64Array,
  trajectories: Record<TrajectoryBand | 'total', Float32Array>,
  bandBins: Record<TrajectoryBand, [number, number]>,
): void {
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    longTermPower[k] += power[k];
    total += power[k];
  }
  longTermPower[0] += power[0];
  trajectories.total[frame] = total;
  for (const band of Object.keys(bandBins) as TrajectoryBand[]) {
    const [lo, hi] = bandBins[band];
    let sum = 0;
    for (let k = lo; k <= hi; k++) sum += power[k];
    trajectories[band][frame] = sum;
  }
}

/** Sum of `power` over bins whose centre lies in [loHz, hiHz). */
export function bandPower(power: Float64Array, binHz: number, loHz: number, hiHz: number): number {
  const first = Math.max(1, Math.ceil(loHz / binHz));
  const last = Math.min(power.length - 1, Math.ceil(hiHz / binHz) - 1);
  let sum = 0;
  for (let k = first; k <= last; k++) sum += power[k];
  return sum;
}

/** Power-weighted mean frequency (Hz) of a spectrum, DC excluded; 0 for silence. */
export function spectralCentroidHz(power: Float64Array, binHz: number): number {
  let weighted = 0;
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    weighted += k * binHz * power[k];
    total += power[k];
  }
  return total > 0 ? weighted / total : 0;
}

/** Frequency (Hz) below which `fraction` of the power lies, DC excluded; 0 for silence. */
export function spectralRolloffHz(power: Float64Array, binHz: number, fraction = 0.85): number {
  let total = 0;
  for (let k = 1; k < power.length; k++) total += power[k];
  if (total <= 0) return 0;
  let running = 0;
  for (let k = 1; k < power.length; k++) {
    running += power[k];
    if (running >= fraction * total) return k * binHz;
  }
  return (power.length - 1) * binHz;
}
