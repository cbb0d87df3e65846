/**
 * Default loudness weights per channel (ITU-R BS.1770-4 Table 3) for the WAV
 * channel orders the product meets: surrounds count 1.41 (+1.5 dB), the LFE
 * channel is left out (0), everything else counts 1.
 */

/** Weight of a surround channel: +1.5 dB in power. */
export const SURROUND_WEIGHT = 1.41;

/** Channel orders assumed for each count (WAVE_FORMAT_EXTENSIBLE default masks). */
const LAYOUTS: Record<number, readonly number[]> = {
  1: [1], // mono
  2: [1, 1], // L R
  3: [1, 1, 1], // L R C
  4: [1, 1, SURROUND_WEIGHT, SURROUND_WEIGHT], // quad: L R Ls Rs
  5: [1, 1, 1, SURROUND_WEIGHT, SURROUND_WEIGHT], // 5.0: L R C Ls Rs
  6: [1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT], // 5.1: L R C LFE Ls Rs
  7: [1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT, SURROUND_WEIGHT], // 6.1: L R C LFE Cs Ls Rs
  8: [1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT, SURROUND_WEIGHT, SURROUND_WEIGHT], // 7.1: L R C LFE Lb Rb Ls Rs
};

/**
 * The default channel weights for `channelCount` channels: mono and stereo
 * 1.0; 5 channels (L R C Ls Rs) 1, 1, 1, 1.41, 1.41; 6 channels (5.1, L R C
 * LFE Ls Rs) with the LFE excluded; 3, 4, 7 and 8 channels by their usual WAV
 * layouts. Other counts weigh every channel 1.
 *
 * @example defaultChannelWeights(6) // [1, 1, 1, 0, 1.41, 1.41]
 */
export function defaultChannelWeights(channelCount: number): number[] {
  return [...(LAYOUTS[channelCount] ?? Array.from({ length: channelCount }, () => 1))];
}
