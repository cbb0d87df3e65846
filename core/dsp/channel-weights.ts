/**
 * Loudness weights per channel (ITU-R BS.1770-4 Table 3) from speaker
 * positions: surrounds count 1.41 (+1.5 dB), the LFE channel is left out (0),
 * everything else counts 1. "Surround" is every back, side and top-back
 * position, as in ffmpeg's `ebur128` filter (the project's independent meter),
 * so 6.1 and 7.1 layouts read as it reads them.
 */
import { SPEAKER, countMaskBits, defaultChannelMask } from '../audio/wav-format.ts';

/** Weight of a surround channel: +1.5 dB in power. */
export const SURROUND_WEIGHT = 1.41;

const SURROUND_POSITIONS =
  SPEAKER.BACK_LEFT |
  SPEAKER.BACK_CENTER |
  SPEAKER.BACK_RIGHT |
  SPEAKER.SIDE_LEFT |
  SPEAKER.SIDE_RIGHT |
  SPEAKER.TOP_BACK_LEFT |
  SPEAKER.TOP_BACK_CENTER |
  SPEAKER.TOP_BACK_RIGHT;

/**
 * The weights of `channelCount` channels stored in the bit order of
 * `channelMask` (WAVE_FORMAT_EXTENSIBLE speaker positions). A missing mask, or
 * one that does not position exactly `channelCount` channels, means the
 * standard layout for the count (3 = L R C, 4 = quad, 5 = 5.0, 6 = 5.1,
 * 7 = 6.1, 8 = 7.1); channels without a known position weigh 1.
 *
 * @example channelWeightsFor(6, 0x60f) // 5.1 with side surrounds: [1, 1, 1, 0, 1.41, 1.41]
 */
export function channelWeightsFor(channelCount: number, channelMask: number | null = null): number[] {
  const mask = channelMask !== null && countMaskBits(channelMask) === channelCount ? channelMask : defaultChannelMask(channelCount);
  const weights: number[] = [];
  for (let bit = 1; bit !== 0 && bit <= mask && weights.length < channelCount; bit = (bit << 1) >>> 0) {
    if ((mask & bit) === 0) continue;
    weights.push(bit === SPEAKER.LOW_FREQUENCY ? 0 : (SURROUND_POSITIONS & bit) !== 0 ? SURROUND_WEIGHT : 1);
  }
  while (weights.length < channelCount) weights.push(1);
  return weights;
}

/**
 * The weights for `channelCount` channels in the standard layout for that
 * count: mono and stereo 1.0; 5 channels (L R C Ls Rs) 1, 1, 1, 1.41, 1.41;
 * 6 channels (5.1, L R C LFE Ls Rs) with the LFE left out.
 *
 * @example defaultChannelWeights(6) // [1, 1, 1, 0, 1.41, 1.41]
 */
export function defaultChannelWeights(channelCount: number): number[] {
  return channelWeightsFor(channelCount, null);
}
