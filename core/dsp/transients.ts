/**
 * Onset counting for the "transient density" descriptor: an onset is a 10 ms
 * block whose energy jumps at least 6 dB over the mean of the preceding 100 ms
 * and sits within 40 dB of the loudest block, with a 50 ms refractory period so
 * one drum hit counts once.
 */

const BLOCK_SECONDS = 0.01;
const HISTORY_BLOCKS = 10;
const JUMP_RATIO = 4; // 6 dB in energy
const FLOOR_BELOW_MAX = 1e-4; // 40 dB
const REFRACTORY_BLOCKS = 5;

/** Samples per onset block at `sampleRateHz` (10 ms). */
export function onsetBlockSize(sampleRateHz: number): number {
  return Math.max(1, Math.round(BLOCK_SECONDS * sampleRateHz));
}

/**
 * Returns the onset times (in 10 ms blocks) of the mono mix of `channels`.
 *
 * @example const onsets = detectOnsets(audio.channels, 44100); const perSecond = onsets.length / duration;
 */
export function detectOnsets(channels: readonly Float32Array[], sampleRateHz: number): Int32Array {
  const length = channels.length ? channels[0].length : 0;
  const blockSize = onsetBlockSize(sampleRateHz);
  const blocks = Math.floor(length / blockSize);
  const energy = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let sum = 0;
    for (const samples of channels) {
      for (let i = b * blockSize, end = i + blockSize; i < end; i++) sum += samples[i] * samples[i];
    }
    energy[b] = sum;
  }
  return onsetsFromBlockEnergy(energy);
}

/**
 * The onsets of a signal given its energy per complete {@link onsetBlockSize}
 * block (summed over channels), for callers that gather it in a pass of their own.
 */
export function onsetsFromBlockEnergy(energy: Float64Array): Int32Array {
  const blocks = energy.length;
  let loudest = 0;
  for (let b = 0; b < blocks; b++) if (energy[b] > loudest) loudest = energy[b];
  const floor = loudest * FLOOR_BELOW_MAX;
  const onsets: number[] = [];
  let history = 0;
  let lastOnset = -REFRACTORY_BLOCKS;
  for (let b = 0; b < blocks; b++) {
    if (b >= HISTORY_BLOCKS) {
      const mean = history / HISTORY_BLOCKS;
      if (energy[b] > floor && energy[b] > JUMP_RATIO * mean && b - lastOnset >= REFRACTORY_BLOCKS) {
        onsets.push(b);
        lastOnset = b;
      }
      history -= energy[b - HISTORY_BLOCKS];
    }
    history += energy[b];
  }
  return Int32Array.from(onsets);
}

export const ONSET_BLOCK_SECONDS = BLOCK_SECONDS;
