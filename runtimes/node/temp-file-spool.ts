/**
 * The Node server's upload spool: a file part past the threshold goes to a
 * temporary file (owner-only, `audo-eq-upload-<uuid>` in the spool
 * directory) while it arrives, and is read back into one array when the
 * upload is complete. The collector removes the file after reading it and on
 * every failure (core/http/upload-spool.ts).
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpooledFile, UploadSpool } from '../../core/http/upload-spool.ts';
import { readFileBytes } from './file-bytes.ts';

export interface TempFileSpoolOptions {
  /** Bytes of one file held in memory before it moves to a temporary file. */
  readonly thresholdBytes: number;
  /** Where the temporary files go; default the system's temporary directory. */
  readonly dir?: string;
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * @example
 * createHandler({ runner, limits: { spool: createTempFileSpool({ thresholdBytes: 64 << 20 }) } });
 */
export function createTempFileSpool(options: TempFileSpoolOptions): UploadSpool {
  const dir = options.dir ?? tmpdir();
  return {
    thresholdBytes: options.thresholdBytes,
    async create(): Promise<SpooledFile> {
      const path = join(dir, `audo-eq-upload-${crypto.randomUUID()}`);
      const handle = await open(path, 'wx', 0o600);
      let closed: Promise<void> | null = null;
      const close = () => (closed ??= handle.close().catch(() => {}));
      return {
        write: (chunk) => writeAll(handle, chunk),
        async readAll() {
          await close();
          return readFileBytes(path);
        },
        async remove() {
          await close();
          await unlink(path).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
        },
      };
    },
  };
}
