/**
 * Audio read in blocks: a decoded track in memory, a WAV file read as it is
 * needed, or the render's working copy (a {@link TrackStore}). Analysis and
 * the render read through this, so how much of a track is in memory is the
 * source's business, not theirs.
 */
import type { Frames } from '../dsp/stream-stage.ts';
import type { PcmAudio } from './pcm.ts';
import { copySamples } from './copy-samples.ts';

export interface PcmSource {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  /** Frames in all. */
  readonly length: number;
  /**
   * Frames [start, start + count) of every channel (planar; count is cut at
   * the end). Valid until the next call on this source; a memory source
   * returns views of its own arrays.
   */
  read(start: number, count: number): Frames;
}

/** A source the render may also write back to: its working copy of the track. */
export interface TrackStore extends PcmSource {
  /** Overwrites frames [start, start + frames[0].length) of every channel. */
  write(start: number, frames: Frames): void;
  /**
   * Called before frames [start, start + count) are changed in place through
   * the views a read gave: a store whose memory another thread still reads
   * (a tap thread measuring blocks where they lie) waits here until it is
   * done with them. Absent: nothing to wait for.
   */
  prepareWrite?(start: number, count: number): void;
  /** Gives back what the store holds (a file-backed store removes its file). */
  close(): void;
}

/**
 * A source over decoded audio in memory; reads are views, no copies.
 *
 * @example const source = memorySource(decoded); analyzeTrackFrom(source);
 */
export function memorySource(audio: PcmAudio): PcmSource {
  return memoryTrackStore(audio.channels, audio.sampleRateHz);
}

/** Whether `store` holds its channels in memory (a {@link memoryTrackStore}, or one spread from it), not in a file. */
export function isMemoryTrackStore(store: TrackStore): store is TrackStore & { readonly channels: Float32Array[] } {
  const { channels } = store as { channels?: unknown };
  return Array.isArray(channels) && channels.every((samples) => samples instanceof Float32Array);
}

/**
 * A store over channels in memory (the render then works on them in place):
 * a write of the views a read returned costs nothing.
 */
export function memoryTrackStore(channels: Float32Array[], sampleRateHz: number): TrackStore & { readonly channels: Float32Array[] } {
  const length = channels.length ? channels[0].length : 0;
  return {
    sampleRateHz,
    channelCount: channels.length,
    length,
    channels,
    read(start, count) {
      const end = Math.min(length, start + count);
      return channels.map((samples) => samples.subarray(start, end));
    },
    write(start, frames) {
      frames.forEach((samples, c) => {
        const target = channels[c];
        if (samples.buffer === target.buffer && samples.byteOffset === target.byteOffset + start * 4) return;
        copySamples(target, start, samples);
      });
    },
    close() {},
  };
}
