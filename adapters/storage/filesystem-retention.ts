/**
 * Retention for the filesystem backend: removes mastered artifacts (and their
 * metadata sidecars, and upload leftovers) older than the retention period
 * from `<dataDir>/mastered/`. One sweep is bounded in the entries it looks at
 * and the files it removes, so a huge backlog is worked off over several
 * sweeps instead of stalling the process; nothing outside the artifact
 * folder (job inputs, anything else in the data folder) is touched.
 */
import { opendir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ARTIFACT_PREFIX } from '../../core/app/artifact-key.ts';

export interface RetentionSweepOptions {
  readonly dataDir: string;
  /** Artifacts last written longer ago than this are removed. */
  readonly maxAgeMs: number;
  readonly now?: () => number;
  /** Most directory entries one sweep looks at. */
  readonly maxScanned?: number;
  /** Most artifacts one sweep removes. */
  readonly maxRemoved?: number;
}

export interface RetentionSweepResult {
  readonly scanned: number;
  readonly removed: number;
  /** The sweep stopped at a bound with entries left to look at: sweep again soon. */
  readonly truncated: boolean;
}

/** Defaults: look at 100,000 entries, remove 10,000 artifacts per sweep. */
export const DEFAULT_SWEEP_BOUNDS = { maxScanned: 100_000, maxRemoved: 10_000 } as const;

/** Files a sweep may remove: artifacts, their sidecars, and partial writes left by a crash. */
const ARTIFACT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.wav(\.meta\.json|\.[0-9a-f-]{36}\.partial)?$/;

/**
 * Sweeps once.
 *
 * @example await sweepExpiredArtifacts({ dataDir: './data', maxAgeMs: 30 * 86_400_000 }) // { scanned: 12, removed: 3, truncated: false }
 */
export async function sweepExpiredArtifacts(options: RetentionSweepOptions): Promise<RetentionSweepResult> {
  const folder = resolve(options.dataDir, ARTIFACT_PREFIX);
  const cutoffMs = (options.now ?? Date.now)() - options.maxAgeMs;
  const maxScanned = options.maxScanned ?? DEFAULT_SWEEP_BOUNDS.maxScanned;
  const maxRemoved = options.maxRemoved ?? DEFAULT_SWEEP_BOUNDS.maxRemoved;
  let scanned = 0;
  let removed = 0;
  let directory;
  try {
    directory = await opendir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { scanned, removed, truncated: false };
    throw error;
  }
  // Leaving the loop early (a bound) closes the directory, as finishing it does.
  for await (const entry of directory) {
    if (scanned >= maxScanned || removed >= maxRemoved) return { scanned, removed, truncated: true };
    scanned++;
    if (!entry.isFile() || !ARTIFACT_FILE.test(entry.name)) continue;
    const path = join(folder, entry.name);
    let modifiedMs: number;
    try {
      modifiedMs = (await stat(path)).mtimeMs;
    } catch {
      continue; // removed meanwhile (its artifact's sweep took the sidecar)
    }
    if (modifiedMs >= cutoffMs) continue;
    await rm(path, { force: true });
    if (entry.name.endsWith('.wav')) {
      // The sidecar goes with its artifact whatever its own age.
      await rm(`${path}.meta.json`, { force: true });
      removed++;
    }
  }
  return { scanned, removed, truncated: false };
}
