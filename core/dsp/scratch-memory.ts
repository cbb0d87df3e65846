/**
 * Scratch memory handed from one phase of a job to a later one on the same
 * thread. Fresh memory is slow to come by on the VMs we measure (the system
 * maps and clears each new page: up to ~4 ms per MB, as the host has it
 * ready or not), memory already mapped is cleared at well over 5 GB/s, and a
 * job's phases each want megabytes for a moment and none after: the probe's
 * excerpt, then the rider's search. A phase done with its buffer hands it
 * back; a later one takes it cleared, as new memory would be.
 */

/** Handed back and not taken again, oldest first. */
const kept: ArrayBuffer[] = [];
/** Kept at most (a process that lives on holds no more than this between jobs). */
const KEEP_BYTES = 32 * 1024 * 1024;

/**
 * A buffer of at least `bytes` whose first `bytes` are zero: the smallest
 * kept one that is large enough, else a new one.
 *
 * @example const buffer = takeScratch(8 * n); try { work(new Float64Array(buffer, 0, n)); } finally { handBackScratch(buffer); }
 */
export function takeScratch(bytes: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < kept.length; i++) {
    if (kept[i].byteLength >= bytes && (best < 0 || kept[i].byteLength < kept[best].byteLength)) best = i;
  }
  if (best < 0) return new ArrayBuffer(bytes);
  const [buffer] = kept.splice(best, 1);
  new Uint8Array(buffer, 0, bytes).fill(0);
  return buffer;
}

/**
 * Hands `buffer` back for a later {@link takeScratch}: the caller keeps no
 * view of it. The oldest kept buffers go when more than 32 MiB would be kept;
 * all go at {@link releaseScratch}.
 */
export function handBackScratch(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0 || buffer.byteLength > KEEP_BYTES || kept.includes(buffer)) return;
  kept.push(buffer);
  let total = kept.reduce((sum, each) => sum + each.byteLength, 0);
  while (total > KEEP_BYTES) total -= kept.shift()!.byteLength;
}

/** Lets every kept buffer go (a process that lives on, once its jobs are done). */
export function releaseScratch(): void {
  kept.length = 0;
}
