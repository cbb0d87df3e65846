/**
 * A gain rider: a slow, precomputed gain (one value per {@link GAIN_BLOCK}
 * samples, ramped between) applied in place — the macro-dynamics stage ahead
 * of the limiter. What the gains are is decided elsewhere (from the track's
 * short-term loudness); this only applies them.
 */
import { applyGainRamps, GAIN_BLOCK } from './block-gains.ts';

export { GAIN_BLOCK };

export interface GainRider {
  process(channels: readonly Float32Array[]): void;
}

/**
 * @example createGainRider(blockGains).process(channels); // blockGains.length === Math.ceil(length / 16) + 1
 */
export function createGainRider(blockGains: Float32Array): GainRider {
  return {
    process(channels) {
      applyGainRamps(channels, blockGains);
    },
  };
}
