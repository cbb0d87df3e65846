/**
 * WAV writing of a whole track: 16-bit PCM with TPDF dither, 24-bit PCM,
 * 32-bit IEEE float. It is the streaming encoder (wav-stream-encoder.ts) run
 * over the track as one block into one array, so both write the same bytes.
 */
import { AudoEqError } from '../domain/errors.ts';
import type { PcmAudio } from './pcm.ts';
import { createWavEncoder, type WavFormatOptions } from './wav-stream-encoder.ts';

export { wavLayout, type WavBitDepth, type WavLayout } from './wav-layout.ts';
export { DEFAULT_DITHER_SEED } from './wav-stream-encoder.ts';

export type WavEncodeOptions = WavFormatOptions;

/**
 * Encodes planar float audio as a complete WAV file. Integer depths clip to
 * the format's range; 16-bit adds TPDF dither from a seeded xorshift32 PRNG,
 * so output is deterministic (same input and seed → identical bytes); float
 * keeps values beyond ±1. Throws `AudoEqError('internal_error')` for a
 * non-finite sample, channels of unequal length, or output over 4 GiB.
 *
 * @example
 * const wav = encodeWav({ sampleRateHz: 48000, channels: [left, right] }, { bitDepth: 24 });
 */
export function encodeWav(audio: PcmAudio, options: WavEncodeOptions): Uint8Array {
  const channels = audio.channels;
  const frames = channels.length ? channels[0].length : 0;
  if (channels.some((channel) => channel.length !== frames)) {
    throw new AudoEqError('internal_error', 'All channels must have the same length to encode WAV.');
  }
  const encoder = createWavEncoder({ ...options, sampleRateHz: audio.sampleRateHz, channelCount: channels.length, frames });
  const out = new Uint8Array(encoder.layout.totalBytes);
  out.set(encoder.header());
  encoder.encodeInto(channels, out, encoder.layout.dataOffset);
  encoder.finish();
  return out;
}
