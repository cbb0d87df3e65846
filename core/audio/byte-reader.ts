/**
 * Bytes read at offsets: an upload in memory, or a file on disk read as it is
 * needed. The WAV reader walks chunks and decodes blocks through this, so the
 * same code reads a buffer and a file that never is in memory whole.
 */
export interface ByteReader {
  /** Bytes in all. */
  readonly byteLength: number;
  /**
   * Bytes [offset, offset + length), which the caller keeps within
   * `byteLength`. Valid until the next call; a memory reader returns a view
   * of its own bytes.
   */
  read(offset: number, length: number): Uint8Array;
}

/**
 * A reader over bytes in memory: reads are views, no copies.
 *
 * @example parseWavHeaderFrom(bytesReader(upload));
 */
export function bytesReader(bytes: Uint8Array): ByteReader {
  return {
    byteLength: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
  };
}
