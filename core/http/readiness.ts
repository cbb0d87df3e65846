/**
 * Readiness: asks each dependency (storage, the deferred-persistence queue,
 * the job queue) whether it answers, each bounded by a timeout, and keeps
 * the answer for a moment so a burst of probes costs one round of checks.
 * Nothing else is cached: a dependency that dies is reported by the next
 * round, one that comes back likewise.
 */
import type { ArtifactQueue, ArtifactStorage } from '../app/ports.ts';
import type { JobQueue } from '../app/jobs/job-queue.ts';
import { describeStorageFailure, type StorageFailureCode } from '../app/storage-failure.ts';

/** How long one round of checks answers for: short enough that a load balancer hears of an outage within seconds. */
export const READINESS_CACHE_MS = 1000;

export interface CheckResult {
  readonly status: 'ok' | 'unavailable' | 'disabled';
  readonly backend?: string;
  /** What failed, in one line (unavailable only). */
  readonly error?: string;
  /** Storage only: the classified failure and the settings to check. */
  readonly code?: StorageFailureCode;
  readonly check?: string;
  /** Queue checks only. */
  readonly name?: string;
  readonly depth?: number;
  readonly oldest_age_seconds?: number | null;
  readonly dead_letters?: number;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
  /** Names of the checks that failed, e.g. `['storage']`. */
  readonly failed: readonly string[];
}

export interface ReadinessDeps {
  readonly storage: ArtifactStorage | null;
  readonly queue: ArtifactQueue | null;
  readonly jobQueue: JobQueue | null;
  readonly timeoutMs: number;
  readonly cacheMs?: number;
}

/** Runs `check`, bounded by `timeoutMs`; resolves with the error instead of rejecting. */
async function bounded<T>(check: () => Promise<T>, timeoutMs: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([check(), timeout]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function checkStorage(storage: ArtifactStorage, timeoutMs: number): Promise<CheckResult> {
  const result = await bounded(() => storage.checkReady(), timeoutMs);
  if (result.ok) return { status: 'ok', backend: storage.backend };
  const failure = describeStorageFailure(result.error, storage.backend);
  return { status: 'unavailable', backend: storage.backend, code: failure.code, check: failure.check, error: messageOf(result.error) };
}

async function checkQueue(queue: ArtifactQueue, timeoutMs: number): Promise<CheckResult> {
  const about = { backend: queue.backend, name: queue.name };
  const result = await bounded(async () => {
    await queue.checkReady();
    const [depth, oldestAgeMs, deadLetters] = await Promise.all([queue.depth(), queue.oldestAgeMs(), queue.deadLetterDepth()]);
    return { depth, oldest_age_seconds: oldestAgeMs === null ? null : oldestAgeMs / 1000, dead_letters: deadLetters };
  }, timeoutMs);
  return result.ok ? { status: 'ok', ...about, ...result.value } : { status: 'unavailable', ...about, error: messageOf(result.error) };
}

async function checkJobQueue(queue: JobQueue, timeoutMs: number): Promise<CheckResult> {
  const result = await bounded(() => queue.checkReady(), timeoutMs);
  const about = { backend: queue.backend, name: queue.name };
  return result.ok ? { status: 'ok', ...about } : { status: 'unavailable', ...about, error: messageOf(result.error) };
}

/**
 * A readiness probe over the given dependencies. Concurrent callers share
 * one round of checks; a finished round answers for `cacheMs`.
 *
 * @example
 * const probe = createReadinessProbe({ storage, queue: null, jobQueue: null, timeoutMs: 2000 });
 * (await probe()).ready; // false while the bucket does not answer
 */
export function createReadinessProbe(deps: ReadinessDeps): () => Promise<Readiness> {
  const cacheMs = deps.cacheMs ?? READINESS_CACHE_MS;
  let latest: { at: number; settled: boolean; round: Promise<Readiness> } | null = null;

  const runRound = async (): Promise<Readiness> => {
    const named: Array<Promise<[string, CheckResult]>> = [];
    const { storage, queue, jobQueue, timeoutMs } = deps;
    named.push(storage ? checkStorage(storage, timeoutMs).then((result) => ['storage', result]) : Promise.resolve(['storage', { status: 'disabled' }]));
    if (queue) named.push(checkQueue(queue, timeoutMs).then((result) => ['queue', result]));
    if (jobQueue) named.push(checkJobQueue(jobQueue, timeoutMs).then((result) => ['jobs', result]));
    const checks = Object.fromEntries(await Promise.all(named));
    const failed = Object.entries(checks).filter(([, check]) => check.status === 'unavailable').map(([name]) => name);
    return { ready: failed.length === 0, checks, failed };
  };

  return () => {
    // A round still running is shared whatever its age; a finished one answers while fresh (age counted from its end).
    if (latest && (!latest.settled || performance.now() - latest.at < cacheMs)) return latest.round;
    const entry: { at: number; settled: boolean; round: Promise<Readiness> } = { at: 0, settled: false, round: runRound() };
    latest = entry;
    void entry.round.then(() => {
      entry.at = performance.now();
      entry.settled = true;
    });
    return entry.round;
  };
}
