/**
 * The one ingest entry point: bytes of an uploaded WAV, FLAC or MP3 in,
 * validated and normalized float PCM out (SPEC section 3). Everything that can
 * go wrong with an upload surfaces as `IngestValidationError` with the exact
 * code of SPEC section 2; a decoder's own exception never escapes.
 */
import { IngestValidationError } from '../domain/errors.ts';
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../domain/policies.ts';
import { bytesReader } from './byte-reader.ts';
import { checkFilenameExtension, detectContainer, type ContainerKind } from './detect.ts';
import { decodeFlac } from './flac.ts';
import { checkDuration, checkFileSize } from './ingest-limits.ts';
import { decodeMp3 } from './mp3.ts';
import type { DecodedAudio } from './pcm.ts';
import { openWavSource } from './wav-source.ts';

export interface DecodeOptions {
  /** The upload's filename; when it has an extension, it must be .wav, .flac or .mp3. */
  readonly filename?: string;
  /** Limits to enforce; `DEFAULT_INGEST_POLICY` when omitted. */
  readonly policy?: IngestPolicy;
  /**
   * Keep every source channel with its speaker positions (`channelMask`), as
   * measurement needs (BS.1770 weighs surrounds, leaves out the LFE), instead
   * of folding 3–8 channels to stereo as processing does. Default false.
   */
  readonly keepChannels?: boolean;
  /**
   * A WAV file's channels in shared memory, where another thread can read
   * them (see `WavSourceOptions.sharedMemory`); other containers decode into
   * ordinary memory. Default false.
   */
  readonly sharedMemory?: boolean;
}

function decodeWav(bytes: Uint8Array, policy: IngestPolicy, keepChannels: boolean, sharedMemory: boolean): DecodedAudio {
  // Every size was checked against the bytes present, so the one block read is bounded by the upload.
  const source = openWavSource(bytesReader(bytes), { policy, keepChannels, sharedMemory });
  const { container, codec, bitDepth, channelMask, sampleRateHz } = source;
  return { container, codec, bitDepth, sampleRateHz, channels: [...source.read(0, source.length)], channelMask };
}

/**
 * The checks every upload meets before its container is decoded: its size
 * (`empty_file`, `file_too_large`), its filename's extension, and its magic
 * bytes, from which it names the container; a refused one (RF64, unknown
 * bytes) throws here. `head` is the file's first bytes (12 are enough) or
 * all of them; `byteLength` is the whole file's size.
 *
 * @example const container = checkUpload(bytes, bytes.length, DEFAULT_INGEST_POLICY, 'mix.wav'); // 'wav'
 */
export function checkUpload(head: Uint8Array, byteLength: number, policy: IngestPolicy, filename: string | undefined): ContainerKind {
  checkFileSize(policy, byteLength);
  checkFilenameExtension(filename);
  const container = detectContainer(head);
  switch (container) {
    case 'rf64':
      throw new IngestValidationError('unsupported_container', 'RF64/BW64 files are not accepted; upload a RIFF WAV, FLAC or MP3.');
    case 'unknown':
      // MP3 has no magic bytes besides its frame sync, so a file named .mp3 without one is a broken MP3.
      if (filename !== undefined && /\.mp3$/i.test(filename)) {
        throw new IngestValidationError('mp3_malformed_header', 'The file named .mp3 does not start with an ID3 tag or an MPEG frame sync.');
      }
      throw new IngestValidationError('unsupported_container');
    default:
      return container;
  }
}

async function decodeDetected(bytes: Uint8Array, policy: IngestPolicy, filename: string | undefined, keepChannels: boolean, sharedMemory: boolean): Promise<DecodedAudio> {
  const container = checkUpload(bytes, bytes.length, policy, filename);
  switch (container) {
    case 'wav':
      return decodeWav(bytes, policy, keepChannels, sharedMemory);
    case 'flac': {
      const flac = await decodeFlac(bytes, policy, { keepChannels });
      return { container, codec: 'flac', bitDepth: flac.bitsPerSample, sampleRateHz: flac.sampleRateHz, channels: flac.channels, channelMask: null };
    }
    case 'mp3': {
      const mp3 = await decodeMp3(bytes, policy);
      return { container, codec: 'mp3', bitDepth: null, sampleRateHz: mp3.sampleRateHz, channels: mp3.channels, channelMask: null };
    }
  }
}

/**
 * Validates and decodes an upload: detects the container by magic bytes,
 * enforces the ingest policy (size, duration, sample rate, channels), decodes
 * to planar Float32Array channels at the source's own sample rate, rejects
 * non-finite samples, and normalizes channels (mono and stereo kept, 3–8
 * channels downmixed to stereo, unless `keepChannels`). Throws only
 * `IngestValidationError`.
 *
 * @example
 * const audio = await decodeAudio(bytes, { filename: 'mix.flac' });
 * audio.sampleRateHz; // 48000
 * audio.channels.length; // 2
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const policy = options.policy ?? DEFAULT_INGEST_POLICY;
  let audio: DecodedAudio;
  try {
    audio = await decodeDetected(bytes, policy, options.filename, options.keepChannels ?? false, options.sharedMemory ?? false);
    checkDuration(policy, audio.channels[0].length, audio.sampleRateHz);
  } catch (error) {
    if (error instanceof IngestValidationError) throw error;
    throw new IngestValidationError('corrupted_file', 'The audio file could not be decoded.', {}, { cause: error });
  }
  return audio;
}
