/**
 * The chain's fixed equaliser as one processor: an optional high-pass, a low
 * and a high shelf and any number of bells (RBJ cookbook biquads designed for
 * the track's own rate), run as one cascade in place.
 */
import { cascadePowerResponse, type BiquadCoefficients } from './biquad.ts';
import { createCascadeState, filterChannelsInPlace } from './channel-cascade.ts';
import { designHighPass, designHighShelf, designLowShelf, designPeaking, IDENTITY_BIQUAD } from './filters.ts';
import { processWhole, type Frames, type StreamStage } from './stream-stage.ts';

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
  /** The cascade as a stream stage: in place, no latency, each channel's memory carried from block to block. */
  stream(): StreamStage;
}

/**
 * @example createEqualizer({ sampleRateHz: 44100, highPassHz: 30, lowShelf: { cornerHz: 125, gainDb: -2 }, highShelf: { cornerHz: 6000, gainDb: 1.5 }, bells: [] }).process(channels);
 * @example const stage = equalizer.stream(); for (const block of blocks) write(stage.push(block));
 */
export function createEqualizer(settings: EqualizerSettings): Equalizer {
  const { sampleRateHz } = settings;
  const sections = [
    settings.highPassHz === null ? IDENTITY_BIQUAD : designHighPass(settings.highPassHz, sampleRateHz),
    designLowShelf(settings.lowShelf.cornerHz, settings.lowShelf.gainDb, sampleRateHz),
    designHighShelf(settings.highShelf.cornerHz, settings.highShelf.gainDb, sampleRateHz),
    ...settings.bells.map((bell) => designPeaking(bell.centreHz, bell.gainDb, bell.q, sampleRateHz)),
  ].filter((section) => section !== IDENTITY_BIQUAD);
  const stream = (): StreamStage => {
    let state: Float64Array | null = null;
    let rest: Frames = [];
    return {
      push(input) {
        if (!state) {
          state = createCascadeState(sections.length, input.length);
          rest = input.map(() => new Float32Array(0));
        }
        filterChannelsInPlace(sections, input, state);
        return input;
      },
      finish: () => rest,
      report() {},
    };
  };
  return {
    sections,
    powerResponse: cascadePowerResponse(sections, sampleRateHz),
    process: (channels) => processWhole(stream(), channels),
    stream,
  };
}
