/**
 * A gain rider: a slow, precomputed gain (one value per {@link GAIN_BLOCK}
 * samples, ramped between) applied in place — the macro-dynamics stage ahead
 * of the limiter. What the gains are is decided elsewhere (from the track's
 * short-term loudness); this only applies them, to a whole track or to its
 * blocks as they stream by.
 */
import { applyGainRamps, GAIN_BLOCK } from './block-gains.ts';
import { noFrames } from './held-frames.ts';
import { frameLength, type Frames, type StreamStage } from './stream-stage.ts';

export { GAIN_BLOCK };

export interface GainRider {
  process(channels: readonly Float32Array[]): void;
  /** The same gains block by block, in place and without delay: each push continues where the last one ended. */
  stream(): StreamStage;
}

/**
 * @example createGainRider(blockGains).process(channels); // blockGains.length === Math.ceil(length / 16) + 1
 */
export function createGainRider(blockGains: Float32Array): GainRider {
  return {
    process(channels) {
      applyGainRamps(channels, blockGains);
    },
    stream() {
      let position = 0;
      let channelCount = 0;
      return {
        push(input) {
          channelCount = input.length;
          applyGainRampsFrom(input, blockGains, position);
          position += frameLength(input);
          return input;
        },
        finish: () => noFrames(channelCount),
        report() {},
      };
    },
  };
}

/**
 * {@link applyGainRamps} on frames that start `position` frames into the
 * track: the ramp of the block they start in is taken up part way, the whole
 * blocks after it run in the fast kernel.
 */
function applyGainRampsFrom(frames: Frames, gains: Float32Array, position: number): void {
  const count = frameLength(frames);
  const open = position % GAIN_BLOCK;
  let head = 0;
  if (open !== 0) {
    head = Math.min(count, GAIN_BLOCK - open);
    const b = (position - open) / GAIN_BLOCK;
    const g0 = gains[b];
    const dg = (gains[b + 1] - g0) * (1 / GAIN_BLOCK);
    for (const samples of frames) {
      for (let i = 0, k = open; i < head; i++, k++) samples[i] *= g0 + dg * k;
    }
  }
  if (head < count) {
    const first = (position + head) / GAIN_BLOCK;
    applyGainRamps(
      frames.map((samples) => samples.subarray(head)),
      gains.subarray(first, first + Math.ceil((count - head) / GAIN_BLOCK) + 1),
    );
  }
}
