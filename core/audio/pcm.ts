/**
 * Planar floating-point audio: one Float32Array per channel, all the same length.
 * This is the shape audio has everywhere between decoding and encoding, and the
 * shape that crosses thread boundaries (each channel's buffer is transferable).
 */
export interface PcmAudio {
  readonly sampleRateHz: number;
  readonly channels: Float32Array[];
}

/** What a decoder learned about the source besides its samples. */
export interface DecodedFormat {
  readonly container: 'wav' | 'flac' | 'mp3';
  /** e.g. `pcm_s16le`, `pcm_f32le`, `flac`, `mp3` */
  readonly codec: string;
  /** Bits per sample of the source, or null for lossy codecs. */
  readonly bitDepth: number | null;
  /**
   * Speaker positions of `channels` as WAVE_FORMAT_EXTENSIBLE mask bits, from
   * the file when it names them; null means the standard order for the count
   * (and always after channels were folded to stereo).
   */
  readonly channelMask: number | null;
}

/** Decoded samples and what the decoder learned about their source. */
export interface DecodedAudio extends PcmAudio, DecodedFormat {}

export function frameCount(audio: PcmAudio): number {
  return audio.channels.length === 0 ? 0 : audio.channels[0].length;
}

export function durationSeconds(audio: PcmAudio): number {
  return frameCount(audio) / audio.sampleRateHz;
}
