/**
 * Finds where a signal was clipped before it reached us: runs of consecutive
 * samples held at full scale. One sample touching full scale is a peak; three
 * or more in a row on the same channel is a flattened waveform top, which a
 * limiter or a normaliser cannot undo (the mastering chain can only lower it).
 */
import { linkedBlockPeaks, PEAK_BLOCK } from './block-peaks.ts';
import { frameLength, type StreamTap } from './stream-stage.ts';

/** |x| at or above this counts as full scale (a 16-bit 32767 reads 0.99997). */
export const FULL_SCALE_LINEAR = 0.999;
/** Consecutive full-scale samples that make one clipped run. */
export const MIN_CLIPPED_RUN_SAMPLES = 3;

export interface ClippedRuns {
  /** Runs of at least {@link MIN_CLIPPED_RUN_SAMPLES} full-scale samples, over all channels. */
  readonly runs: number;
  /** Samples inside those runs, over all channels. */
  readonly samples: number;
  /** The longest run (samples). */
  readonly longestRun: number;
}

/**
 * Counts the clipped runs of every channel.
 *
 * @example countClippedRuns([Float32Array.of(0, 1, 1, 1, 0.2)]) // { runs: 1, samples: 3, longestRun: 3 }
 */
export function countClippedRuns(channels: readonly Float32Array[]): ClippedRuns {
  const tap = clippedRunsTap(channels.length);
  tap.push(channels);
  return tap.result();
}

/**
 * {@link countClippedRuns} over frames that arrive block by block: a run
 * that crosses a block boundary is one run.
 */
export function clippedRunsTap(channelCount: number): StreamTap<ClippedRuns> {
  const totals = { runs: 0, samples: 0, longestRun: 0 };
  const open = new Float64Array(channelCount);
  return {
    push(frames) {
      const length = frameLength(frames);
      // Most audio never reaches full scale: the block peaks (SIMD for stereo)
      // say where it does, and only those blocks are read sample by sample.
      const peaks = linkedBlockPeaks(frames, Math.ceil(length / PEAK_BLOCK));
      for (let b = 0; b < peaks.length; b++) {
        const start = b * PEAK_BLOCK;
        const end = Math.min(length, start + PEAK_BLOCK);
        if (peaks[b] < FULL_SCALE_LINEAR) {
          for (let c = 0; c < channelCount; c++) {
            addRun(totals, open[c]);
            open[c] = 0;
          }
          continue;
        }
        for (let c = 0; c < channelCount; c++) {
          const channel = frames[c];
          let run = open[c];
          for (let i = start; i < end; i++) {
            const x = channel[i];
            if (x >= FULL_SCALE_LINEAR || x <= -FULL_SCALE_LINEAR) {
              run++;
            } else if (run > 0) {
              addRun(totals, run);
              run = 0;
            }
          }
          open[c] = run;
        }
      }
    },
    result() {
      // Runs still open at the end close there; the counts so far stay as they are.
      const final = { ...totals };
      for (const length of open) addRun(final, length);
      return final;
    },
  };
}

/** Counts a run of `length` full-scale samples that has ended, if it is long enough to be clipping. */
function addRun(totals: { runs: number; samples: number; longestRun: number }, length: number): void {
  if (length < MIN_CLIPPED_RUN_SAMPLES) return;
  totals.runs++;
  totals.samples += length;
  if (length > totals.longestRun) totals.longestRun = length;
}
