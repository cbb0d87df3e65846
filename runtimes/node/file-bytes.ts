/**
 * Reading a whole input file as plain bytes without a second copy: a 3-minute
 * WAV is 30 MB, and `new Uint8Array(buffer)` duplicated it before decoding.
 */
import { readFile } from 'node:fs/promises';

/**
 * The file's bytes as a plain Uint8Array over the Buffer's own memory when the
 * Buffer owns all of it (large reads do), else a copy (a slice of Node's
 * shared pool must not be handed on, e.g. transferred to a worker).
 *
 * @example const bytes = await readFileBytes('target.wav');
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return ownBytes(await readFile(path));
}

/** See {@link readFileBytes}. */
export function ownBytes(buffer: Uint8Array): Uint8Array {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength && buffer.buffer instanceof ArrayBuffer;
  return whole ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : new Uint8Array(buffer);
}
