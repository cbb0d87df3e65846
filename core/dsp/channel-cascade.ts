/**
 * A cascade of biquad sections over channels, in place: two sections at a
 * time over stereo pairs in WebAssembly SIMD where the runtime has it, else
 * in scalar code with the pair's recursions interleaved. The filter memory
 * can be carried from one block to the next, so a stream filtered in blocks
 * comes out as it would whole.
 */
import { runTwoSections, runTwoSectionsOnPair, TWO_SECTION_STATE, type BiquadCoefficients } from './biquad.ts';
import { runTwoSectionsOnPairSimd } from './stereo-biquads-simd.ts';

/**
 * Memory of a cascade of `sectionCount` sections over `channelCount`
 * channels, at rest: per channel, per step of two sections, their z1 z2.
 *
 * @example const state = createCascadeState(sections.length, 2); filterChannelsInPlace(sections, block, state);
 */
export function createCascadeState(sectionCount: number, channelCount: number): Float64Array {
  return new Float64Array(channelCount * cascadeStride(sectionCount));
}

function cascadeStride(sectionCount: number): number {
  return Math.ceil(sectionCount / 2) * TWO_SECTION_STATE;
}

/**
 * Runs a cascade over channels in place, continuing from `state` (from rest
 * by default) and leaving the memory there: two sections at a time over two
 * channels at a time, so four recursions overlap (one section over one
 * channel is bound by the latency of its own recursion). The signal between
 * the two sections of a step stays in double precision.
 */
export function filterChannelsInPlace(
  sections: readonly BiquadCoefficients[],
  channels: readonly Float32Array[],
  state: Float64Array = createCascadeState(sections.length, channels.length),
): void {
  const stride = cascadeStride(sections.length);
  if (state.length !== channels.length * stride) throw new RangeError(`a cascade state for ${channels.length} channels and ${sections.length} sections holds ${channels.length * stride} numbers, got ${state.length}`);
  for (let c = 0; c < channels.length; c += 2) {
    const a = channels[c];
    const b = c + 1 < channels.length ? channels[c + 1] : null;
    for (let s = 0; s < sections.length; s += 2) {
      const second = s + 1 < sections.length ? sections[s + 1] : PASS_THROUGH;
      const offsetA = c * stride + (s / 2) * TWO_SECTION_STATE;
      const offsetB = offsetA + stride;
      if (!b) runTwoSections(sections[s], second, a, 0, state, offsetA);
      else if (!runTwoSectionsOnPairSimd(sections[s], second, a, b, state, offsetA, offsetB)) runTwoSectionsOnPair(sections[s], second, a, b, state, offsetA, offsetB);
    }
  }
}

const PASS_THROUGH: BiquadCoefficients = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
