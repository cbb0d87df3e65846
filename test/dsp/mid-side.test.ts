// The widener's mid/side kernels: the WebAssembly path and the JavaScript
// path give the same values bit for bit, and both are the loops written out
// plainly here, for every way guard blocks can fall in a push (and spans
// longer than the kernel's memory).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { midSideBlockEnergies, toLeftRight, toMidSide } from '../../core/dsp/mid-side.ts';
import { setSimdEnabled, simdEnabled } from '../../core/wasm/simd-module.ts';

function signal(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 1.7);
}

/** Runs `body` with the WebAssembly kernels on, then off; returns both results. */
function bothPaths<T>(body: () => T): { wasm: T; javascript: T } {
  const was = simdEnabled();
  try {
    setSimdEnabled(true);
    const wasm = body();
    setSimdEnabled(false);
    return { wasm, javascript: body() };
  } finally {
    setSimdEnabled(was);
  }
}

// [frames, frames until the open block ends, block]: blocks inside, one ending
// exactly at the last frame, none closing, several chunks of the kernel's memory.
const cases = [
  [0, 5, 7],
  [3, 5, 7],
  [5, 5, 7],
  [12, 5, 7],
  [2205 * 3, 2205, 2205],
  [70001, 1000, 2205],
  [65536, 1, 2205],
  [40000, 2205, 1],
] as const;

test('toMidSide: mid and side in place and the side energy per guard block, the same with WebAssembly and without, as the plain loop', () => {
  for (const [frames, firstEnd, block] of cases) {
    const left = signal(frames, 3);
    const right = signal(frames, 4);
    const expectedLeft = new Float32Array(frames);
    const expectedRight = new Float32Array(frames);
    const expectedSums: number[] = [];
    let sum = 0.25;
    for (let i = 0; i < frames; i++) {
      const side = 0.5 * (left[i] - right[i]);
      expectedLeft[i] = 0.5 * (left[i] + right[i]);
      expectedRight[i] = side;
      sum += side * side;
      if ((i + 1 - firstEnd) % block === 0 && i + 1 >= firstEnd) {
        expectedSums.push(sum);
        sum = 0;
      }
    }
    const run = () => {
      const l = left.slice();
      const r = right.slice();
      const closed = new Float64Array(expectedSums.length + 1);
      const open = toMidSide(l, r, firstEnd, block, 0.25, closed);
      return { l: Array.from(l), r: Array.from(r), closed: Array.from(closed.subarray(0, expectedSums.length)), open };
    };
    const { wasm, javascript } = bothPaths(run);
    const what = `${frames} frames, first block ending at ${firstEnd}, blocks of ${block}`;
    assert.equal(wasm, javascript, what);
    assert.equal(wasm.l, Array.from(expectedLeft), `${what}: mid`);
    assert.equal(wasm.r, Array.from(expectedRight), `${what}: side`);
    assert.equal(wasm.closed, expectedSums, `${what}: closed sums`);
    assert.is(wasm.open, sum, `${what}: open sum`);
  }
});

test('midSideBlockEnergies: mid and side energy per guard block, the same with WebAssembly and without, as the plain loop', () => {
  for (const [frames, firstEnd, block] of cases) {
    const mid = signal(frames, 5);
    const side = signal(frames, 6);
    const expectedMid: number[] = [];
    const expectedSide: number[] = [];
    let midSum = 0.5;
    let sideSum = 0.125;
    for (let i = 0; i < frames; i++) {
      midSum += mid[i] * mid[i];
      sideSum += side[i] * side[i];
      if ((i + 1 - firstEnd) % block === 0 && i + 1 >= firstEnd) {
        expectedMid.push(midSum);
        expectedSide.push(sideSum);
        midSum = 0;
        sideSum = 0;
      }
    }
    const run = () => {
      const closedMid = new Float64Array(expectedMid.length + 1);
      const closedSide = new Float64Array(expectedMid.length + 1);
      const open = midSideBlockEnergies(mid, side, firstEnd, block, 0.5, 0.125, closedMid, closedSide);
      return { closedMid: Array.from(closedMid.subarray(0, expectedMid.length)), closedSide: Array.from(closedSide.subarray(0, expectedMid.length)), open };
    };
    const { wasm, javascript } = bothPaths(run);
    const what = `${frames} frames, first block ending at ${firstEnd}, blocks of ${block}`;
    assert.equal(wasm, javascript, what);
    assert.equal(wasm.closedMid, expectedMid, `${what}: mid sums`);
    assert.equal(wasm.closedSide, expectedSide, `${what}: side sums`);
    assert.equal(wasm.open, [midSum, sideSum], `${what}: open sums`);
  }
});

test('toLeftRight: mid/side back to left/right with a ramped side gain over a span, the same with WebAssembly and without, as the plain loop', () => {
  for (const [length, from, to, k0] of [
    [10, 0, 10, 0],
    [5000, 1234, 3439, 17],
    [80000, 5, 79001, 2204],
    [100, 40, 40, 0],
  ] as const) {
    const mid = signal(length, 7);
    const side = signal(length, 8);
    const g0 = 1.25;
    const dg = -0.5 / 2205;
    const expectedMid = mid.slice();
    const expectedSide = side.slice();
    for (let i = from, k = k0; i < to; i++, k++) {
      const m = mid[i];
      const s = side[i] * (g0 + dg * k);
      expectedMid[i] = m + s;
      expectedSide[i] = m - s;
    }
    const run = () => {
      const m = mid.slice();
      const s = side.slice();
      toLeftRight(m, s, from, to, g0, dg, k0);
      return { m: Array.from(m), s: Array.from(s) };
    };
    const { wasm, javascript } = bothPaths(run);
    const what = `${length} frames, span [${from}, ${to}) from ramp step ${k0}`;
    assert.equal(wasm, javascript, what);
    assert.equal(wasm.m, Array.from(expectedMid), `${what}: left`);
    assert.equal(wasm.s, Array.from(expectedSide), `${what}: right`);
  }
});

test.run();
