/**
 * The statistics on top of block energies: gated integrated loudness
 * (ITU-R BS.1770-4 §2.8) and loudness range (EBU Tech 3342). Energies here are
 * channel-weighted mean squares of K-weighted samples, so loudness is
 * −0.691 + 10·log10(energy).
 */

/** Absolute gate of BS.1770-4 and Tech 3342, LUFS. */
export const ABSOLUTE_GATE_LUFS = -70;
/** Relative gate for integrated loudness, LU below the absolute-gated loudness. */
export const INTEGRATED_RELATIVE_GATE_LU = -10;
/** Relative gate for loudness range, LU below the absolute-gated loudness. */
export const LRA_RELATIVE_GATE_LU = -20;
/** Percentiles of the gated short-term distribution whose spread is the loudness range. */
export const LRA_LOW_PERCENTILE = 0.1;
export const LRA_HIGH_PERCENTILE = 0.95;

/**
 * Loudness in LUFS of a weighted mean square, or null for silence (and for
 * anything that is not a positive finite number, so NaN never escapes).
 *
 * @example energyToLufs(1) // -0.691
 */
export function energyToLufs(energy: number): number | null {
  return energy > 0 && Number.isFinite(energy) ? -0.691 + 10 * Math.log10(energy) : null;
}

/** The weighted mean square whose loudness is `lufs`. @example lufsToEnergy(-0.691) // 1 */
export function lufsToEnergy(lufs: number): number {
  return Math.pow(10, (lufs + 0.691) / 10);
}

/** Mean of the energies strictly above `threshold`, with their count. */
function meanAbove(energies: Float64Array, count: number, threshold: number): { mean: number; kept: number } {
  let sum = 0;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const e = energies[i];
    if (e > threshold) {
      sum += e;
      kept++;
    }
  }
  return { mean: kept > 0 ? sum / kept : 0, kept };
}

/**
 * Gated integrated loudness from the energies of the 400 ms gating blocks
 * (75 % overlap): blocks at or below −70 LUFS are dropped, then blocks at or
 * below 10 LU under the loudness of the rest. Null when no block survives
 * (silence, or fewer than 400 ms of audio).
 *
 * @example
 * integratedLoudness(Float64Array.of(lufsToEnergy(-23), lufsToEnergy(-23)), 2) // -23
 */
export function integratedLoudness(blockEnergies: Float64Array, count: number = blockEnergies.length): number | null {
  const absolute = meanAbove(blockEnergies, count, lufsToEnergy(ABSOLUTE_GATE_LUFS));
  if (absolute.kept === 0) return null;
  const relativeGate = lufsToEnergy(energyToLufs(absolute.mean)! + INTEGRATED_RELATIVE_GATE_LU);
  const gate = Math.max(relativeGate, lufsToEnergy(ABSOLUTE_GATE_LUFS));
  const relative = meanAbove(blockEnergies, count, gate);
  return relative.kept === 0 ? null : energyToLufs(relative.mean);
}

/**
 * Loudness range (EBU Tech 3342) from the energies of 3 s short-term windows
 * taken every 100 ms: gate at −70 LUFS and at 20 LU below the loudness of the
 * absolute-gated windows, then the spread between the 10th and 95th
 * percentiles of the remaining short-term loudness values (nearest-rank on the
 * sorted values, index round((n − 1)·p), as in the Tech 3342 reference code).
 * Null when no window survives (silence, or under 3 s of audio).
 *
 * @example
 * loudnessRange(shortTermEnergies, shortTermCount) // e.g. 5.7
 */
export function loudnessRange(shortTermEnergies: Float64Array, count: number = shortTermEnergies.length): number | null {
  const absoluteGate = lufsToEnergy(ABSOLUTE_GATE_LUFS);
  const absolute = meanAbove(shortTermEnergies, count, absoluteGate);
  if (absolute.kept === 0) return null;
  const gate = Math.max(absoluteGate, lufsToEnergy(energyToLufs(absolute.mean)! + LRA_RELATIVE_GATE_LU));
  const kept = new Float64Array(absolute.kept);
  let n = 0;
  for (let i = 0; i < count; i++) if (shortTermEnergies[i] > gate) kept[n++] = shortTermEnergies[i];
  if (n === 0) return null;
  const sorted = kept.subarray(0, n).sort();
  const low = sorted[Math.round((n - 1) * LRA_LOW_PERCENTILE)];
  const high = sorted[Math.round((n - 1) * LRA_HIGH_PERCENTILE)];
  // Energies sort in the same order as their loudness; the difference of logs is the spread in LU.
  return 10 * Math.log10(high / low);
}
