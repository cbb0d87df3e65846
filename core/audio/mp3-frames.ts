/**
 * MPEG audio frame headers, read and checked before any byte reaches the
 * decoder: the first frame decides the error (`mp3_malformed_header` for
 * garbage or reserved values, `unsupported_codec_profile` for anything but
 * MPEG-1 Layer III), and a walk over all frames counts the audio present so
 * the duration limit is enforced and the output sized before decoding.
 */
import { IngestValidationError } from '../domain/errors.ts';
import { skipId3v2Tags } from './id3.ts';

export interface MpegFrameHeader {
  /** 1, 2 or 2.5 */
  readonly version: number;
  /** 1, 2 or 3 */
  readonly layer: number;
  /** 0 means free format (length not given by the header). */
  readonly bitrateKbps: number;
  readonly sampleRateHz: number;
  readonly channelCount: 1 | 2;
  /** Whole frame length including the header; 0 for free format or non-Layer-III. */
  readonly frameBytes: number;
}

export interface Mp3StreamScan {
  /** Offset of the first audio frame (after ID3v2 tags and padding). */
  readonly firstFrameOffset: number;
  readonly sampleRateHz: number;
  readonly channelCount: 1 | 2;
  /** Complete MPEG-1 Layer III frames found (the Xing/Info frame included). */
  readonly frameCount: number;
}

/** MPEG-1 Layer III decodes 1152 samples per channel from each frame. */
export const MPEG1_LAYER3_FRAME_SAMPLES = 1152;

const MPEG1_LAYER3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_LAYER3_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MPEG1_RATES_HZ = [44100, 48000, 32000];
const VERSIONS = [2.5, 0, 2, 1];
const LAYERS = [0, 3, 2, 1];
/** How far past the expected position a first frame may start (junk some taggers leave). */
const RESYNC_WINDOW_BYTES = 4096;

/**
 * Parses the 4-byte header at `offset`, or returns null when there is no
 * frame sync there or a field holds a reserved value (version 01, layer 00,
 * bitrate 1111, sample rate 11, emphasis 10).
 *
 * @example readMpegFrameHeader(bytes, 0)?.sampleRateHz // 44100
 */
export function readMpegFrameHeader(bytes: Uint8Array, offset: number): MpegFrameHeader | null {
  if (offset + 4 > bytes.length || bytes[offset] !== 0xff || (bytes[offset + 1] & 0xe0) !== 0xe0) return null;
  const b1 = bytes[offset + 1];
  const b2 = bytes[offset + 2];
  const b3 = bytes[offset + 3];
  const version = VERSIONS[(b1 >> 3) & 3];
  const layer = LAYERS[(b1 >> 1) & 3];
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 0 || layer === 0 || bitrateIndex === 15 || rateIndex === 3 || (b3 & 3) === 2) return null;
  const sampleRateHz = MPEG1_RATES_HZ[rateIndex] / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  const channelCount = (b3 >> 6) === 3 ? 1 : 2;
  let bitrateKbps = 0;
  let frameBytes = 0;
  if (layer === 3) {
    bitrateKbps = (version === 1 ? MPEG1_LAYER3_KBPS : MPEG2_LAYER3_KBPS)[bitrateIndex];
    const bytesPerKbps = version === 1 ? 144000 : 72000;
    if (bitrateKbps > 0) frameBytes = Math.floor((bytesPerKbps * bitrateKbps) / sampleRateHz) + padding;
  }
  return { version, layer, bitrateKbps, sampleRateHz, channelCount, frameBytes };
}

function isMpeg1Layer3(header: MpegFrameHeader | null): header is MpegFrameHeader {
  return header !== null && header.version === 1 && header.layer === 3 && header.frameBytes > 0;
}

function matches(header: MpegFrameHeader | null, first: MpegFrameHeader): boolean {
  return isMpeg1Layer3(header) && header.sampleRateHz === first.sampleRateHz && header.channelCount === first.channelCount;
}

/** A frame whose successor header (at its computed end) agrees with it: not a chance 0xFFE pattern. */
function isConfirmedFrame(bytes: Uint8Array, offset: number): boolean {
  const header = readMpegFrameHeader(bytes, offset);
  if (!isMpeg1Layer3(header)) return false;
  const next = offset + header.frameBytes;
  return next === bytes.length || matches(readMpegFrameHeader(bytes, next), header);
}

function profileError(header: MpegFrameHeader): IngestValidationError {
  const layerName = ['', 'I', 'II', 'III'][header.layer];
  const what = header.layer === 3 && header.version === 1 ? 'free-format MPEG-1 Layer III' : `MPEG-${header.version} Layer ${layerName}`;
  return new IngestValidationError('unsupported_codec_profile', `The MP3 is ${what}; only MPEG-1 Layer III with a fixed or variable bitrate is accepted.`, {
    mpeg_version: header.version,
    layer: header.layer,
  });
}

/**
 * Validates an MP3's ID3v2 tags and first frame header and counts its frames.
 * Throws `id3_malformed_header`, `mp3_malformed_header` (no frame sync where
 * the first frame must start, or reserved header values) or
 * `unsupported_codec_profile` (MPEG-2/2.5, Layer I/II, free format).
 *
 * @example scanMp3Frames(bytes) // { firstFrameOffset: 45, sampleRateHz: 44100, channelCount: 2, frameCount: 384 }
 */
export function scanMp3Frames(bytes: Uint8Array): Mp3StreamScan {
  let offset = skipId3v2Tags(bytes, 0);
  while (offset < bytes.length && bytes[offset] === 0) offset++;
  const expectedAt = offset;
  const startsWithSync = offset + 1 < bytes.length && bytes[offset] === 0xff && (bytes[offset + 1] & 0xe0) === 0xe0;
  if (!startsWithSync) {
    const limit = Math.min(bytes.length, expectedAt + RESYNC_WINDOW_BYTES);
    offset = -1;
    for (let p = bytes.indexOf(0xff, expectedAt); p >= 0 && p < limit; p = bytes.indexOf(0xff, p + 1)) {
      if (isConfirmedFrame(bytes, p)) {
        offset = p;
        break;
      }
    }
    if (offset < 0) {
      throw new IngestValidationError('mp3_malformed_header', `No MPEG audio frame sync where the first frame must start (byte ${expectedAt}).`, {
        offset: expectedAt,
      });
    }
  }
  const first = readMpegFrameHeader(bytes, offset);
  if (first === null) {
    throw new IngestValidationError('mp3_malformed_header', `The first MPEG frame header (byte ${offset}) holds reserved values.`, { offset });
  }
  if (!isMpeg1Layer3(first)) throw profileError(first);

  let frameCount = 0;
  let position = offset;
  while (position + 4 <= bytes.length) {
    const header = readMpegFrameHeader(bytes, position);
    if (matches(header, first)) {
      if (position + header!.frameBytes > bytes.length) break;
      frameCount++;
      position += header!.frameBytes;
      continue;
    }
    // Not a frame of this stream (a trailing tag, or damage): look for the next sync.
    const next = bytes.indexOf(0xff, position + 1);
    if (next < 0) break;
    position = next;
  }
  return { firstFrameOffset: offset, sampleRateHz: first.sampleRateHz, channelCount: first.channelCount, frameCount };
}
