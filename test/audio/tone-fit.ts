/**
 * Test and bench helper: least-squares fit of a sinusoid of known frequency
 * (a·sin + b·cos + dc) to the middle of a signal, so resampler quality can be
 * measured as gain (passband ripple) and residual (aliasing, imaging,
 * interpolation error) without an FFT's leakage.
 */

export interface ToneFit {
  /** Peak amplitude of the fitted sinusoid. */
  readonly amplitude: number;
  /** RMS of what the fit leaves over, i.e. everything that is not the tone. */
  readonly residualRms: number;
}

/** A sine of `amplitude` at `frequencyHz`, `seconds` long. */
export function sineTone(frequencyHz: number, sampleRateHz: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz);
  return out;
}

/** Fits the tone over the middle half of `samples` (away from edge transients). */
export function fitTone(samples: Float32Array, frequencyHz: number, sampleRateHz: number): ToneFit {
  const start = Math.floor(samples.length / 4);
  const end = Math.floor((samples.length * 3) / 4);
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  // Normal equations of the 3-parameter fit [sin, cos, 1].
  let ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n = 0, ys = 0, yc = 0, y1 = 0;
  for (let i = start; i < end; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    const y = samples[i];
    ss += s * s; sc += s * c; s1 += s; cc += c * c; c1 += c; n += 1;
    ys += y * s; yc += y * c; y1 += y;
  }
  const [a, b, dc] = solve3([[ss, sc, s1], [sc, cc, c1], [s1, c1, n]], [ys, yc, y1]);
  let residual = 0;
  for (let i = start; i < end; i++) {
    const e = samples[i] - (a * Math.sin(w * i) + b * Math.cos(w * i) + dc);
    residual += e * e;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(residual / n) };
}

/** RMS of the middle half of `samples`. */
export function middleRms(samples: Float32Array): number {
  const start = Math.floor(samples.length / 4);
  const end = Math.floor((samples.length * 3) / 4);
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (end - start));
}

function solve3(m: number[][], v: number[]): [number, number, number] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  return [a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]];
}

export const toDb = (ratio: number): number => 20 * Math.log10(ratio);
