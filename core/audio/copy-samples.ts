/**
 * Copying float samples where one side may lie in shared memory. V8 copies
 * into or out of a `SharedArrayBuffer` with relaxed atomic stores: word by
 * word when the two addresses agree modulo 8 bytes, but byte by byte when
 * they do not, about 7× slower (measured on 13,230 floats: ~3 GB/s against
 * ~21). Half the copies of a render fall that way (a block copied to an odd
 * sample offset, say), so a misaligned copy goes through a buffer of this
 * module's own instead: the shared side is copied word by word at its own
 * alignment and the other, unshared, is copied by the system's memmove,
 * which takes any alignment at full speed. The same values either way.
 */

const FLOAT_BYTES = Float32Array.BYTES_PER_ELEMENT;
/** Floats per step through the buffer: large enough to run at copy speed, small enough to stay in cache. */
const STEP = 16384;

/** One step and one float each: a step starts at float 0 or 1 of a buffer, whichever has the alignment it needs. */
let between = new Float32Array(0);
let between2 = new Float32Array(0);

const isShared = (samples: Float32Array) => typeof SharedArrayBuffer !== 'undefined' && samples.buffer instanceof SharedArrayBuffer;

/**
 * `target.set(source, at)`, as fast where either lies in shared memory at
 * another alignment as where they agree.
 *
 * @example copySamples(store.channels[0], 1323, block[0]); // the same as store.channels[0].set(block[0], 1323)
 */
export function copySamples(target: Float32Array, at: number, source: Float32Array): void {
  const count = source.length;
  const misaligned = ((source.byteOffset - (target.byteOffset + at * FLOAT_BYTES)) & 7) !== 0;
  const sourceShared = isShared(source);
  const targetShared = isShared(target);
  // Within one buffer the two may overlap, which only `set` copies right.
  if (count < 64 || !misaligned || (!sourceShared && !targetShared) || source.buffer === target.buffer) {
    target.set(source, at);
    return;
  }
  // Refused before anything is written, as `set` refuses it.
  if (!(Number.isInteger(at) && at >= 0 && at + count <= target.length)) throw new RangeError(`${count} samples do not fit at ${at} in ${target.length}`);
  if (between.length < STEP + 1) {
    between = new Float32Array(STEP + 1);
    between2 = new Float32Array(STEP + 1);
  }
  // Where in `between` a float sits at the same alignment as the source's first, and `between2` as the target's.
  const sourceFirst = (source.byteOffset & 7) === (between.byteOffset & 7) ? 0 : 1;
  const targetFirst = ((target.byteOffset + at * FLOAT_BYTES) & 7) === (between2.byteOffset & 7) ? 0 : 1;
  for (let done = 0; done < count; done += STEP) {
    const step = Math.min(STEP, count - done);
    const piece = source.subarray(done, done + step);
    if (sourceShared && targetShared) {
      // Shared to unshared at the source's alignment, memmove to the target's, then shared again.
      between.set(piece, sourceFirst);
      between2.set(between.subarray(sourceFirst, sourceFirst + step), targetFirst);
      target.set(between2.subarray(targetFirst, targetFirst + step), at + done);
    } else if (sourceShared) {
      between.set(piece, sourceFirst);
      target.set(between.subarray(sourceFirst, sourceFirst + step), at + done);
    } else {
      between2.set(piece, targetFirst);
      target.set(between2.subarray(targetFirst, targetFirst + step), at + done);
    }
  }
}
