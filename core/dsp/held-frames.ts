/**
 * The frames a streaming stage has taken in but not yet given out: a stage
 * whose gain ramps from one control block to the next can release a block
 * only once the next one is measured, so it holds the last block (and any
 * partial one) back and joins it to the next input. Nothing is copied while
 * nothing is held, so a whole track pushed as one block is worked on in place.
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
  let joined: Float32Array[] = [];
  const grow = (buffers: Float32Array[], channelCount: number, frames: number) =>
    buffers.length === channelCount && (channelCount === 0 || buffers[0].length >= frames)
      ? buffers
      : Array.from({ length: channelCount }, () => new Float32Array(Math.max(frames, 2 * (buffers[0]?.length ?? 0))));
  return {
    join(input) {
      if (heldCount === 0) return input;
      const count = heldCount + (input.length ? input[0].length : 0);
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
      heldCount = count;
    },
  };
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
