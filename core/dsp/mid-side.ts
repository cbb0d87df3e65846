/**
 * The stereo widener's per-frame passes as kernels: left/right to mid/side
 * with the side's energy per guard block, the mid and side energies per
 * guard block, and mid/side back to left/right with a ramped side gain. In WebAssembly (mid-side.wat) where the switch allows, else
 * in JavaScript; both give the same values bit for bit (float64 sums in frame
 * order, each output rounded to float32 once).
 *
 * Guard blocks: one closes every `block` frames, the first `firstEnd` frames
 * in (1 to `block`); a block ending exactly at the last frame closes too.
 */
import { WASM_BASE64 } from './wasm/mid-side.wasm.ts';
import { compileSimdModule, instantiateWithMemory, simdEnabled } from '../wasm/simd-module.ts';
import { copySamples } from '../audio/copy-samples.ts';

interface MidSideExports {
  readonly memory: WebAssembly.Memory;
  toMidSide(left: number, right: number, count: number, firstEnd: number, block: number, open: number, sums: number): number;
  blockEnergies(mid: number, side: number, count: number, firstEnd: number, block: number, openMid: number, openSide: number, sums: number): void;
  toLeftRight(mid: number, side: number, count: number, g0: number, dg: number, k0: number): void;
}

/** Frames copied in at a time. */
const CHUNK = 32768;
const LEFT = 0;
const RIGHT = 4 * CHUNK;
/** Closed blocks' sums of one chunk (at most one a frame), pairs of float64, and the open pair. */
const SUMS = 8 * CHUNK;
const MEMORY_BYTES = SUMS + 16 * (CHUNK + 2);

let instance: { exports: MidSideExports; heap: Float32Array; sums: Float64Array } | null | undefined;

function midSideInstance() {
  if (!simdEnabled()) return null;
  if (instance === undefined) {
    const module = compileSimdModule(WASM_BASE64);
    const exports = module && instantiateWithMemory<MidSideExports>(module, MEMORY_BYTES, { toMidSide: true, blockEnergies: true, toLeftRight: true });
    instance = exports && { exports, heap: new Float32Array(exports.memory.buffer), sums: new Float64Array(exports.memory.buffer, SUMS, 2 * (CHUNK + 2)) };
  }
  return instance;
}

/** How many blocks close in `count` frames, and where the open one ends after them. */
function blocksIn(count: number, firstEnd: number, block: number): { closed: number; nextEnd: number } {
  if (firstEnd > count) return { closed: 0, nextEnd: firstEnd - count };
  const closed = Math.floor((count - firstEnd) / block) + 1;
  return { closed, nextEnd: firstEnd + closed * block - count };
}

type MidSideWasm = NonNullable<ReturnType<typeof midSideInstance>>;

/**
 * Runs a kernel over a pair a chunk at a time: each chunk's frames copied into
 * the module's channel regions (and back after `run`, with `writeBack`), told
 * where its first guard block ends, how many blocks closed before it and how
 * many close in it.
 */
function inChunks(
  wasm: MidSideWasm,
  a: Float32Array,
  b: Float32Array,
  firstEnd: number,
  block: number,
  writeBack: boolean,
  run: (frames: number, firstEnd: number, closedBefore: number, closing: number) => void,
): void {
  const { heap } = wasm;
  let end = firstEnd;
  let closed = 0;
  for (let start = 0; start < a.length; start += CHUNK) {
    const n = Math.min(CHUNK, a.length - start);
    copySamples(heap, LEFT / 4, a.subarray(start, start + n));
    copySamples(heap, RIGHT / 4, b.subarray(start, start + n));
    const blocks = blocksIn(n, end, block);
    run(n, end, closed, blocks.closed);
    if (writeBack) {
      copySamples(a, start, heap.subarray(LEFT / 4, LEFT / 4 + n));
      copySamples(b, start, heap.subarray(RIGHT / 4, RIGHT / 4 + n));
    }
    closed += blocks.closed;
    end = blocks.nextEnd;
  }
}

/**
 * left ← (left + right) / 2 and right ← (left − right) / 2 in place; the
 * side's Σ s² of each block that closes goes to `closedSums` (in order), and
 * the open block's sum (continuing `open`) is returned.
 *
 * @example const open = toMidSide(left, right, 2205, 2205, 0, closed);
 */
export function toMidSide(left: Float32Array, right: Float32Array, firstEnd: number, block: number, open: number, closedSums: Float64Array): number {
  const wasm = midSideInstance();
  if (!wasm) return toMidSideScalar(left, right, firstEnd, block, open, closedSums);
  let sum = open;
  inChunks(wasm, left, right, firstEnd, block, true, (frames, end, closedBefore, closing) => {
    sum = wasm.exports.toMidSide(LEFT, RIGHT, frames, end, block, sum, SUMS);
    closedSums.set(wasm.sums.subarray(0, closing), closedBefore);
  });
  return sum;
}

function toMidSideScalar(left: Float32Array, right: Float32Array, firstEnd: number, block: number, open: number, closedSums: Float64Array): number {
  const count = left.length;
  let sum = open;
  let closed = 0;
  for (let i = 0, end = firstEnd; ; end += block) {
    const spanEnd = Math.min(end, count);
    for (; i < spanEnd; i++) {
      const mid = 0.5 * (left[i] + right[i]);
      const side = 0.5 * (left[i] - right[i]);
      left[i] = mid;
      right[i] = side;
      sum += side * side;
    }
    if (end > count) return sum;
    closedSums[closed++] = sum;
    sum = 0;
    if (end === count) return sum;
  }
}

/**
 * Σ mid² and Σ side² per block: each closing block's pair to `closedMid` /
 * `closedSide` (in order); returns the open block's pair (continuing
 * `openMid`, `openSide`).
 *
 * @example const [mid, side] = midSideBlockEnergies(mid, side, 2205, 2205, 0, 0, closedMid, closedSide);
 */
export function midSideBlockEnergies(
  mid: Float32Array,
  side: Float32Array,
  firstEnd: number,
  block: number,
  openMid: number,
  openSide: number,
  closedMid: Float64Array,
  closedSide: Float64Array,
): [number, number] {
  const wasm = midSideInstance();
  if (!wasm) return blockEnergiesScalar(mid, side, firstEnd, block, openMid, openSide, closedMid, closedSide);
  const { sums } = wasm;
  let midSum = openMid;
  let sideSum = openSide;
  inChunks(wasm, mid, side, firstEnd, block, false, (frames, end, closedBefore, closing) => {
    wasm.exports.blockEnergies(LEFT, RIGHT, frames, end, block, midSum, sideSum, SUMS);
    for (let j = 0; j < closing; j++) {
      closedMid[closedBefore + j] = sums[2 * j];
      closedSide[closedBefore + j] = sums[2 * j + 1];
    }
    midSum = sums[2 * closing];
    sideSum = sums[2 * closing + 1];
  });
  return [midSum, sideSum];
}

function blockEnergiesScalar(
  mid: Float32Array,
  side: Float32Array,
  firstEnd: number,
  block: number,
  openMid: number,
  openSide: number,
  closedMid: Float64Array,
  closedSide: Float64Array,
): [number, number] {
  const count = mid.length;
  let midSum = openMid;
  let sideSum = openSide;
  let closed = 0;
  for (let i = 0, end = firstEnd; ; end += block) {
    const spanEnd = Math.min(end, count);
    for (; i < spanEnd; i++) {
      midSum += mid[i] * mid[i];
      sideSum += side[i] * side[i];
    }
    if (end > count) return [midSum, sideSum];
    closedMid[closed] = midSum;
    closedSide[closed++] = sideSum;
    midSum = 0;
    sideSum = 0;
    if (end === count) return [midSum, sideSum];
  }
}

/**
 * mid/side back to left/right in place over [from, to): with s = side ×
 * (g0 + dg · k), k counting from `k0` at `from`, mid ← mid + s and side ← mid − s.
 *
 * @example toLeftRight(mid, side, 0, 2205, 1, 0, 0);
 */
export function toLeftRight(mid: Float32Array, side: Float32Array, from: number, to: number, g0: number, dg: number, k0: number): void {
  const wasm = midSideInstance();
  if (!wasm) return toLeftRightScalar(mid, side, from, to, g0, dg, k0);
  const { exports, heap } = wasm;
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    copySamples(heap, LEFT / 4, mid.subarray(start, end));
    copySamples(heap, RIGHT / 4, side.subarray(start, end));
    exports.toLeftRight(LEFT, RIGHT, end - start, g0, dg, k0 + (start - from));
    copySamples(mid, start, heap.subarray(LEFT / 4, LEFT / 4 + end - start));
    copySamples(side, start, heap.subarray(RIGHT / 4, RIGHT / 4 + end - start));
  }
}

function toLeftRightScalar(mid: Float32Array, side: Float32Array, from: number, to: number, g0: number, dg: number, k0: number): void {
  for (let i = from, k = k0; i < to; i++, k++) {
    const m = mid[i];
    const s = side[i] * (g0 + dg * k);
    mid[i] = m + s;
    side[i] = m - s;
  }
}
