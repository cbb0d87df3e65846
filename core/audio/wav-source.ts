/**
 * A WAV file as a {@link PcmSource}: the header is parsed and held to the
 * ingest policy when the source opens (shape and duration, as `decodeAudio`
 * does), and each read decodes just its frames with the WAV decoders, keeping
 * every channel or folding 3–8 to stereo block by block. What it holds is the
 * largest block read, never the file: over a file reader, an hour-long upload
 * is analysed and rendered without being in memory. `decodeAudio` reads a WAV
 * upload through this too, as one block.
 */
import { DEFAULT_INGEST_POLICY, type IngestPolicy } from '../domain/policies.ts';
import type { Frames } from '../dsp/stream-stage.ts';
import type { ByteReader } from './byte-reader.ts';
import { downmixInto, stereoDownmixGains } from './channels.ts';
import { checkDuration, checkStreamShape } from './ingest-limits.ts';
import type { PcmSource } from './pcm-source.ts';
import type { DecodedFormat } from './pcm.ts';
import { decodeWavFrames } from './wav-decode.ts';
import { countMaskBits } from './wav-format.ts';
import { parseWavHeaderFrom } from './wav-header.ts';

export interface WavSourceOptions {
  /** Limits to enforce; `DEFAULT_INGEST_POLICY` when omitted. */
  readonly policy?: IngestPolicy;
  /**
   * Keep every source channel with its speaker positions (`channelMask`), as
   * measurement needs, instead of folding 3–8 channels to stereo as
   * processing does. Default false, as for `decodeAudio`.
   */
  readonly keepChannels?: boolean;
  /**
   * Decode into shared memory (views of a `SharedArrayBuffer`), which another
   * thread can read without a copy: a render's tap thread then measures the
   * track from there (`TapHost.measureShared`). Default false.
   */
  readonly sharedMemory?: boolean;
}

/** A WAV file read in blocks, with what its header says about it. */
export interface WavSource extends PcmSource, DecodedFormat {}

/** Frames folded to stereo per call of `downmixInto` (its accumulators are this long). */
const FOLD_FRAMES = 65536;

/**
 * Opens the WAV file `reader` reads. Throws what `decodeAudio` throws for the
 * same file's header (`corrupted_file`, `unsupported_codec`,
 * `invalid_channel_count`, `invalid_sample_rate`, `invalid_duration`,
 * `duration_too_long`), before any sample is read. A NaN or infinite float
 * sample is `corrupted_file` (details: frame, channel) from the read of its
 * block, so a caller that reads the whole source once (analysis) meets it
 * before anything is written.
 *
 * @example
 * const source = openWavSource(bytesReader(upload), { keepChannels: true });
 * for (let start = 0; start < source.length; start += 65536) meter.push(source.read(start, 65536));
 */
export function openWavSource(reader: ByteReader, options: WavSourceOptions = {}): WavSource {
  const policy = options.policy ?? DEFAULT_INGEST_POLICY;
  const info = parseWavHeaderFrom(reader);
  checkStreamShape(policy, info.channelCount, info.sampleRateHz);
  checkDuration(policy, info.frameCount, info.sampleRateHz);
  const bitDepth = info.codec === 'pcm_f64le' ? 64 : info.bitsPerSample;
  const channelMask = info.channelMask !== null && countMaskBits(info.channelMask) === info.channelCount ? info.channelMask : null;
  const gains = !options.keepChannels && info.channelCount > 2 ? stereoDownmixGains(info.channelCount, channelMask) : null;
  const bytesPerFrame = (info.channelCount * info.bitsPerSample) / 8;
  const length = info.frameCount;
  // Scratch channels, grown to the largest block read: the file's own, and the stereo fold.
  let decoded: Float32Array[] = [];
  let folded: Float32Array[] = [];
  let capacity = 0;
  const channel = options.sharedMemory
    ? (frames: number) => new Float32Array(new SharedArrayBuffer(frames * Float32Array.BYTES_PER_ELEMENT))
    : (frames: number) => new Float32Array(frames);

  const read = (start: number, count: number): Frames => {
    const first = Math.min(length, Math.max(0, start));
    const frames = Math.max(0, Math.min(length - first, count));
    if (frames > capacity) {
      capacity = frames;
      decoded = Array.from({ length: info.channelCount }, () => channel(capacity));
      folded = gains ? [channel(capacity), channel(capacity)] : [];
    }
    if (frames > 0) {
      // One byte before the frames too: the 24-bit decoder loads the 32-bit word ending at each sample.
      const bytes = reader.read(info.dataOffset + first * bytesPerFrame - 1, frames * bytesPerFrame + 1);
      decodeWavFrames(bytes, 1, info.codec, decoded, frames, first);
      if (gains) {
        for (let done = 0; done < frames; done += FOLD_FRAMES) {
          downmixInto(decoded, gains, folded[0], folded[1], done, done, Math.min(FOLD_FRAMES, frames - done));
        }
      }
    }
    const out = gains ? folded : decoded;
    return out.map((samples) => (samples.length === frames ? samples : samples.subarray(0, frames)));
  };

  return {
    container: 'wav',
    codec: info.codec,
    bitDepth,
    channelMask: gains ? null : channelMask,
    sampleRateHz: info.sampleRateHz,
    channelCount: gains ? 2 : info.channelCount,
    length,
    read,
  };
}
