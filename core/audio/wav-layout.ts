/**
 * The shape of a WAV file audo-eq writes, decided before any sample: format
 * tag, header size, data size, and the header bytes themselves. Header choice
 * follows Microsoft's WAVEFORMATEXTENSIBLE guidance: plain WAVE_FORMAT_PCM for
 * 16-bit mono/stereo, WAVE_FORMAT_IEEE_FLOAT (+ `fact`) for 32-bit float
 * mono/stereo, and WAVE_FORMAT_EXTENSIBLE (with a speaker mask) for 24-bit and
 * for anything above two channels. Everything here depends on the frame count
 * only, so a streaming writer can put the header first.
 */
import { AudoEqError } from '../domain/errors.ts';
import { KSDATAFORMAT_GUID_TAIL, WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM, defaultChannelMask } from './wav-format.ts';

export type WavBitDepth = 16 | 24 | 32;

export interface WavLayout {
  readonly formatTag: number;
  readonly fmtBytes: number;
  readonly hasFact: boolean;
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly totalBytes: number;
}

const MAX_RIFF_SIZE = 0xffffffff;

/**
 * Plans the file: format tag, header size, data size and total size. Throws
 * `AudoEqError('internal_error')` when the RIFF size field (32 bits) cannot
 * hold the result, i.e. the file would exceed 4 GiB.
 *
 * @example wavLayout(441000, 2, 16).totalBytes // 1764044
 */
export function wavLayout(frameCount: number, channelCount: number, bitDepth: WavBitDepth): WavLayout {
  const extensible = channelCount > 2 || bitDepth === 24;
  const formatTag = extensible ? WAVE_FORMAT_EXTENSIBLE : bitDepth === 32 ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  const fmtBytes = extensible ? 40 : formatTag === WAVE_FORMAT_IEEE_FLOAT ? 18 : 16;
  const hasFact = bitDepth === 32;
  const dataOffset = 12 + 8 + fmtBytes + (hasFact ? 12 : 0) + 8;
  const dataBytes = frameCount * channelCount * (bitDepth / 8);
  const totalBytes = dataOffset + dataBytes + (dataBytes & 1);
  if (totalBytes - 8 > MAX_RIFF_SIZE) {
    throw new AudoEqError(
      'internal_error',
      `WAV output would exceed 4 GiB (${totalBytes} bytes for ${frameCount} frames × ${channelCount} channels at ${bitDepth} bits); RIFF sizes are 32-bit.`,
    );
  }
  return { formatTag, fmtBytes, hasFact, dataOffset, dataBytes, totalBytes };
}

function writeAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

export interface WavHeaderFields {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  readonly bitDepth: WavBitDepth;
  readonly frameCount: number;
}

/**
 * The header bytes of `layout` (everything before the first sample: RIFF,
 * `fmt `, `fact` for float, and the `data` chunk's id and size).
 *
 * @example const header = wavHeader(wavLayout(480000, 2, 24), { sampleRateHz: 48000, channelCount: 2, bitDepth: 24, frameCount: 480000 });
 */
export function wavHeader(layout: WavLayout, fields: WavHeaderFields): Uint8Array {
  const { sampleRateHz, channelCount, bitDepth, frameCount } = fields;
  const out = new Uint8Array(layout.dataOffset);
  const view = new DataView(out.buffer);
  const bytesPerSample = bitDepth / 8;
  writeAscii(out, 0, 'RIFF');
  view.setUint32(4, layout.totalBytes - 8, true);
  writeAscii(out, 8, 'WAVE');
  writeAscii(out, 12, 'fmt ');
  view.setUint32(16, layout.fmtBytes, true);
  view.setUint16(20, layout.formatTag, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * channelCount * bytesPerSample, true);
  view.setUint16(32, channelCount * bytesPerSample, true);
  view.setUint16(34, bitDepth, true);
  let offset = 36;
  if (layout.fmtBytes === 18) {
    view.setUint16(36, 0, true);
    offset = 38;
  } else if (layout.fmtBytes === 40) {
    view.setUint16(36, 22, true);
    view.setUint16(38, bitDepth, true);
    view.setUint32(40, defaultChannelMask(channelCount), true);
    view.setUint16(44, bitDepth === 32 ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
    out.set(KSDATAFORMAT_GUID_TAIL, 46);
    offset = 60;
  }
  if (layout.hasFact) {
    writeAscii(out, offset, 'fact');
    view.setUint32(offset + 4, 4, true);
    view.setUint32(offset + 8, frameCount, true);
    offset += 12;
  }
  writeAscii(out, offset, 'data');
  view.setUint32(offset + 4, layout.dataBytes, true);
  return out;
}
