/**
 * The per-sample loop of loudness metering: K-weighting (two biquads in
 * transposed direct form II) and the sum of squares of the result, over one
 * stretch of samples, carrying filter state across calls. The two-channel
 * variant interleaves two independent recursions in one loop so the CPU can
 * overlap their dependency chains: stereo costs little more than mono.
 */

/** Float64 slots of filter state per channel: shelf z1, z2, high-pass z1, z2. */
export const K_WEIGHTING_STATE_SLOTS = 4;

/**
 * States smaller than this are set to zero after each stretch. In digital
 * silence the recursions otherwise decay into subnormal numbers and can stay
 * there in a rounding limit cycle, where x86 arithmetic is about 100× slower
 * (we measured a 10× slowdown of the whole meter on signals with silent gaps).
 * A state this small changes the measured energy by less than 1e-50.
 */
const STATE_FLOOR = 1e-25;

/**
 * Sets the states of one channel at `offset` that are smaller than the floor
 * to zero: the kernels do it after each stretch, and a caller that continues
 * a stretch across calls does it where a whole run would have.
 */
export function flushTiny(state: Float64Array, offset: number): void {
  for (let i = offset; i < offset + K_WEIGHTING_STATE_SLOTS; i++) {
    if (Math.abs(state[i]) < STATE_FLOOR) state[i] = 0;
  }
}

/**
 * Packs the shelf and high-pass coefficients the loops read: b0 b1 b2 a1 a2 of each.
 *
 * @example const packed = packKWeighting(...designKWeighting(44100));
 */
export function packKWeighting(
  shelf: { b0: number; b1: number; b2: number; a1: number; a2: number },
  highPass: { b0: number; b1: number; b2: number; a1: number; a2: number },
): Float64Array {
  return Float64Array.of(shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2, highPass.b0, highPass.b1, highPass.b2, highPass.a1, highPass.a2);
}

/**
 * Sum of squares of K-weighted `x[start..end)`, with the channel's filter state
 * in `state[offset..offset+4)`. A caller continuing a sum across calls (a
 * block cut by a push) passes the sum so far as `initialSum` and `flush:
 * false`, so the stretch ends exactly as an uncut one would.
 *
 * @example const energy = kWeightedSquareSum(left, 0, 441, packed, state, 0);
 */
export function kWeightedSquareSum(x: Float32Array, start: number, end: number, c: Float64Array, state: Float64Array, offset: number, initialSum = 0, flush = true): number {
  const pb0 = c[0], pb1 = c[1], pb2 = c[2], pa1 = c[3], pa2 = c[4];
  const rb0 = c[5], rb1 = c[6], rb2 = c[7], ra1 = c[8], ra2 = c[9];
  let p1 = state[offset], p2 = state[offset + 1], r1 = state[offset + 2], r2 = state[offset + 3];
  let sum = initialSum;
  for (let i = start; i < end; i++) {
    const v = x[i];
    const y = pb0 * v + p1;
    p1 = pb1 * v - pa1 * y + p2;
    p2 = pb2 * v - pa2 * y;
    const z = rb0 * y + r1;
    r1 = rb1 * y - ra1 * z + r2;
    r2 = rb2 * y - ra2 * z;
    sum += z * z;
  }
  state[offset] = p1;
  state[offset + 1] = p2;
  state[offset + 2] = r1;
  state[offset + 3] = r2;
  if (flush) flushTiny(state, offset);
  return sum;
}

/**
 * {@link kWeightedSquareSum} for two channels at once: returns
 * `weightA · Σ a² + weightB · Σ b²` over the stretch, with the states of
 * channel a at `offsetA` and of channel b at `offsetB`.
 *
 * @example const energy = kWeightedSquareSumPair(left, right, 1, 1, 0, 441, packed, state, 0, 4);
 */
export function kWeightedSquareSumPair(
  a: Float32Array,
  b: Float32Array,
  weightA: number,
  weightB: number,
  start: number,
  end: number,
  c: Float64Array,
  state: Float64Array,
  offsetA: number,
  offsetB: number,
): number {
  const pb0 = c[0], pb1 = c[1], pb2 = c[2], pa1 = c[3], pa2 = c[4];
  const rb0 = c[5], rb1 = c[6], rb2 = c[7], ra1 = c[8], ra2 = c[9];
  let p1 = state[offsetA], p2 = state[offsetA + 1], r1 = state[offsetA + 2], r2 = state[offsetA + 3];
  let q1 = state[offsetB], q2 = state[offsetB + 1], s1 = state[offsetB + 2], s2 = state[offsetB + 3];
  let sumA = 0;
  let sumB = 0;
  for (let i = start; i < end; i++) {
    const u = a[i];
    const v = b[i];
    const y = pb0 * u + p1;
    const w = pb0 * v + q1;
    p1 = pb1 * u - pa1 * y + p2;
    q1 = pb1 * v - pa1 * w + q2;
    p2 = pb2 * u - pa2 * y;
    q2 = pb2 * v - pa2 * w;
    const z = rb0 * y + r1;
    const zz = rb0 * w + s1;
    r1 = rb1 * y - ra1 * z + r2;
    s1 = rb1 * w - ra1 * zz + s2;
    r2 = rb2 * y - ra2 * z;
    s2 = rb2 * w - ra2 * zz;
    sumA += z * z;
    sumB += zz * zz;
  }
  state[offsetA] = p1;
  state[offsetA + 1] = p2;
  state[offsetA + 2] = r1;
  state[offsetA + 3] = r2;
  state[offsetB] = q1;
  state[offsetB + 1] = q2;
  state[offsetB + 2] = s1;
  state[offsetB + 3] = s2;
  flushTiny(state, offsetA);
  flushTiny(state, offsetB);
  return weightA * sumA + weightB * sumB;
}
