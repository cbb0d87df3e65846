/**
 * A gain curve kept from an earlier pass, applied again: y[n] = x[n] ·
 * curve[n] · gain (· outputGain), with the same kernels and rounding steps as
 * the limiter stream that wrote the curve, so the output is the limiter's,
 * bit for bit, without its envelope, look-ahead and recursion. No latency.
 */
import type { PcmSource } from '../audio/pcm-source.ts';
import { applyGainCurve, scaleChannels } from './channel-gains.ts';
import { frameLength, type Frames, type StreamStage } from './stream-stage.ts';

/**
 * @example const stage = createGainCurveStage(keptGains, inputGain, guardTrim); runPass(store, [stage], [], { write: true });
 */
export function createGainCurveStage(curve: PcmSource, gain: number, outputGain = 1): StreamStage<void> {
  let position = 0;
  return {
    push(input) {
      const count = frameLength(input);
      if (position + count > curve.length) throw new RangeError(`gain curve of ${curve.length} frames given more`);
      if (count === 0) return input;
      const gains = curve.read(position, count)[0];
      applyGainCurve(input, gains, gain, 0, count);
      // The guard's trim as its own rounding step, as the limiter stream applies it.
      if (outputGain !== 1) scaleChannels(input, outputGain);
      position += count;
      return input;
    },
    finish(): Frames {
      if (position !== curve.length) throw new RangeError(`gain curve of ${curve.length} frames given ${position}`);
      return [];
    },
    report() {},
  };
}
