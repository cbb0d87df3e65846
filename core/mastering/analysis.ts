/**
 * Analysis stage: everything the decision needs to know about one track
 * (SPEC section 4): levels and loudness, tonal balance, sibilance, flags, and
 * short-time descriptors over 300 ms windows with 50 % overlap. The long-term
 * spectrum is kept for reference matching. The track is read in blocks, once.
 */
import type { PcmAudio } from '../audio/pcm.ts';
import { memorySource, type PcmSource } from '../audio/pcm-source.ts';
import { levelBlocksTap, type LevelBlocks } from '../dsp/level-blocks.ts';
import { levelsFrom } from '../dsp/levels.ts';
import type { LoudnessResult } from '../dsp/loudness.ts';
import { loudnessTap } from '../dsp/loudness-tap.ts';
import type { StreamTap } from '../dsp/stream-stage.ts';
import {
  bandPower,
  createSpectrumTap,
  spectralCentroidHz,
  spectralRolloffHz,
  spectrumFraming,
  type SpectrumAnalysis,
} from '../dsp/spectrum.ts';
import { detectSpectralCutoffHz } from '../dsp/spectral-cutoff.ts';
import { sideSpectrumTap, widthFromSpectra, type StereoWidth } from '../dsp/stereo-width.ts';
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
 * Analyses one track at its own sample rate: {@link analyzeTrackFrom} over
 * the decoded audio (the figures are the same for any block size, and the
 * default blocks are as fast as one whole-track block).
 *
 * @example const target = analyzeTrack(decodedTarget); target.integratedLufs // e.g. -21.9
 */
export function analyzeTrack(audio: PcmAudio): TrackAnalysis {
  return analyzeTrackFrom(memorySource(audio));
}

/** Frames {@link analyzeTrackFrom} reads at a time unless told otherwise. */
export const ANALYSIS_BLOCK_FRAMES = 65536;

/**
 * Analyses a track read from `source` block by block, each frame read once:
 * it holds a block, the meters' state and the analysis data (per-window
 * trajectories, long-term spectra, level blocks), never the whole track. Any
 * block size gives the same figures as {@link analyzeTrack}.
 *
 * @example const analysis = analyzeTrackFrom(wavFileSource(path), { blockFrames: 65536 });
 */
export function analyzeTrackFrom(source: PcmSource, options: { blockFrames?: number } = {}): TrackAnalysis {
  const { sampleRateHz, channelCount, length } = source;
  const blockFrames = options.blockFrames ?? ANALYSIS_BLOCK_FRAMES;
  if (!(Number.isInteger(blockFrames) && blockFrames >= 1)) throw new RangeError(`blockFrames must be a positive integer, got ${blockFrames}`);
  const tap = trackAnalysisTap(sampleRateHz, channelCount, length);
  for (let start = 0; start < length; start += blockFrames) tap.push(source.read(start, blockFrames));
  return tap.result();
}

/**
 * {@link analyzeTrackFrom} as a tap: the analysis of a track of `length`
 * frames taken as its blocks go by (while it is copied somewhere, say), in
 * blocks of any size, with the same figures.
 *
 * @example const tap = trackAnalysisTap(44100, 2, length); for (const block of blocks) tap.push(block); const analysis = tap.result();
 */
export function trackAnalysisTap(sampleRateHz: number, channelCount: number, length: number): StreamTap<TrackAnalysis> {
  const loudnessMeter = loudnessTap({ sampleRateHz, channelCount, capabilities: { integrated: true, loudnessRange: true, truePeak: true } });
  const spectrumMeter = createSpectrumTap(channelCount, sampleRateHz, length);
  const sideMeter = channelCount === 2 ? sideSpectrumTap(sampleRateHz, length) : null;
  // The short-time level blocks are the spectrum's hops; summed, they give the whole track's levels.
  const { hop, frameCount } = spectrumFraming(length, sampleRateHz);
  const levelMeter = levelBlocksTap(channelCount, length, { hop, minimumBlocks: frameCount + 1, onsetBlock: onsetBlockSize(sampleRateHz) });
  return {
    push(frames) {
      loudnessMeter.push(frames);
      spectrumMeter.push(frames);
      sideMeter?.push(frames);
      levelMeter.push(frames);
    },
    result: () => analysisOf(sampleRateHz, channelCount, length, loudnessMeter.result(), spectrumMeter.result(), levelMeter.result(), sideMeter?.result() ?? null),
  };
}

/** The {@link TrackAnalysis} from what the taps measured. */
function analysisOf(
  sampleRateHz: number,
  channelCount: number,
  length: number,
  loudness: LoudnessResult,
  spectrum: SpectrumAnalysis,
  blocks: LevelBlocks,
  side: SpectrumAnalysis | null,
): TrackAnalysis {
  const levels = levelsFrom(blocks.peak, length * channelCount > 0 ? blocks.energy / (length * channelCount) : 0);
  const power = spectrum.longTermPower;
  const binHz = spectrum.binHz;
  const nyquist = sampleRateHz / 2;
  const total = bandPower(power, binHz, 0, nyquist + binHz);
  const share = (lo: number, hi: number) => (total > 0 ? bandPower(power, binHz, lo, hi) / total : 0);

  const samplePeakLinear = levels.samplePeakDbfs === null ? 0 : Math.pow(10, levels.samplePeakDbfs / 20);
  return {
    sampleRateHz,
    channelCount,
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
    shortTime: describeShortTime(channelCount, length, spectrum, blocks),
    spectrum,
    width: side ? widthFromSpectra(spectrum, side) : null,
    spectralCutoffHz: detectSpectralCutoffHz(spectrum),
  };
}

function describeShortTime(channelCount: number, length: number, spectrum: SpectrumAnalysis, { blockPeak, blockEnergy, onsetEnergy }: LevelBlocks): ShortTimeDescriptors {
  const { sampleRateHz } = spectrum;
  const frames = spectrum.frameCount;
  const windowLength = Math.round(spectrum.windowSeconds * sampleRateHz);
  const hop = Math.round(spectrum.hopSeconds * sampleRateHz);
  const levelEnvelopeDb = new Float32Array(frames);
  const crestDb = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    const count = Math.max(1, (Math.min(length, start + windowLength) - start) * channelCount);
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
