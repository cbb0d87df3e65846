/**
 * Channel normalization (policy `pcm-canonical-default`): mono stays mono,
 * stereo stays stereo, 3–8 channels are folded down to stereo with ITU-R
 * BS.775 coefficients — centre and surrounds at −3 dB (1/√2) into their own
 * side, rear/top centre split at −6 dB (½) to both, LFE dropped. The same
 * weights as ffmpeg's default stereo downmix; no normalization is applied,
 * so a loud 5.1 mix may exceed 1.0 in float, which is fine before mastering
 * sets the level (clipping to the WAV range happens only at encode).
 */
import type { DecodedAudio } from './pcm.ts';
import { SPEAKER, countMaskBits, defaultChannelMask } from './wav-format.ts';

const MINUS_3_DB = Math.SQRT1_2;
const MINUS_6_DB = 0.5;

/** [left gain, right gain] for each speaker bit; bits not listed carry no position. */
const SPEAKER_GAINS: ReadonlyArray<readonly [number, number, number]> = [
  [SPEAKER.FRONT_LEFT, 1, 0],
  [SPEAKER.FRONT_RIGHT, 0, 1],
  [SPEAKER.FRONT_CENTER, MINUS_3_DB, MINUS_3_DB],
  [SPEAKER.LOW_FREQUENCY, 0, 0],
  [SPEAKER.BACK_LEFT, MINUS_3_DB, 0],
  [SPEAKER.BACK_RIGHT, 0, MINUS_3_DB],
  [SPEAKER.FRONT_LEFT_OF_CENTER, 1, 0],
  [SPEAKER.FRONT_RIGHT_OF_CENTER, 0, 1],
  [SPEAKER.BACK_CENTER, MINUS_6_DB, MINUS_6_DB],
  [SPEAKER.SIDE_LEFT, MINUS_3_DB, 0],
  [SPEAKER.SIDE_RIGHT, 0, MINUS_3_DB],
  [SPEAKER.TOP_CENTER, MINUS_6_DB, MINUS_6_DB],
  [SPEAKER.TOP_FRONT_LEFT, MINUS_3_DB, 0],
  [SPEAKER.TOP_FRONT_CENTER, MINUS_6_DB, MINUS_6_DB],
  [SPEAKER.TOP_FRONT_RIGHT, 0, MINUS_3_DB],
  [SPEAKER.TOP_BACK_LEFT, MINUS_3_DB, 0],
  [SPEAKER.TOP_BACK_CENTER, MINUS_6_DB, MINUS_6_DB],
  [SPEAKER.TOP_BACK_RIGHT, 0, MINUS_3_DB],
];

/** Per input channel, its weight in the left and in the right output. */
export interface StereoDownmixGains {
  readonly left: Float64Array;
  readonly right: Float64Array;
}

/**
 * The downmix weights for `channelCount` channels laid out as `channelMask`
 * (WAVE_FORMAT_EXTENSIBLE bits, channels stored in bit order). A missing mask,
 * or one that does not position exactly `channelCount` channels, means the
 * default layout for that count (FLAC's channel orders: 3 = L R C,
 * 4 = quad, 5 = 5.0, 6 = 5.1, 7 = 6.1, 8 = 7.1).
 *
 * @example stereoDownmixGains(6).left // [1, 0, 0.707, 0, 0.707, 0]
 */
export function stereoDownmixGains(channelCount: number, channelMask: number | null = null): StereoDownmixGains {
  const mask = channelMask !== null && countMaskBits(channelMask) === channelCount ? channelMask : defaultChannelMask(channelCount);
  const left = new Float64Array(channelCount);
  const right = new Float64Array(channelCount);
  let channel = 0;
  for (const [bit, toLeft, toRight] of SPEAKER_GAINS) {
    if ((mask & bit) === 0) continue;
    left[channel] = toLeft;
    right[channel] = toRight;
    channel++;
  }
  // Positions we cannot name (no mask beyond 8 channels): alternate sides at −3 dB.
  for (; channel < channelCount; channel++) {
    left[channel] = channel % 2 === 0 ? MINUS_3_DB : 0;
    right[channel] = channel % 2 === 0 ? 0 : MINUS_3_DB;
  }
  return { left, right };
}

/**
 * Adds `frames` frames of `inputs` (from `inputOffset`) weighted by `gains`
 * into `outLeft`/`outRight` at `outOffset`. Used for block-wise downmixing
 * while a decoder streams, so all channels are never held at once.
 *
 * @example downmixInto(block, stereoDownmixGains(6), left, right, 0, 0, block[0].length);
 */
export function downmixInto(
  inputs: readonly Float32Array[],
  gains: StereoDownmixGains,
  outLeft: Float32Array,
  outRight: Float32Array,
  inputOffset: number,
  outOffset: number,
  frames: number,
): void {
  const accumulatorLeft = new Float64Array(frames);
  const accumulatorRight = new Float64Array(frames);
  for (let c = 0; c < inputs.length; c++) {
    const toLeft = gains.left[c];
    const toRight = gains.right[c];
    if (toLeft === 0 && toRight === 0) continue;
    const input = inputs[c];
    for (let i = 0; i < frames; i++) {
      const x = input[inputOffset + i];
      accumulatorLeft[i] += x * toLeft;
      accumulatorRight[i] += x * toRight;
    }
  }
  for (let i = 0; i < frames; i++) {
    outLeft[outOffset + i] = accumulatorLeft[i];
    outRight[outOffset + i] = accumulatorRight[i];
  }
}

/**
 * Folds any channel count to the canonical layout: 1 and 2 channels are
 * returned as they are (same arrays), 3 or more become a new stereo pair.
 *
 * @example const [left, right] = downmixToStereo(sixChannels, 0x3f);
 */
export function downmixToStereo(channels: readonly Float32Array[], channelMask: number | null = null): Float32Array[] {
  if (channels.length <= 2) return [...channels];
  const frames = channels[0].length;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const gains = stereoDownmixGains(channels.length, channelMask);
  const blockFrames = 65536;
  for (let start = 0; start < frames; start += blockFrames) {
    downmixInto(channels, gains, left, right, start, start, Math.min(blockFrames, frames - start));
  }
  return [left, right];
}

/**
 * Decoded audio in the processing layout: 1 and 2 channels as they are (the
 * same object), 3–8 folded to stereo by their speaker positions.
 *
 * @example const stereo = foldToStereo(await decodeAudio(bytes, { keepChannels: true }));
 */
export function foldToStereo(audio: DecodedAudio): DecodedAudio {
  if (audio.channels.length <= 2) return audio;
  return { ...audio, channels: downmixToStereo(audio.channels, audio.channelMask), channelMask: null };
}

/**
 * The average of all channels as one channel (a copy even for mono input).
 *
 * @example const mono = toMono([left, right]); // (left + right) / 2
 */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  const frames = channels.length === 0 ? 0 : channels[0].length;
  const sum = new Float64Array(frames);
  for (const channel of channels) for (let i = 0; i < frames; i++) sum[i] += channel[i];
  const mono = new Float32Array(frames);
  const scale = channels.length === 0 ? 0 : 1 / channels.length;
  for (let i = 0; i < frames; i++) mono[i] = sum[i] * scale;
  return mono;
}
