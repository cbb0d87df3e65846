/**
 * The largest value of each block of a non-negative series (a peak
 * envelope), and the largest sample magnitude over all channels per block of
 * a signal, whole or as it streams by: in WebAssembly SIMD for blocks of a
 * multiple of 16 values where the runtime has it and the switch allows, else
 * in JavaScript, with the same values.
 */
import { blockMaximaSimd, SIMD_MAX_BLOCK, stereoBlockMaximaSimd } from './sliding-max-simd.ts';
import { frameLength, type Frames, type StreamTap } from './stream-stage.ts';

/** Samples per block of {@link linkedBlockPeaks} (the compressor's control block, the energy block). */
export const PEAK_BLOCK = SIMD_MAX_BLOCK;

/**
 * max(values[b·block … (b+1)·block − 1]) per block, the last block cut at the end.
 *
 * @example const peaks = blockPeaks(envelope, 16);
 */
export function blockPeaks(values: Float32Array, block: number): Float32Array {
  if (block % SIMD_MAX_BLOCK === 0) {
    const simd = blockMaximaSimd(values);
    if (simd) return block === SIMD_MAX_BLOCK ? simd : mergeBlocks(simd, block / SIMD_MAX_BLOCK);
  }
  const blocks = Math.ceil(values.length / block);
  const out = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let peak = 0;
    const end = Math.min(values.length, (b + 1) * block);
    for (let i = b * block; i < end; i++) if (values[i] > peak) peak = values[i];
    out[b] = peak;
  }
  return out;
}

/** The largest of every `group` consecutive values (the last group cut at the end). */
function mergeBlocks(peaks: Float32Array, group: number): Float32Array {
  const out = new Float32Array(Math.ceil(peaks.length / group));
  for (let b = 0; b < out.length; b++) {
    let peak = 0;
    const end = Math.min(peaks.length, (b + 1) * group);
    for (let i = b * group; i < end; i++) peak = Math.max(peak, peaks[i]);
    out[b] = peak;
  }
  return out;
}

/**
 * The largest |sample| over all channels per {@link PEAK_BLOCK} samples of
 * `channels` (the first `blocks` blocks, the last one cut at the end).
 *
 * @example const peaks = linkedBlockPeaks([left, right], Math.ceil(left.length / 16));
 */
export function linkedBlockPeaks(channels: Frames, blocks: number): Float32Array {
  const length = frameLength(channels);
  if (channels.length === 2) {
    // Stereo, the common case: the block peaks in SIMD.
    const simd = stereoBlockMaximaSimd(channels[0], channels[1]);
    if (simd) return simd;
  }
  const peaks = new Float32Array(blocks);
  if (channels.length === 2) {
    // Both channels in one loop.
    const [left, right] = channels;
    for (let block = 0; block < blocks; block++) {
      const end = Math.min(length, (block + 1) * PEAK_BLOCK);
      let peak = 0;
      for (let i = block * PEAK_BLOCK; i < end; i++) {
        const a = Math.abs(left[i]);
        const b = Math.abs(right[i]);
        const m = a > b ? a : b;
        if (m > peak) peak = m;
      }
      peaks[block] = peak;
    }
    return peaks;
  }
  for (const samples of channels) {
    for (let block = 0; block < blocks; block++) {
      const end = Math.min(length, (block + 1) * PEAK_BLOCK);
      let peak = peaks[block];
      for (let i = block * PEAK_BLOCK; i < end; i++) {
        const a = samples[i] < 0 ? -samples[i] : samples[i];
        if (a > peak) peak = a;
      }
      peaks[block] = peak;
    }
  }
  return peaks;
}

/**
 * The sample-peak block maxima of a track of `length` frames as it streams
 * by: the largest |sample| over all channels per {@link PEAK_BLOCK} frames,
 * the same values as `blockPeaks(samplePeakEnvelope(channels), 16)` without a
 * per-sample envelope. Pushes of any size; a block cut by a push is finished
 * by the next.
 *
 * @example const tap = samplePeakBlockMaximaTap(length); tap.push(block); ...; const peaks = tap.result();
 */
export function samplePeakBlockMaximaTap(length: number): StreamTap<Float32Array> {
  const peaks = new Float32Array(Math.ceil(length / PEAK_BLOCK));
  let position = 0;
  return {
    push(frames) {
      const count = frameLength(frames);
      if (position + count > length) throw new RangeError(`the peak tap was told of ${length} frames and got ${position + count}`);
      let i = 0;
      // The rest of a block an earlier push began.
      const open = position % PEAK_BLOCK;
      if (open !== 0) {
        const take = Math.min(count, PEAK_BLOCK - open);
        const block = (position - open) / PEAK_BLOCK;
        let peak = peaks[block];
        for (const samples of frames) {
          for (let k = 0; k < take; k++) {
            const a = samples[k] < 0 ? -samples[k] : samples[k];
            if (a > peak) peak = a;
          }
        }
        peaks[block] = peak;
        i = take;
      }
      if (i < count) {
        // From a block start: whole blocks and the start of one more.
        const rest = frames.map((samples) => samples.subarray(i));
        peaks.set(linkedBlockPeaks(rest, Math.ceil((count - i) / PEAK_BLOCK)), (position + i) / PEAK_BLOCK);
      }
      position += count;
    },
    result() {
      if (position !== length) throw new RangeError(`the peak tap was told of ${length} frames and got ${position}`);
      return peaks;
    },
  };
}
