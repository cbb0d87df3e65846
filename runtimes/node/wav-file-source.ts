/**
 * A WAV file on disk as a PCM source that reads each block from the file when
 * it is asked for (`fs.readSync` at the block's offset), so a long input is
 * analysed and rendered without being in memory: what it holds is one block's
 * bytes and samples. Validation, errors and channel handling are those of
 * `decodeAudio` for the same bytes (core/audio/wav-source.ts does both).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteReader } from '../../core/audio/byte-reader.ts';
import { checkUpload, type DecodeOptions } from '../../core/audio/decode.ts';
import { openWavSource, type WavSource } from '../../core/audio/wav-source.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';

/** A WAV file read in blocks; `close()` closes the file (reads fail after it). */
export interface WavFileSource extends WavSource {
  close(): void;
}

/** Bytes the container check reads from the start of the file (its magic bytes are in the first 12). */
const HEAD_BYTES = 12;

/** Reads of the open file `fd`, into one scratch buffer grown to the largest read. */
function fileReader(fd: number, byteLength: number): ByteReader {
  let scratch = new Uint8Array(0);
  return {
    byteLength,
    read(offset, length) {
      if (scratch.length < length) scratch = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const got = readSync(fd, scratch, done, length - done, offset + done);
        if (got === 0) {
          throw new IngestValidationError('corrupted_file', 'The WAV file became shorter while it was read.', { expected_bytes: byteLength });
        }
        done += got;
      }
      return scratch.subarray(0, length);
    },
  };
}

/**
 * Opens the WAV file at `path` for reading in blocks. `options` are those of
 * `decodeAudio` (`filename` for the extension rule, `policy`,
 * `keepChannels`), and the file meets the same checks with the same
 * `IngestValidationError` codes: size, extension, container, header, shape,
 * duration when it opens; a NaN or infinite float sample at the read of its
 * block. A FLAC or MP3 file (accepted uploads, but not read in blocks) gives
 * null: decode its bytes with `decodeAudio` instead. Errors of the file
 * system itself (ENOENT, EACCES) are thrown as they are.
 *
 * @example
 * const source = openWavFileSource('long-mix.wav', { keepChannels: true });
 * try { analyzeFrom(source); } finally { source?.close(); }
 */
export function openWavFileSource(path: string, options: DecodeOptions = {}): WavFileSource | null {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const reader = fileReader(fd, size);
    const policy = options.policy ?? DEFAULT_INGEST_POLICY;
    const container = checkUpload(reader.read(0, Math.min(HEAD_BYTES, size)), size, policy, options.filename);
    if (container !== 'wav') {
      closeSync(fd);
      return null;
    }
    const source = openWavSource(reader, { policy, keepChannels: options.keepChannels });
    let open = true;
    return {
      ...source,
      read(start, count) {
        if (!open) throw new Error(`The WAV file source for ${path} is closed.`);
        return source.read(start, count);
      },
      close() {
        if (!open) return;
        open = false;
        closeSync(fd);
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
