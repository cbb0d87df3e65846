/**
 * One pass of the render over the track's working copy: blocks are read from
 * the store, run through the pass's stages in order, shown to its taps, and
 * written back (or handed on to a sink) as the stages release them. The
 * render is a sequence of such passes, split wherever a stage needs
 * something measured over the whole track before it can start (the width
 * stage needs the matched signal's width, the rider its input's loudness,
 * the limiter its gain solved against the whole programme), so what is held
 * between passes is analysis data, never another copy of the track.
 */
import { isMemoryTrackStore, type TrackStore } from '../audio/pcm-source.ts';
import { frameLength, type Frames, type StreamStage, type StreamTap } from '../dsp/stream-stage.ts';

/** Frames per block the render reads: large enough for the SIMD kernels and FFT blocks, small against a track. */
export const RENDER_BLOCK_FRAMES = 65536;

export interface PassOptions {
  /** Write the stages' output back over the store (a pass that only measures leaves the store as it was). */
  readonly write: boolean;
  /** Receives the output frames in order (the encoder of the final pass); they are valid only during the call. */
  readonly sink?: (frames: Frames) => void;
  readonly blockFrames?: number;
}

/**
 * Runs `stages` over the whole store, then `taps` over their output.
 *
 * @example runPass(store, [equalizer.stream()], [energyTap], { write: true });
 */
export function runPass(store: TrackStore, stages: readonly StreamStage<unknown>[], taps: readonly StreamTap<unknown>[], options: PassOptions): void {
  const length = store.length;
  const block = options.blockFrames ?? RENDER_BLOCK_FRAMES;
  let written = 0;
  // A pass that writes the store shows its taps the store's own region once
  // written (the same samples): where the store lies in shared memory, a tap
  // host can then read it there instead of copying it (runtimes/node/tap-thread.ts).
  const showWritten = options.write && isMemoryTrackStore(store);
  const emit = (frames: Frames) => {
    const count = frameLength(frames);
    if (count === 0) return;
    // Before the write: a stage whose output lags its input may give views of
    // the store ahead of where they are written, which the write then moves over.
    options.sink?.(frames);
    if (options.write) store.write(written, frames);
    const shown = showWritten && taps.length > 0 ? store.read(written, count) : frames;
    for (const tap of taps) tap.push(shown);
    written += count;
  };
  const through = (frames: Frames, from: number): Frames => {
    let current = frames;
    for (let s = from; s < stages.length; s++) {
      if (frameLength(current) === 0 && s > from) break;
      current = stages[s].push(current);
    }
    return current;
  };
  // Stages work in place; a pass that must not change the store gives them a
  // copy, in one buffer per channel for the whole pass (a stage is done with
  // its input once it has returned, and emit has used the output by then).
  const scratch = !options.write && stages.length > 0 ? Array.from({ length: store.channelCount }, () => new Float32Array(Math.min(block, length))) : null;
  for (let start = 0; start < length; start += block) {
    // The stages change the block in place where the pass writes.
    if (options.write) store.prepareWrite?.(start, block);
    const read = store.read(start, block);
    emit(through(scratch ? read.map((samples, c) => copyInto(scratch[c], samples)) : read, 0));
  }
  // Each stage's remainder still runs through the stages after it.
  for (let s = 0; s < stages.length; s++) {
    emit(through(stages[s].finish(), s + 1));
  }
  if (written !== length) throw new Error(`render pass wrote ${written} frames of ${length}`);
}

/** `samples` copied to the start of `buffer`, as a view of just that much. */
function copyInto(buffer: Float32Array, samples: Float32Array): Float32Array {
  const copy = buffer.subarray(0, samples.length);
  copy.set(samples);
  return copy;
}
