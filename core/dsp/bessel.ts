/**
 * Zeroth-order modified Bessel function of the first kind, I0(x), by its power
 * series — the Kaiser window's building block (resampler and true-peak filter).
 *
 * @example const window = besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta);
 */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
