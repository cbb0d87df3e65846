/**
 * Everything a listener compares between tracks, measured once per track:
 * loudness (integrated, range, short-term over time), peaks, RMS, crest
 * factor and the long-term 1/3-octave spectrum. A composition of the existing
 * meters (`measureLoudness`, `measureLevels`, `analyzeSpectrum`); nothing here
 * touches samples itself. Surround tracks are measured on their own channels
 * with BS.1770 weights (surrounds +1.5 dB, LFE left out), never on a downmix.
 */
import { durationSeconds, type PcmAudio } from '../audio/pcm.ts';
import { measureLevels } from '../dsp/levels.ts';
import { channelWeightsFor, measureLoudness } from '../dsp/loudness.ts';
import { analyzeSpectrum } from '../dsp/spectrum.ts';
import { thirdOctaveSpectrum, type ThirdOctaveSpectrum } from './third-octave-spectrum.ts';

/** Short-term loudness (3 s windows) on the meter's 100 ms grid. */
export interface ShortTermLoudnessSeries {
  readonly windowSeconds: number;
  readonly hopSeconds: number;
  /** End time of the first window, s; element i ends at `firstEndSeconds + i · hopSeconds`. */
  readonly firstEndSeconds: number;
  /** LUFS per window; −Infinity for a silent window. Empty for audio under 3 s. */
  readonly lufs: Float32Array;
}

/**
 * Measurements of one track. A null scalar means −∞ (silence) or audio too
 * short for the measure (under 400 ms for integrated loudness, 3 s for
 * loudness range).
 */
export interface TrackMeasurements {
  readonly durationSeconds: number;
  readonly sampleRateHz: number;
  /** Channels measured: all of the source's. */
  readonly channelCount: number;
  readonly integratedLufs: number | null;
  readonly loudnessRangeLu: number | null;
  readonly truePeakDbtp: number | null;
  readonly samplePeakDbfs: number | null;
  readonly rmsDbfs: number | null;
  readonly crestFactorDb: number | null;
  readonly spectrum: ThirdOctaveSpectrum;
  readonly shortTermLoudness: ShortTermLoudnessSeries;
}

/** The short-term window and the meter's grid (EBU Tech 3341: 3 s, updated at least every 100 ms). */
export const SHORT_TERM_WINDOW_SECONDS = 3;
export const SHORT_TERM_HOP_SECONDS = 0.1;

/**
 * Measures one decoded track at its own sample rate, loudness weighted per
 * channel by the speaker positions of `channelMask` (absent or null: the
 * standard layout for the channel count).
 *
 * @example
 * const m = measureTrack(await decodeAudio(bytes, { filename: 'mix.wav', keepChannels: true }));
 * m.integratedLufs; // e.g. -14.1
 * m.shortTermLoudness.lufs.length; // one value per 100 ms after the first 3 s
 */
export function measureTrack(audio: PcmAudio & { readonly channelMask?: number | null }): TrackMeasurements {
  const weights = channelWeightsFor(audio.channels.length, audio.channelMask ?? null);
  const loudness = measureLoudness(audio, { integrated: true, loudnessRange: true, truePeak: true, shortTerm: true }, weights);
  const levels = measureLevels(audio);
  const spectrum = thirdOctaveSpectrum(analyzeSpectrum(audio.channels, audio.sampleRateHz));
  return {
    durationSeconds: durationSeconds(audio),
    sampleRateHz: audio.sampleRateHz,
    channelCount: audio.channels.length,
    integratedLufs: loudness.integratedLufs,
    loudnessRangeLu: loudness.loudnessRangeLu,
    truePeakDbtp: loudness.truePeakDbtp,
    samplePeakDbfs: levels.samplePeakDbfs,
    rmsDbfs: levels.rmsDbfs,
    crestFactorDb: levels.crestFactorDb,
    spectrum,
    shortTermLoudness: {
      windowSeconds: SHORT_TERM_WINDOW_SECONDS,
      hopSeconds: SHORT_TERM_HOP_SECONDS,
      firstEndSeconds: SHORT_TERM_WINDOW_SECONDS,
      lufs: loudness.shortTermLufs ?? new Float32Array(0),
    },
  };
}
