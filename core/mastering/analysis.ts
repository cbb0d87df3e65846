/**
 * Analysis stage: everything the decision needs to know about one track
 * (SPEC section 4): levels and loudness, tonal balance, sibilance, flags, and
 * short-time descriptors over 300 ms windows with 50 % overlap. The long-term
 * spectrum is kept for reference matching.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { levelsFrom } from '../dsp/levels.ts';
import { measureLoudness } from '../dsp/loudness.ts';
import {
  analyzeSpectrum,
  bandPower,
  spectralCentroidHz,
  spectralRolloffHz,
  type SpectrumAnalysis,
} from '../dsp/spectrum.ts';
import { detectSpectralCutoffHz } from '../dsp/spectral-cutoff.ts';
import { createStereoStretchMeter } from '../dsp/stereo-stretch-meter.ts';
import { measureStereoWidth, type StereoWidth } from '../dsp/stereo-width.ts';
import { onsetBlockSize, onsetsFromBlockEnergy } from '../dsp/transients.ts';

export const CLIPPING_PEAK_LINEAR = 0.999;
export const SILENCE_RMS_DBFS = -60;

/** Energy shares of the long-term spectrum (fractions of the total, DC excluded). */
export interface EnergyShares {
  /** below 200 Hz */
  readonly low: number;
  /** 200 Hz – 4 kHz */
  readonly mid: number;
  /** above 4 kHz */
  readonly high: number;
}

export interface ShortTimeDescriptors {
  readonly windowSeconds: number;
  readonly hopSeconds: number;
  /** Mean-square level of each window in dBFS (−120 for silence). */
  readonly levelEnvelopeDb: Float32Array;
  /** Peak-to-RMS ratio of each window in dB (0 for silence). */
  readonly crestDb: Float32Array;
  /** Share of each window's energy below 200 Hz / 200 Hz–4 kHz / above 4 kHz / 5–10 kHz. */
  readonly lowShare: Float32Array;
  readonly midShare: Float32Array;
  readonly highShare: Float32Array;
  readonly sibilanceShare: Float32Array;
  /** Onsets per second over the whole track. */
  readonly transientDensityPerSecond: number;
}

export interface TrackAnalysis {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  readonly durationSeconds: number;
  readonly rmsDbfs: number | null;
  readonly samplePeakDbfs: number | null;
  readonly crestFactorDb: number | null;
  readonly integratedLufs: number | null;
  readonly loudnessRangeLu: number | null;
  readonly truePeakDbtp: number | null;
  readonly spectralCentroidHz: number;
  readonly spectralRolloffHz: number;
  readonly energyShares: EnergyShares;
  /** 5–10 kHz share of the total energy. */
  readonly sibilanceRatio: number;
  readonly clipping: boolean;
  readonly silent: boolean;
  readonly shortTime: ShortTimeDescriptors;
  readonly spectrum: SpectrumAnalysis;
  /** Side/mid energy per band; null unless stereo. */
  readonly width: StereoWidth | null;
  /** Where a lossy codec's low-pass cuts the spectrum off (Hz); null when it reaches the Nyquist frequency. */
  readonly spectralCutoffHz: number | null;
}

/**
 * Analyses one track at its own sample rate.
 *
 * @example const target = analyzeTrack(decodedTarget); target.integratedLufs // e.g. -21.9
 */
export function analyzeTrack(audio: PcmAudio): TrackAnalysis {
  const { channels, sampleRateHz } = audio;
  const length = channels.length ? channels[0].length : 0;
  const loudness = measureLoudness(audio, { integrated: true, loudnessRange: true, truePeak: true });
  const spectrum = analyzeSpectrum(channels, sampleRateHz);
  // One pass gives the short-time level blocks and, summed, the whole track's levels.
  const blocks = levelBlocks(channels, Math.round(spectrum.hopSeconds * sampleRateHz), spectrum.frameCount + 1, onsetBlockSize(sampleRateHz));
  const levels = levelsFrom(blocks.peak, length * channels.length > 0 ? blocks.energy / (length * channels.length) : 0);
  const power = spectrum.longTermPower;
  const binHz = spectrum.binHz;
  const nyquist = sampleRateHz / 2;
  const total = bandPower(power, binHz, 0, nyquist + binHz);
  const share = (lo: number, hi: number) => (total > 0 ? bandPower(power, binHz, lo, hi) / total : 0);

  const samplePeakLinear = levels.samplePeakDbfs === null ? 0 : Math.pow(10, levels.samplePeakDbfs / 20);
  return {
    sampleRateHz,
    channelCount: channels.length,
    durationSeconds: length / sampleRateHz,
    rmsDbfs: levels.rmsDbfs,
    samplePeakDbfs: levels.samplePeakDbfs,
    crestFactorDb: levels.crestFactorDb,
    integratedLufs: loudness.integratedLufs,
    loudnessRangeLu: loudness.loudnessRangeLu,
    truePeakDbtp: loudness.truePeakDbtp,
    spectralCentroidHz: spectralCentroidHz(power, binHz),
    spectralRolloffHz: spectralRolloffHz(power, binHz, 0.85),
    energyShares: { low: share(0, 200), mid: share(200, 4000), high: share(4000, nyquist + binHz) },
    sibilanceRatio: share(5000, 10000),
    clipping: samplePeakLinear >= CLIPPING_PEAK_LINEAR,
    silent: levels.rmsDbfs === null || levels.rmsDbfs <= SILENCE_RMS_DBFS,
    shortTime: describeShortTime(audio, spectrum, blocks),
    spectrum,
    width: measureStereoWidth(channels, sampleRateHz, spectrum),
    spectralCutoffHz: detectSpectralCutoffHz(spectrum),
  };
}

interface LevelBlocks {
  /** Largest |sample| and sum of squares per hop-long block, over all channels. */
  readonly blockPeak: Float64Array;
  readonly blockEnergy: Float64Array;
  /** Sum of squares per complete 10 ms onset block, over all channels. */
  readonly onsetEnergy: Float64Array;
  /** Largest |sample| and sum of squares over the whole track. */
  readonly peak: number;
  readonly energy: number;
}

/**
 * Peak and energy per `hop`-long block (at least `minimumBlocks`, empty past
 * the end) and energy per onset block, each sample read once: the loop runs
 * over the stretches where both block indices hold, and stereo measures both
 * channels together through the stereo stretch meter.
 */
function levelBlocks(channels: readonly Float32Array[], hop: number, minimumBlocks: number, onsetBlock: number): LevelBlocks {
  const length = channels.length ? channels[0].length : 0;
  const step = Math.max(1, hop);
  const count = Math.max(minimumBlocks, Math.ceil(length / step));
  const blockPeak = new Float64Array(count);
  const blockEnergy = new Float64Array(count);
  const onsetEnergy = new Float64Array(Math.floor(length / onsetBlock));
  const pairs = channels.length === 2 ? [[channels[0], channels[1]]] : channels.map((samples) => [samples]);
  // Stretches never span more than one onset block.
  const stereoMeter = channels.length === 2 ? createStereoStretchMeter(channels[0], channels[1], onsetBlock) : null;
  for (const [a] of pairs) {
    let hopBlock = 0;
    let onsetIndex = 0;
    let hopPeak = 0;
    let hopSum = 0;
    let onsetSum = 0;
    for (let i = 0; i < length; ) {
      const hopEnd = Math.min(length, (hopBlock + 1) * step);
      const onsetEnd = (onsetIndex + 1) * onsetBlock;
      const end = Math.min(hopEnd, onsetEnd);
      let peak = 0;
      let energy = 0;
      if (stereoMeter) {
        const stretch = stereoMeter.measure(i, end);
        energy = stretch.energy;
        peak = stretch.peak;
        i = end;
      } else {
        for (; i < end; i++) {
          const x = a[i];
          energy += x * x;
          const ax = x < 0 ? -x : x;
          if (ax > peak) peak = ax;
        }
      }
      hopSum += energy;
      onsetSum += energy;
      hopPeak = Math.max(hopPeak, peak);
      if (i === hopEnd) {
        blockPeak[hopBlock] = Math.max(blockPeak[hopBlock], hopPeak);
        blockEnergy[hopBlock] += hopSum;
        hopBlock++;
        hopPeak = 0;
        hopSum = 0;
      }
      if (i === onsetEnd) {
        onsetEnergy[onsetIndex] += onsetSum;
        onsetIndex++;
        onsetSum = 0;
      }
    }
  }
  let peak = 0;
  let energy = 0;
  for (let block = 0; block < count; block++) {
    if (blockPeak[block] > peak) peak = blockPeak[block];
    energy += blockEnergy[block];
  }
  return { blockPeak, blockEnergy, onsetEnergy, peak, energy };
}

function describeShortTime(audio: PcmAudio, spectrum: SpectrumAnalysis, { blockPeak, blockEnergy, onsetEnergy }: LevelBlocks): ShortTimeDescriptors {
  const { channels, sampleRateHz } = audio;
  const length = channels.length ? channels[0].length : 0;
  const frames = spectrum.frameCount;
  const windowLength = Math.round(spectrum.windowSeconds * sampleRateHz);
  const hop = Math.round(spectrum.hopSeconds * sampleRateHz);
  const levelEnvelopeDb = new Float32Array(frames);
  const crestDb = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    const count = Math.max(1, (Math.min(length, start + windowLength) - start) * channels.length);
    const meanSquare = (blockEnergy[f] + blockEnergy[f + 1]) / count;
    const peak = Math.max(blockPeak[f], blockPeak[f + 1]);
    levelEnvelopeDb[f] = meanSquare > 1e-12 ? 10 * Math.log10(meanSquare) : -120;
    crestDb[f] = meanSquare > 1e-12 ? 20 * Math.log10(peak) - 10 * Math.log10(meanSquare) : 0;
  }
  const t = spectrum.bandTrajectories;
  const ratio = (band: Float32Array) => band.map((value, i) => (t.total[i] > 0 ? value / t.total[i] : 0));
  const onsets = onsetsFromBlockEnergy(onsetEnergy);
  const seconds = length / sampleRateHz;
  return {
    windowSeconds: spectrum.windowSeconds,
    hopSeconds: spectrum.hopSeconds,
    levelEnvelopeDb,
    crestDb,
    lowShare: ratio(t.low),
    midShare: ratio(t.mid),
    highShare: ratio(t.high),
    sibilanceShare: ratio(t.sibilance),
    transientDensityPerSecond: seconds > 0 ? onsets.length / seconds : 0,
  };
}


/** The small, loggable summary of an analysis (for events and diagnostics). */
export function summarizeAnalysis(analysis: TrackAnalysis): Record<string, unknown> {
  const round = (value: number | null, digits = 2) => (value === null ? null : Number(value.toFixed(digits)));
  return {
    sample_rate_hz: analysis.sampleRateHz,
    channels: analysis.channelCount,
    duration_s: round(analysis.durationSeconds, 3),
    integrated_lufs: round(analysis.integratedLufs),
    lra_lu: round(analysis.loudnessRangeLu),
    true_peak_dbtp: round(analysis.truePeakDbtp),
    rms_dbfs: round(analysis.rmsDbfs),
    crest_factor_db: round(analysis.crestFactorDb),
    spectral_centroid_hz: Math.round(analysis.spectralCentroidHz),
    rolloff_85_hz: Math.round(analysis.spectralRolloffHz),
    energy_low: round(analysis.energyShares.low, 4),
    energy_mid: round(analysis.energyShares.mid, 4),
    energy_high: round(analysis.energyShares.high, 4),
    sibilance_ratio: round(analysis.sibilanceRatio, 4),
    clipping: analysis.clipping,
    silent: analysis.silent,
    transient_density_per_s: round(analysis.shortTime.transientDensityPerSecond),
    side_to_mid_db: analysis.width ? round(analysis.width.above200HzDb) : null,
    spectral_cutoff_hz: analysis.spectralCutoffHz,
    short_time_windows: analysis.shortTime.levelEnvelopeDb.length,
  };
}
