/**
 * The shape every stage of the chain has when it runs block by block: it
 * keeps its own state (filter memories, look-ahead, the side chain's
 * smoothing) between calls, so a track fed in blocks of any size comes out
 * the same, within float rounding, as the track fed whole. That is what lets
 * the render hold a block and the analysis data instead of whole-track copies
 * per stage.
 */

/** Planar frames: one Float32Array per channel, all the same length. */
export type Frames = readonly Float32Array[];

export interface StreamStage<Report = void> {
  /**
   * Takes the next input frames and returns the output frames that are ready
   * now, in order (none while a look-ahead fills). The stage may process the
   * input arrays in place and return them; whatever it returns is valid until
   * the next call on it.
   */
  push(input: Frames): Frames;
  /** The input has ended: the remaining output frames (all of them together have the input's length). */
  finish(): Frames;
  /** What the stage did, once it has finished. */
  report(): Report;
}

/** A measurement taken as frames go by (block energies, peaks, spectra): it never changes them. */
export interface StreamTap<Result> {
  push(frames: Frames): void;
  result(): Result;
}

/** Frames in a planar block (0 without channels). */
export function frameLength(frames: Frames): number {
  return frames.length ? frames[0].length : 0;
}

/**
 * Runs `stage` over whole `channels` as one block, writing the output back in
 * place: the whole-buffer form of a streaming stage.
 *
 * @example const report = processWhole(createCompressorStream(settings), channels);
 */
export function processWhole<Report>(stage: StreamStage<Report>, channels: readonly Float32Array[]): Report {
  let written = 0;
  const take = (frames: Frames) => {
    const count = frameLength(frames);
    if (count === 0) return;
    channels.forEach((samples, c) => {
      // A stage that worked in place returns the very samples (the arrays or
      // views of them where they belong): nothing to copy.
      const output = frames[c];
      if (output.buffer !== samples.buffer || output.byteOffset !== samples.byteOffset + written * samples.BYTES_PER_ELEMENT) samples.set(output, written);
    });
    written += count;
  };
  take(stage.push(channels));
  take(stage.finish());
  return stage.report();
}

/**
 * Runs `stage` over `channels` in blocks of `blockFrames` (the last one
 * shorter), returning the output as new arrays: how tests compare block-wise
 * with whole-buffer processing.
 */
export function processInBlocks<Report>(stage: StreamStage<Report>, channels: readonly Float32Array[], blockFrames: number): { output: Float32Array[]; report: Report } {
  const length = frameLength(channels);
  const output = channels.map(() => new Float32Array(length));
  let written = 0;
  const take = (frames: Frames) => {
    frames.forEach((samples, c) => output[c].set(samples, written));
    written += frameLength(frames);
  };
  for (let start = 0; start < length; start += blockFrames) {
    const end = Math.min(length, start + blockFrames);
    take(stage.push(channels.map((samples) => samples.slice(start, end))));
  }
  take(stage.finish());
  if (written !== length) throw new Error(`stage returned ${written} frames for ${length}`);
  return { output, report: stage.report() };
}
