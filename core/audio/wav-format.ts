/**
 * Constants of the RIFF/WAVE format shared by the WAV reader and writer:
 * format tags, the KSDATAFORMAT sub-format GUID and the speaker-position bits
 * of WAVE_FORMAT_EXTENSIBLE's channel mask.
 */

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Bytes 2–15 of every KSDATAFORMAT_SUBTYPE_* GUID
 * (`xxxx0000-0000-0010-8000-00aa00389b71`); bytes 0–1 hold the format tag.
 */
export const KSDATAFORMAT_GUID_TAIL: readonly number[] = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/** Speaker-position bits of `dwChannelMask`, in the order channels are stored. */
export const SPEAKER = {
  FRONT_LEFT: 0x1,
  FRONT_RIGHT: 0x2,
  FRONT_CENTER: 0x4,
  LOW_FREQUENCY: 0x8,
  BACK_LEFT: 0x10,
  BACK_RIGHT: 0x20,
  FRONT_LEFT_OF_CENTER: 0x40,
  FRONT_RIGHT_OF_CENTER: 0x80,
  BACK_CENTER: 0x100,
  SIDE_LEFT: 0x200,
  SIDE_RIGHT: 0x400,
  TOP_CENTER: 0x800,
  TOP_FRONT_LEFT: 0x1000,
  TOP_FRONT_CENTER: 0x2000,
  TOP_FRONT_RIGHT: 0x4000,
  TOP_BACK_LEFT: 0x8000,
  TOP_BACK_CENTER: 0x10000,
  TOP_BACK_RIGHT: 0x20000,
} as const;

const S = SPEAKER;

/**
 * The layout assumed when a file names none, per channel count. These are
 * FLAC's fixed channel orders, which also are the usual WAV layouts
 * (mono = centre, 4 = quad, 6 = 5.1 with back surrounds, 8 = 7.1).
 */
const DEFAULT_MASKS: readonly number[] = [
  0,
  S.FRONT_CENTER,
  S.FRONT_LEFT | S.FRONT_RIGHT,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.BACK_LEFT | S.BACK_RIGHT,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.BACK_LEFT | S.BACK_RIGHT,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.LOW_FREQUENCY | S.BACK_LEFT | S.BACK_RIGHT,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.LOW_FREQUENCY | S.BACK_CENTER | S.SIDE_LEFT | S.SIDE_RIGHT,
  S.FRONT_LEFT | S.FRONT_RIGHT | S.FRONT_CENTER | S.LOW_FREQUENCY | S.BACK_LEFT | S.BACK_RIGHT | S.SIDE_LEFT | S.SIDE_RIGHT,
];

/**
 * The channel mask assumed for `channelCount` channels when the file gives
 * none (0 beyond 8 channels, meaning "no positions").
 *
 * @example defaultChannelMask(6) // 0x3f: FL FR FC LFE BL BR
 */
export function defaultChannelMask(channelCount: number): number {
  return DEFAULT_MASKS[channelCount] ?? 0;
}

/**
 * Number of set bits, i.e. how many channels a mask positions.
 *
 * @example countMaskBits(0x3f) // 6
 */
export function countMaskBits(mask: number): number {
  let count = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) count++;
  return count;
}

/** True on little-endian hosts, where typed-array views can read WAV samples directly. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
