/**
 * A loudness meter fed in blocks of any size that measures exactly what it
 * measures fed the whole track at once. The meter sums each 10 ms sub-block
 * per call and settles its filter state at the end of every call, so a block
 * edge inside a sub-block would change the last bits of the sums; the tap
 * hands the meter whole sub-blocks only, carrying the frames of an unfinished
 * one (at most 10 ms) over to the next block.
 */
import { createLoudnessMeter, loudnessSubBlockStart, type LoudnessMeterOptions, type LoudnessResult } from './loudness.ts';
import { frameLength, type Frames, type StreamTap } from './stream-stage.ts';

/**
 * @example
 * const tap = loudnessTap({ sampleRateHz: 44100, channelCount: 2, capabilities: { integrated: true } });
 * tap.push(block); ...; tap.result().integratedLufs
 */
export function loudnessTap(options: LoudnessMeterOptions): StreamTap<LoudnessResult> {
  const { sampleRateHz, channelCount } = options;
  const meter = createLoudnessMeter(options);
  const edge = (k: number) => loudnessSubBlockStart(k, sampleRateHz);
  const carry = Array.from({ length: channelCount }, () => new Float32Array(edge(1) + 1));
  let carried = 0;
  /** The meter has had the frames before sub-block edge `fedEdge`; `carry` holds the next `carried`. */
  let fedEdge = 0;
  let received = 0;
  const feed = (frames: Frames, from: number, to: number) => {
    if (to > from) meter.addFrames(frames.map((samples) => samples.subarray(from, to)));
  };
  return {
    push(frames) {
      if (frames.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${frames.length}`);
      const count = frameLength(frames);
      const blockStart = received;
      received += count;
      // The last sub-block edge this block reaches.
      let last = Math.max(fedEdge, Math.floor((received * 100) / sampleRateHz) - 1);
      while (edge(last + 1) <= received) last++;
      if (last === fedEdge) {
        frames.forEach((samples, c) => carry[c].set(samples, carried));
        carried += count;
        return;
      }
      let from = 0;
      if (carried > 0) {
        from = edge(fedEdge + 1) - blockStart;
        frames.forEach((samples, c) => carry[c].set(samples.subarray(0, from), carried));
        feed(carry, 0, carried + from);
      }
      feed(frames, from, edge(last) - blockStart);
      fedEdge = last;
      from = edge(last) - blockStart;
      frames.forEach((samples, c) => carry[c].set(samples.subarray(from), 0));
      carried = count - from;
    },
    result() {
      // The end of the track closes its last, shorter piece.
      feed(carry, 0, carried);
      carried = 0;
      return meter.result();
    },
  };
}
