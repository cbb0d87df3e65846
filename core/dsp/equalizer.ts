/**
 * The chain's fixed equaliser as one processor: an optional high-pass, a low
 * and a high shelf and any number of bells (RBJ cookbook biquads designed for
 * the track's own rate), run as one cascade in place.
 */
import { cascadePowerResponse, type BiquadCoefficients } from './biquad.ts';
import { filterChannelsInPlace } from './channel-cascade.ts';
import { designHighPass, designHighShelf, designLowShelf, designPeaking, IDENTITY_BIQUAD } from './filters.ts';

export interface EqualizerSettings {
  readonly sampleRateHz: number;
  /** Butterworth high-pass corner (Hz); null for none. */
  readonly highPassHz: number | null;
  readonly lowShelf: { readonly cornerHz: number; readonly gainDb: number };
  readonly highShelf: { readonly cornerHz: number; readonly gainDb: number };
  readonly bells: ReadonlyArray<{ readonly centreHz: number; readonly gainDb: number; readonly q: number }>;
}

export interface Equalizer {
  /** Sections that do something (a 0 dB shelf or bell is left out). */
  readonly sections: readonly BiquadCoefficients[];
  /** Power gain at a frequency. */
  powerResponse(frequencyHz: number): number;
  /** Filters planar channels in place, from rest. */
  process(channels: readonly Float32Array[]): void;
}

/**
 * @example createEqualizer({ sampleRateHz: 44100, highPassHz: 30, lowShelf: { cornerHz: 125, gainDb: -2 }, highShelf: { cornerHz: 6000, gainDb: 1.5 }, bells: [] }).process(channels);
 */
export function createEqualizer(settings: EqualizerSettings): Equalizer {
  const { sampleRateHz } = settings;
  const sections = [
    settings.highPassHz === null ? IDENTITY_BIQUAD : designHighPass(settings.highPassHz, sampleRateHz),
    designLowShelf(settings.lowShelf.cornerHz, settings.lowShelf.gainDb, sampleRateHz),
    designHighShelf(settings.highShelf.cornerHz, settings.highShelf.gainDb, sampleRateHz),
    ...settings.bells.map((bell) => designPeaking(bell.centreHz, bell.gainDb, bell.q, sampleRateHz)),
  ].filter((section) => section !== IDENTITY_BIQUAD);
  const response = cascadePowerResponse(sections, sampleRateHz);
  return {
    sections,
    powerResponse: response,
    process(channels) {
      if (sections.length > 0) filterChannelsInPlace(sections, channels);
    },
  };
}
