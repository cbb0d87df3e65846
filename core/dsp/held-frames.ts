/**
 * The frames a streaming stage has taken in but not yet given out: a stage
 * whose gain ramps from one control block to the next can release a block
 * only once the next one is measured, so it holds the last block (and any
 * partial one) back and joins it to the next input. Nothing is copied while
 * nothing is held, so a whole track pushed as one block is worked on in place;
 * nor when the input continues the held frames where they lie, untouched (a
 * render pass over a track in memory pushes the track's own blocks one after
 * another): the joined frames are then the one stretch of that memory, and
 * the stage works on the track in place (a 3-minute pass then copies the
 * track neither into the join's buffers nor, as the stage's output, back).
 */
import type { Frames } from './stream-stage.ts';

export interface HeldFrames {
  /** The held frames followed by `input`, one contiguous stretch per channel: `input` itself when nothing is held. */
  join(input: Frames): Frames;
  /** Holds `frames[from..]` (copied) until the next {@link HeldFrames.join}. */
  keep(frames: Frames, from: number): void;
}

/**
 * @example const held = createHeldFrames(); const frames = held.join(input); ...; held.keep(frames, released);
 */
export function createHeldFrames(): HeldFrames {
  let held: Float32Array[] = [];
  let heldCount = 0;
  /** Where the held frames lie in the frames they were kept from. */
  let origins: Float32Array[] = [];
  let joined: Float32Array[] = [];
  const grow = (buffers: Float32Array[], channelCount: number, frames: number) =>
    buffers.length === channelCount && (channelCount === 0 || buffers[0].length >= frames)
      ? buffers
      : Array.from({ length: channelCount }, () => new Float32Array(Math.max(frames, 2 * (buffers[0]?.length ?? 0))));
  return {
    join(input) {
      if (heldCount === 0) return input;
      const count = heldCount + (input.length ? input[0].length : 0);
      if (input.length === held.length && input.every((samples, c) => continuesUntouched(origins[c], held[c].subarray(0, heldCount), samples))) {
        return input.map((samples, c) => new Float32Array(samples.buffer, origins[c].byteOffset, count));
      }
      joined = grow(joined, held.length, count);
      return joined.map((buffer, c) => {
        buffer.set(held[c].subarray(0, heldCount), 0);
        if (input.length) buffer.set(input[c], heldCount);
        return buffer.subarray(0, count);
      });
    },
    keep(frames, from) {
      const count = (frames.length ? frames[0].length : 0) - from;
      held = grow(held, frames.length, count);
      frames.forEach((samples, c) => held[c].set(samples.subarray(from), 0));
      origins = frames.map((samples) => samples.subarray(from));
      heldCount = count;
    },
  };
}

/**
 * Whether `input` starts right after `origin` in the same memory and `origin`
 * still holds `copy` bit for bit (whoever pushed may have reused the memory
 * since: a pass that renders into one scratch buffer block after block).
 */
function continuesUntouched(origin: Float32Array, copy: Float32Array, input: Float32Array): boolean {
  if (input.buffer !== origin.buffer || input.byteOffset !== origin.byteOffset + origin.byteLength) return false;
  const now = new Int32Array(origin.buffer, origin.byteOffset, origin.length);
  const kept = new Int32Array(copy.buffer, copy.byteOffset, copy.length);
  for (let i = 0; i < kept.length; i++) if (now[i] !== kept[i]) return false;
  return true;
}

/**
 * `channelCount` empty channels: what a stage gives out when nothing is ready.
 *
 * @example return noFrames(input.length);
 */
export function noFrames(channelCount: number): Frames {
  return Array.from({ length: channelCount }, () => EMPTY);
}

const EMPTY = new Float32Array(0);
