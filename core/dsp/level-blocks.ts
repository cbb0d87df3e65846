/**
 * Peak and energy per hop-long block and energy per 10 ms onset block, taken
 * as a track goes by in blocks of any size: the analysis's short-time level
 * envelope, crest and transient density, and, summed, the track's levels.
 * Each sample is read once, in stretches that never cross a hop or onset
 * block's edge; a stretch cut by the end of an input block is continued with
 * the same running sums, so the figures do not depend on the block size.
 */
import { addSquaresAndPeak } from './levels.ts';
import { createStereoStretchMeter } from './stereo-stretch-meter.ts';
import { frameLength, type StreamTap } from './stream-stage.ts';

export interface LevelBlocks {
  /** Largest |sample| and sum of squares per hop-long block, over all channels (at least the asked-for count, empty past the end). */
  readonly blockPeak: Float64Array;
  readonly blockEnergy: Float64Array;
  /** Sum of squares per complete onset block, over all channels. */
  readonly onsetEnergy: Float64Array;
  /** Largest |sample| and sum of squares over the whole track. */
  readonly peak: number;
  readonly energy: number;
}

export interface LevelBlocksLayout {
  /** Frames per level block (the analysis's hop). */
  readonly hop: number;
  /** Level blocks kept at least (the analysis's frames + 1). */
  readonly minimumBlocks: number;
  /** Frames per onset block ({@link onsetBlockSize}). */
  readonly onsetBlock: number;
}

/**
 * A tap measuring {@link LevelBlocks} of a track of `channelCount` channels
 * and `length` frames. Stereo measures both channels of a stretch together
 * (in WebAssembly SIMD where it runs, with the same sums as JavaScript).
 *
 * @example const tap = levelBlocksTap(2, source.length, { hop: 6615, minimumBlocks: 1, onsetBlock: 441 });
 */
export function levelBlocksTap(channelCount: number, length: number, { hop, minimumBlocks, onsetBlock }: LevelBlocksLayout): StreamTap<LevelBlocks> {
  const step = Math.max(1, hop);
  const count = Math.max(minimumBlocks, Math.ceil(length / step));
  const blockPeak = new Float64Array(count);
  const blockEnergy = new Float64Array(count);
  const onsetEnergy = new Float64Array(Math.floor(length / onsetBlock));
  const stereo = channelCount === 2;
  // The stereo pair counts as one meter (its two sums added per stretch), other layouts per channel.
  const meters = stereo ? 1 : channelCount;
  // Running sums of the stretch under way (left and right apart for stereo), then per hop and onset block.
  const stretchEnergy = new Float64Array(channelCount);
  const stretchPeak = new Float64Array(channelCount);
  const hopSum = new Float64Array(meters);
  const hopPeak = new Float64Array(meters);
  const onsetSum = new Float64Array(meters);
  let position = 0;
  let hopBlock = 0;
  let onsetIndex = 0;
  let done: LevelBlocks | null = null;

  /** Adds the finished stretch of `meter` (energy, peak) and closes the blocks that end at `position`. */
  const addStretch = (meter: number, energy: number, peak: number) => {
    hopSum[meter] += energy;
    onsetSum[meter] += energy;
    hopPeak[meter] = Math.max(hopPeak[meter], peak);
  };
  const closeBlocks = (hopEnd: number, onsetEnd: number) => {
    if (position === hopEnd) {
      // Channels in order, as one channel after another would add them.
      for (let meter = 0; meter < meters; meter++) {
        blockPeak[hopBlock] = Math.max(blockPeak[hopBlock], hopPeak[meter]);
        blockEnergy[hopBlock] += hopSum[meter];
      }
      hopBlock++;
      hopPeak.fill(0);
      hopSum.fill(0);
    }
    if (position === onsetEnd) {
      for (let meter = 0; meter < meters; meter++) onsetEnergy[onsetIndex] += onsetSum[meter];
      onsetIndex++;
      onsetSum.fill(0);
    }
  };

  return {
    push(frames) {
      if (done) throw new Error('the level tap has given its result');
      if (frames.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${frames.length}`);
      const blockStart = position;
      const blockEnd = blockStart + frameLength(frames);
      if (blockEnd > length) throw new RangeError(`frames past the announced length ${length}`);
      const stereoMeter = stereo ? createStereoStretchMeter(frames[0], frames[1], onsetBlock) : null;
      while (position < blockEnd) {
        const hopEnd = Math.min(length, (hopBlock + 1) * step);
        const onsetEnd = (onsetIndex + 1) * onsetBlock;
        const stretchEnd = Math.min(hopEnd, onsetEnd);
        const end = Math.min(stretchEnd, blockEnd);
        // Whether this piece is the stretch's first: the running sums are then all zero.
        const whole = end === stretchEnd && position === Math.max(hopBlock * step, onsetIndex * onsetBlock);
        if (stereoMeter && whole) {
          const stretch = stereoMeter.measure(position - blockStart, end - blockStart);
          position = end;
          addStretch(0, stretch.energy, stretch.peak);
          closeBlocks(hopEnd, onsetEnd);
          continue;
        }
        for (let c = 0; c < channelCount; c++) addSquaresAndPeak(frames[c], position - blockStart, end - blockStart, stretchEnergy, stretchPeak, c);
        position = end;
        if (end < stretchEnd) break;
        if (stereo) addStretch(0, stretchEnergy[0] + stretchEnergy[1], Math.max(stretchPeak[0], stretchPeak[1]));
        else for (let c = 0; c < channelCount; c++) addStretch(c, stretchEnergy[c], stretchPeak[c]);
        stretchEnergy.fill(0);
        stretchPeak.fill(0);
        closeBlocks(hopEnd, onsetEnd);
      }
    },
    result() {
      if (done) return done;
      if (position !== length) throw new RangeError(`the level tap was given ${position} of ${length} frames`);
      let peak = 0;
      let energy = 0;
      for (let block = 0; block < count; block++) {
        if (blockPeak[block] > peak) peak = blockPeak[block];
        energy += blockEnergy[block];
      }
      done = { blockPeak, blockEnergy, onsetEnergy, peak, energy };
      return done;
    },
  };
}
