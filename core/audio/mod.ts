/**
 * Audio in and out (`audo-eq/audio`): decode a WAV, FLAC or MP3 upload under
 * the ingest policy, fold surround to the stereo that mastering processes,
 * encode WAV.
 *
 * @example
 * import { decodeAudio, encodeWav } from 'audo-eq/audio';
 * const audio = await decodeAudio(bytes, { filename: 'mix.flac' });
 * const wav = encodeWav(audio, { bitDepth: 24 });
 *
 * @module
 */
export { decodeAudio } from './decode.ts';
export type { DecodeOptions } from './decode.ts';
export { foldToStereo } from './channels.ts';
export { encodeWav } from './wav-encode.ts';
export type { WavBitDepth, WavEncodeOptions } from './wav-encode.ts';
export type { PcmAudio, DecodedAudio } from './pcm.ts';
