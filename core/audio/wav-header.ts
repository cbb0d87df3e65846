/**
 * RIFF/WAVE header parsing: walks the chunk list (any order, odd sizes padded,
 * unknown chunks such as `LIST`, `bext`, `fact` or `JUNK` skipped), reads the
 * `fmt ` chunk and locates the `data` chunk, reading only chunk headers and
 * `fmt ` (an upload in memory or a file read at offsets). Every size is checked against the
 * bytes actually present, so a lying header ends as `corrupted_file` before a
 * single sample buffer is allocated.
 */
import { IngestValidationError } from '../domain/errors.ts';
import { bytesReader, type ByteReader } from './byte-reader.ts';
import { KSDATAFORMAT_GUID_TAIL, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM } from './wav-format.ts';

/** The sample encodings audo-eq reads, named as ffmpeg names its PCM codecs. */
export type WavSampleCodec = 'pcm_u8' | 'pcm_s16le' | 'pcm_s24le' | 'pcm_s32le' | 'pcm_f32le' | 'pcm_f64le';

export interface WavStreamInfo {
  readonly codec: WavSampleCodec;
  /** Container bits per sample (8, 16, 24, 32 or 64). */
  readonly bitsPerSample: number;
  readonly channelCount: number;
  readonly sampleRateHz: number;
  /** WAVE_FORMAT_EXTENSIBLE's speaker mask, or null when the file gives none. */
  readonly channelMask: number | null;
  /** Byte offset of the first sample inside the file. */
  readonly dataOffset: number;
  /** Whole frames present in the data chunk. */
  readonly frameCount: number;
}

/**
 * Data sizes that streaming writers put in the header when they cannot seek
 * back: ffmpeg writes 0xFFFFFFFF and sox 0x7FFFF000 when writing to a pipe.
 * They say "unknown", not a length, so such data runs to the end of the file.
 * Any other size larger than the bytes present is a lie (`corrupted_file`).
 */
const STREAMING_DATA_SIZES = new Set([0xffffffff, 0x7ffff000]);

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer III',
};

function corrupted(message: string, details: Record<string, unknown> = {}): IngestValidationError {
  return new IngestValidationError('corrupted_file', message, details);
}

function chunkId(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

function unsupportedFormat(formatTag: number, bits: number): IngestValidationError {
  const hex = `0x${formatTag.toString(16).padStart(4, '0')}`;
  const name = FORMAT_NAMES[formatTag];
  return new IngestValidationError(
    'unsupported_codec',
    `WAV format ${hex}${name ? ` (${name})` : ''} at ${bits} bits is not supported; use PCM 8/16/24/32-bit or IEEE float 32/64-bit.`,
    { format_tag: hex, bits_per_sample: bits },
  );
}

function sampleCodec(formatTag: number, bits: number): WavSampleCodec {
  if (formatTag === WAVE_FORMAT_PCM) {
    if (bits === 8) return 'pcm_u8';
    if (bits === 16) return 'pcm_s16le';
    if (bits === 24) return 'pcm_s24le';
    if (bits === 32) return 'pcm_s32le';
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return 'pcm_f32le';
    if (bits === 64) return 'pcm_f64le';
  }
  throw unsupportedFormat(formatTag, bits);
}

interface FmtFields {
  codec: WavSampleCodec;
  bits: number;
  channelCount: number;
  sampleRateHz: number;
  blockAlign: number;
  channelMask: number | null;
}

function parseFmt(view: DataView, bytes: Uint8Array, offset: number, size: number): FmtFields {
  if (size < 16) throw corrupted(`The WAV fmt chunk is ${size} bytes; at least 16 are required.`);
  let formatTag = view.getUint16(offset, true);
  const channelCount = view.getUint16(offset + 2, true);
  const sampleRateHz = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bits = view.getUint16(offset + 14, true);
  let channelMask: number | null = null;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw corrupted(`The WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes; 40 are required.`);
    channelMask = view.getUint32(offset + 20, true);
    formatTag = view.getUint16(offset + 24, true);
    for (let i = 0; i < KSDATAFORMAT_GUID_TAIL.length; i++) {
      if (bytes[offset + 26 + i] !== KSDATAFORMAT_GUID_TAIL[i]) throw unsupportedFormat(WAVE_FORMAT_EXTENSIBLE, bits);
    }
  }
  const codec = sampleCodec(formatTag, bits);
  if (channelCount === 0) throw new IngestValidationError('invalid_channel_count', 'The WAV header declares 0 channels.', { channels: 0 });
  if (sampleRateHz === 0) throw new IngestValidationError('invalid_sample_rate', 'The WAV header declares a sample rate of 0 Hz.', { sample_rate_hz: 0 });
  if (blockAlign !== (channelCount * bits) / 8) {
    throw corrupted(`The WAV block alignment ${blockAlign} does not match ${channelCount} channels of ${bits} bits.`);
  }
  return { codec, bits, channelCount, sampleRateHz, blockAlign, channelMask: channelMask === 0 ? null : channelMask };
}

/** The part of a `fmt ` chunk {@link parseFmt} reads (WAVE_FORMAT_EXTENSIBLE's 40 bytes); the rest is ignored. */
const FMT_BYTES_READ = 40;

/**
 * Reads the stream description of a RIFF/WAVE file without touching its
 * samples. Throws `corrupted_file` for truncated or lying headers,
 * `unsupported_codec` for formats other than PCM/IEEE float (plain or
 * WAVE_FORMAT_EXTENSIBLE), and the channel/sample-rate codes for zero values.
 *
 * @example
 * const info = parseWavHeader(bytes); // { codec: 'pcm_s16le', channelCount: 2, frameCount: 441000, ... }
 */
export function parseWavHeader(bytes: Uint8Array): WavStreamInfo {
  return parseWavHeaderFrom(bytesReader(bytes));
}

/**
 * {@link parseWavHeader} over bytes read as needed (a file): it reads the
 * chunk headers and the `fmt ` chunk, never the samples or other chunks.
 *
 * @example const info = parseWavHeaderFrom(fileReader);
 */
export function parseWavHeaderFrom(reader: ByteReader): WavStreamInfo {
  const byteLength = reader.byteLength;
  if (byteLength < 12) throw corrupted('The WAV file ends inside its RIFF header.');
  let fmt: FmtFields | null = null;
  let dataOffset = -1;
  let dataBytes = 0;
  let offset = 12;
  while (offset + 8 <= byteLength) {
    const chunkHeader = reader.read(offset, 8);
    const id = chunkId(chunkHeader, 0);
    const size = new DataView(chunkHeader.buffer, chunkHeader.byteOffset, 8).getUint32(4, true);
    const body = offset + 8;
    const available = byteLength - body;
    if (id === 'data' && dataOffset < 0) {
      dataOffset = body;
      if (size <= available) {
        dataBytes = size;
      } else if (STREAMING_DATA_SIZES.has(size) && fmt !== null) {
        dataBytes = available;
        break;
      } else {
        throw corrupted(`The WAV data chunk claims ${size} bytes but only ${available} are present.`, {
          claimed_bytes: size,
          present_bytes: available,
        });
      }
    } else if (size > available) {
      // A cut-off chunk after the samples (trailing metadata) loses nothing we need.
      if (dataOffset >= 0 && fmt !== null) break;
      throw corrupted(`The WAV ${JSON.stringify(id)} chunk claims ${size} bytes but only ${available} are present.`);
    } else if (id === 'fmt ' && fmt === null) {
      const fields = reader.read(body, Math.min(size, FMT_BYTES_READ));
      fmt = parseFmt(new DataView(fields.buffer, fields.byteOffset, fields.byteLength), fields, 0, size);
    }
    offset = body + size + (size & 1);
  }
  if (fmt === null) throw corrupted('The WAV file has no fmt chunk.');
  if (dataOffset < 0) throw corrupted('The WAV file has no data chunk.');
  return {
    codec: fmt.codec,
    bitsPerSample: fmt.bits,
    channelCount: fmt.channelCount,
    sampleRateHz: fmt.sampleRateHz,
    channelMask: fmt.channelMask,
    dataOffset,
    frameCount: Math.floor(dataBytes / fmt.blockAlign),
  };
}
