/**
 * A cascade of biquad sections over whole channels, in place: two sections
 * at a time over stereo pairs in WebAssembly SIMD where the runtime has it,
 * else in scalar code with the pair's recursions interleaved.
 */
import { runTwoSections, runTwoSectionsOnPair, type BiquadCoefficients } from './biquad.ts';
import { runTwoSectionsOnPairSimd } from './stereo-biquads-simd.ts';

/**
 * Runs a cascade over whole channels in place, from rest: two sections at a
 * time over two channels at a time, so four recursions overlap (one section
 * over one channel is bound by the latency of its own recursion). The signal
 * between the two sections of a step stays in double precision.
 */
export function filterChannelsInPlace(sections: readonly BiquadCoefficients[], channels: readonly Float32Array[]): void {
  for (let c = 0; c < channels.length; c += 2) {
    const a = channels[c];
    const b = c + 1 < channels.length ? channels[c + 1] : null;
    for (let s = 0; s < sections.length; s += 2) {
      const second = s + 1 < sections.length ? sections[s + 1] : PASS_THROUGH;
      if (!b) runTwoSections(sections[s], second, a);
      else if (!runTwoSectionsOnPairSimd(sections[s], second, a, b)) runTwoSectionsOnPair(sections[s], second, a, b);
    }
  }
}

const PASS_THROUGH: BiquadCoefficients = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
