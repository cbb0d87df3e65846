/**
 * Reading a whole input file as plain bytes without a second copy: a 3-minute
 * WAV is 30 MB, and `new Uint8Array(buffer)` duplicated it before decoding.
 * Files are read into one array sized from `fstat`, in chunks, because
 * `fs.readFile` refuses anything over 2 GiB (an hour of 24-bit 96 kHz stereo
 * is 2.1 GB) and local files have no byte limit of their own.
 */
import { open } from 'node:fs/promises';

/** Bytes per read call: large enough that a 1 GB file takes a few dozen calls. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * The file's bytes as a plain Uint8Array that owns its whole buffer (safe to
 * transfer to a worker). A file that grows while it is read is read up to the
 * size it had when opened; one that shrinks gives what is there.
 *
 * @example const bytes = await readFileBytes('target.wav');
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await file.read(bytes, offset, Math.min(READ_CHUNK_BYTES, size - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.slice(0, offset);
  } finally {
    await file.close();
  }
}

/**
 * A Uint8Array over `buffer`'s own memory when the buffer owns all of it, else
 * a copy (a slice of Node's shared pool must not be handed on, e.g.
 * transferred to a worker).
 *
 * @example const bytes = ownBytes(await readFile('small.wav'));
 */
export function ownBytes(buffer: Uint8Array): Uint8Array {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength && buffer.buffer instanceof ArrayBuffer;
  return whole ? new Uint8Array(buffer.buffer, 0, buffer.byteLength) : new Uint8Array(buffer);
}
