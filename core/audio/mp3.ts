/**
 * MP3 ingest: frame headers are validated and counted first (mp3-frames.ts),
 * then `mpg123-decoder` (WASM) decodes in chunks straight into output
 * channels sized from the frame count. mpg123 always outputs two channels;
 * a mono stream (channel mode 11) keeps only the first, which equals the second.
 */
import { IngestValidationError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import { checkDuration, checkStreamShape } from './ingest-limits.ts';
import { MPEG1_LAYER3_FRAME_SAMPLES, scanMp3Frames } from './mp3-frames.ts';
import { withConsoleSilenced, withMpegDecoder } from './wasm-decoders.ts';

export interface DecodedMp3 {
  readonly sampleRateHz: number;
  /** One (mono) or two (stereo, joint stereo, dual channel) channels. */
  readonly channels: Float32Array[];
}

const INPUT_CHUNK_BYTES = 1024 * 1024;
/**
 * Frames that may decode to nothing: the Xing/Info frame and the encoder delay
 * and padding trimmed by gapless decoding (up to ~2 frames with LAME).
 */
const SILENT_FRAME_ALLOWANCE = 3;

function corrupted(message: string, details: Record<string, unknown> = {}): IngestValidationError {
  return new IngestValidationError('corrupted_file', message, details);
}

/**
 * Validates and decodes an MPEG-1 Layer III file under `policy`. Header
 * problems throw their own codes (see `scanMp3Frames`); a stream that is too
 * long is refused before decoding; decoder errors, a non-finite sample, or no
 * audio at all are `corrupted_file`.
 *
 * @example const { channels, sampleRateHz } = await decodeMp3(bytes, DEFAULT_INGEST_POLICY);
 */
export async function decodeMp3(bytes: Uint8Array, policy: IngestPolicy): Promise<DecodedMp3> {
  const scan = scanMp3Frames(bytes);
  checkStreamShape(policy, scan.channelCount, scan.sampleRateHz);
  if (scan.frameCount === 0) throw corrupted('The MP3 file holds no complete audio frame.');
  const capacity = scan.frameCount * MPEG1_LAYER3_FRAME_SAMPLES;
  const shortestPossible = Math.max(1, capacity - SILENT_FRAME_ALLOWANCE * MPEG1_LAYER3_FRAME_SAMPLES);
  checkDuration(policy, shortestPossible, scan.sampleRateHz);

  const outputs: Float32Array[] = [];
  for (let c = 0; c < scan.channelCount; c++) outputs.push(new Float32Array(capacity));
  let frames = 0;
  let sampleRateHz = 0;
  await withMpegDecoder((decoder) => {
    for (let offset = scan.firstFrameOffset; offset < bytes.length; offset += INPUT_CHUNK_BYTES) {
      const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + INPUT_CHUNK_BYTES));
      const decoded = withConsoleSilenced(() => decoder.decode(chunk));
      if (decoded.errors.length > 0) {
        throw corrupted(`The MP3 stream has a damaged frame (${decoded.errors[0].message}).`);
      }
      const count = decoded.samplesDecoded;
      if (count === 0) continue;
      if (frames + count > capacity) throw corrupted('The MP3 stream decodes to more audio than its frames can hold.');
      sampleRateHz = decoded.sampleRate;
      for (let c = 0; c < scan.channelCount; c++) {
        const source = decoded.channelData[c];
        const target = outputs[c];
        for (let i = 0; i < count; i++) {
          const value = source[i];
          if (value - value !== 0) throw corrupted('The MP3 stream decodes to a non-finite sample.');
          target[frames + i] = value;
        }
      }
      frames += count;
    }
  });
  if (frames === 0) throw corrupted('The MP3 file contains no decodable audio.');
  if (sampleRateHz !== scan.sampleRateHz) {
    throw corrupted(`The MP3 stream changes sample rate (${scan.sampleRateHz} Hz, then ${sampleRateHz} Hz).`);
  }
  // Gapless trimming leaves at most a few frames unused: a view avoids copying the whole output.
  return { sampleRateHz, channels: outputs.map((channel) => (frames === capacity ? channel : channel.subarray(0, frames))) };
}
