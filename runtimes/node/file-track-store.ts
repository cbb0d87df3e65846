/**
 * The render's working copy of a track in a temporary file instead of
 * memory: interleaved float32 frames (`audo-eq-track-<uuid>`, owner-only, in
 * the system's temporary directory unless told otherwise), read and written
 * in blocks with `readSync`/`writeSync` at the block's offset, in the host's
 * byte order (the file never leaves this process). What it holds
 * in memory is a scratch buffer the size of the largest block asked for. An
 * hour of 48 kHz stereo is 1.4 GB of disk here rather than of memory.
 */
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frames } from '../../core/dsp/stream-stage.ts';
import type { TrackStore } from '../../core/audio/pcm-source.ts';

export interface FileTrackStoreOptions {
  readonly sampleRateHz: number;
  readonly channelCount: number;
  /** Frames in all; the file is this long from the start (unwritten frames read as 0). */
  readonly length: number;
  /** Where the file goes; default the system's temporary directory. */
  readonly directory?: string;
}

/** A track store in a file; `path` is where it is, until `close()` removes it. */
export interface FileTrackStore extends TrackStore {
  readonly path: string;
}

/** Paths of stores still open, removed when the process exits without closing them. */
const openPaths = new Set<string>();
let exitHookInstalled = false;

function removeLeftovers(): void {
  for (const path of openPaths) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone, or not ours to remove any more: nothing to do while exiting.
    }
  }
  openPaths.clear();
}

/**
 * Creates the store's file (sized for `length` frames) and returns the store.
 * Reads past the end are cut at `length` and a write past it throws, as with
 * a memory store. Left open, the file is still removed when the process exits.
 *
 * @example
 * const store = createFileTrackStore({ sampleRateHz: 48000, channelCount: 2, length: decoded.length });
 * try { renderInPasses(store); } finally { store.close(); }
 */
export function createFileTrackStore(options: FileTrackStoreOptions): FileTrackStore {
  const { sampleRateHz, channelCount, length } = options;
  if (!Number.isInteger(channelCount) || channelCount < 1) throw new RangeError(`A track store needs at least one channel, not ${channelCount}.`);
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`A track store holds a whole, non-negative number of frames, not ${length}.`);
  const bytesPerFrame = 4 * channelCount;
  const path = join(options.directory ?? tmpdir(), `audo-eq-track-${crypto.randomUUID()}`);
  const fd = openSync(path, 'wx+', 0o600);
  openPaths.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeLeftovers);
  }
  let open = true;
  try {
    ftruncateSync(fd, length * bytesPerFrame);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    openPaths.delete(path);
    throw error;
  }

  // Interleaved scratch frames and the planar channels a read returns, grown to the largest block.
  let interleaved = new Float32Array(0);
  let planar: Float32Array[] = [];
  let capacity = 0;
  const ensureCapacity = (frames: number) => {
    if (frames <= capacity) return;
    capacity = frames;
    interleaved = new Float32Array(capacity * channelCount);
    planar = Array.from({ length: channelCount }, () => new Float32Array(capacity));
  };
  const checkOpen = () => {
    if (!open) throw new Error(`The track store ${path} is closed.`);
  };
  const span = (start: number, count: number) => {
    const first = Math.min(length, Math.max(0, start));
    return { first, frames: Math.max(0, Math.min(length - first, count)) };
  };
  const bytesOf = (frames: number) => new Uint8Array(interleaved.buffer, 0, frames * bytesPerFrame);

  return {
    sampleRateHz,
    channelCount,
    length,
    path,
    read(start, count): Frames {
      checkOpen();
      const { first, frames } = span(start, count);
      ensureCapacity(frames);
      const bytes = bytesOf(frames);
      for (let done = 0; done < bytes.length; ) {
        const got = readSync(fd, bytes, done, bytes.length - done, first * bytesPerFrame + done);
        if (got === 0) throw new Error(`The track store ${path} ended at byte ${first * bytesPerFrame + done}.`);
        done += got;
      }
      for (let c = 0; c < channelCount; c++) {
        const channel = planar[c];
        for (let i = 0, w = c; i < frames; i++, w += channelCount) channel[i] = interleaved[w];
      }
      return planar.map((channel) => (channel.length === frames ? channel : channel.subarray(0, frames)));
    },
    write(start, block) {
      checkOpen();
      if (block.length !== channelCount) throw new RangeError(`The track store holds ${channelCount} channels, not ${block.length}.`);
      const given = block[0].length;
      if (start < 0 || start + given > length) throw new RangeError(`Frames [${start}, ${start + given}) are outside the track's ${length}.`);
      ensureCapacity(given);
      for (let c = 0; c < channelCount; c++) {
        const channel = block[c];
        if (channel.length !== given) throw new RangeError('All channels of a block must have the same length.');
        for (let i = 0, w = c; i < given; i++, w += channelCount) interleaved[w] = channel[i];
      }
      const bytes = bytesOf(given);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, start * bytesPerFrame + done);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
      openPaths.delete(path);
      unlinkSync(path);
    },
  };
}
