/**
 * Filesystem artifact storage, the embedded default for local runs: objects
 * under `<dataDir>/<key>` (e.g. `./data/mastered/<uuid>.wav`), metadata and
 * content type in a `<key>.meta.json` sidecar. Writes go to a temporary file
 * first and are renamed into place, so a reader never sees half an artifact.
 */
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactObject, ArtifactStorage, StoredArtifact } from '../../core/app/ports.ts';

export interface FilesystemStorageOptions {
  /** Root folder; relative paths resolve against the working directory. */
  readonly dataDir: string;
}

/**
 * Creates filesystem storage. A stored artifact has no URL of its own (a
 * server path is no use to a remote client and should not leak): the HTTP
 * app answers with its `GET /artifacts/{key}` route instead. `destination`
 * (logs and events only) is the `file://` URL.
 *
 * @example
 * const storage = createFilesystemStorage({ dataDir: './data' });
 * const stored = await storage.store({ key: 'mastered/x.wav', bytes, contentType: 'audio/wav', metadata: {} });
 * stored.url; // null
 */
export function createFilesystemStorage(options: FilesystemStorageOptions): ArtifactStorage {
  const root = resolve(options.dataDir);

  /** The object's path, refusing keys that would escape the root (`../`). */
  const pathOf = (key: string): string => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`object key escapes the data directory: ${key}`);
    return path;
  };

  return {
    backend: 'filesystem',
    async store(object: ArtifactObject, storeOptions?: { signal?: AbortSignal }): Promise<StoredArtifact> {
      const path = pathOf(object.key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${crypto.randomUUID()}.partial`;
      try {
        await writeFile(temporary, object.bytes, { signal: storeOptions?.signal });
        await writeFile(`${path}.meta.json`, JSON.stringify({ contentType: object.contentType, metadata: object.metadata }, null, 2));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return { key: object.key, url: null, destination: pathToFileURL(path).href };
    },
    async exists(key: string): Promise<boolean> {
      try {
        await access(pathOf(key), constants.R_OK);
        return true;
      } catch {
        return false;
      }
    },
    async read(key: string, readOptions?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
      try {
        const buffer = await readFile(pathOf(key), { signal: readOptions?.signal });
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async remove(key: string): Promise<void> {
      const path = pathOf(key);
      await rm(path, { force: true });
      await rm(`${path}.meta.json`, { force: true });
    },
    async checkReady(): Promise<void> {
      // A real write: access(W_OK) says yes on a full disk or a read-only remount.
      await mkdir(root, { recursive: true });
      const probe = resolve(root, `.ready-${crypto.randomUUID()}`);
      try {
        await writeFile(probe, 'ready');
      } finally {
        await rm(probe, { force: true });
      }
    },
  };
}
