/**
 * Where an uploaded file's bytes wait while the rest of the request arrives.
 * Small files stay in memory; a file that grows past the spool's threshold is
 * moved to a spooled file (the Node server's: a temporary file,
 * runtimes/node/temp-file-spool.ts), so a slow or concurrent large upload
 * costs disk, not memory, and is read back into one array only once it is
 * complete (no second copy from joining pieces). Runtimes without a spool
 * (Deno, Bun, an embedding) keep every file in memory.
 */

/** Port: a place for upload bytes outside memory. */
export interface UploadSpool {
  /** Bytes of one file held in memory before it moves to the spool. */
  readonly thresholdBytes: number;
  /** A new, empty spooled file. */
  create(): Promise<SpooledFile>;
}

/** One spooled file; `remove` is safe to call more than once and after `readAll`. */
export interface SpooledFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Everything written, as one array that owns its buffer. */
  readAll(): Promise<Uint8Array>;
  remove(): Promise<void>;
}

/** Collects one file part: in memory up to the threshold, then in the spool. */
export interface UploadCollector {
  write(chunk: Uint8Array): Promise<void>;
  /** The whole file; a spooled copy is removed. */
  finish(): Promise<Uint8Array>;
  /** Drops what was collected and removes a spooled copy (a failed or abandoned upload). */
  discard(): Promise<void>;
  /** Whether the file went to the spool. */
  readonly spooled: boolean;
}

/** Joins pieces into one array, without copying when there is only one. */
function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A collector for one file part; without a spool everything stays in memory.
 *
 * @example
 * const collector = createUploadCollector(spool);
 * await collector.write(chunk); // …for each piece
 * const bytes = await collector.finish();
 */
export function createUploadCollector(spool: UploadSpool | null | undefined): UploadCollector {
  let chunks: Uint8Array[] = [];
  let size = 0;
  let file: SpooledFile | null = null;
  let opening: Promise<SpooledFile> | null = null;
  return {
    get spooled() {
      return opening !== null;
    },
    async write(chunk) {
      size += chunk.byteLength;
      if (opening) {
        await (file ?? (await opening)).write(chunk);
        return;
      }
      chunks.push(chunk);
      if (!spool || size <= spool.thresholdBytes) return;
      opening = spool.create();
      file = await opening;
      const held = chunks;
      chunks = [];
      for (const piece of held) await file.write(piece);
    },
    async finish() {
      if (!opening) {
        const bytes = joinChunks(chunks, size);
        chunks = [];
        return bytes;
      }
      const spooled = file ?? (await opening);
      try {
        return await spooled.readAll();
      } finally {
        await spooled.remove();
      }
    },
    async discard() {
      chunks = [];
      if (!opening) return;
      const spooled = await opening.catch(() => null);
      await spooled?.remove();
    },
  };
}
