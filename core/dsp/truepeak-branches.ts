/**
 * The polyphase branches of a true-peak interpolator in the symmetric form the
 * kernels read: branch L − p is branch p reversed and the middle branch is its
 * own mirror, so each mirrored pair becomes an even and an odd half.
 */
import type { TruePeakFilter } from './truepeak-filter.ts';

/** Symmetric/antisymmetric halves of the branches, as the kernels read them. */
export interface SymmetricBranches {
  /** Per pair of mirrored branches (p, L − p): e then o, tapsPerPhase/2 each. */
  readonly pairs: Float64Array[];
  /** The self-mirrored middle branch (even oversampling), first half only; null for odd. */
  readonly middle: Float64Array | null;
}

/** Splits a filter's branches into mirrored pairs (E ± O form) and the middle branch. */
export function splitBranches(filter: TruePeakFilter): SymmetricBranches {
  const taps = filter.tapsPerPhase;
  const half = taps / 2;
  const branch = (p: number) => filter.coefficients.subarray((p - 1) * taps, p * taps);
  const pairs: Float64Array[] = [];
  for (let p = 1; 2 * p < filter.oversampling; p++) {
    const c = branch(p);
    const eo = new Float64Array(taps);
    for (let k = 0; k < half; k++) {
      eo[k] = (c[k] + c[taps - 1 - k]) / 2;
      eo[half + k] = (c[k] - c[taps - 1 - k]) / 2;
    }
    pairs.push(eo);
  }
  const middle = filter.oversampling % 2 === 0 ? branch(filter.oversampling / 2).slice(0, half) : null;
  return { pairs, middle };
}
