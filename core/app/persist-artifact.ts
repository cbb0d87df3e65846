/**
 * Persistence of mastered artifacts: applies mode × guarantee (SPEC section 6)
 * over the storage and queue ports, publishes `ArtifactStored` /
 * `ArtifactPersistenceQueued` / `ArtifactPersistenceFailed` and logs the
 * runbook's exact warning when a write fails.
 */
import { AudoEqError } from '../domain/errors.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { AppLogger, ArtifactObject, ArtifactQueue, ArtifactStorage, Clock, IdGenerator } from './ports.ts';
import { describeStorageFailure } from './storage-failure.ts';
import { artifactKey } from './artifact-key.ts';

export const PERSISTENCE_MODES = ['immediate', 'deferred'] as const;
export const PERSISTENCE_GUARANTEES = ['best-effort', 'guaranteed'] as const;
export type PersistenceMode = (typeof PERSISTENCE_MODES)[number];
export type PersistenceGuarantee = (typeof PERSISTENCE_GUARANTEES)[number];

export interface PersistencePolicy {
  readonly mode: PersistenceMode;
  readonly guarantee: PersistenceGuarantee;
}

/** The runbook greps for these exact lines. */
export const STORAGE_FAILED_WARNING = 'Mastered audio storage failed; returning no URL.';
export const QUEUED_INFO = 'Queued mastered artifact persistence task';

export const MASTERED_CONTENT_TYPE = 'audio/wav';

/**
 * Why an artifact was not persisted (`X-Artifact-Persistence-Reason`):
 * storage switched off; storage did not answer (down, timed out, TLS);
 * storage answered and refused (credentials, bucket, permissions); the
 * deferred queue was full; the deferred queue did not answer.
 */
export const SKIP_REASONS = ['storage_disabled', 'storage_unavailable', 'storage_rejected', 'queue_full', 'queue_unavailable'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Seconds a client is told to wait after a guaranteed `503 storage_unavailable`: a refusal needs an operator, an outage may pass. */
export const STORAGE_RETRY_AFTER_SECONDS: Readonly<Record<Exclude<SkipReason, 'storage_disabled'>, number>> = {
  storage_unavailable: 10,
  storage_rejected: 60,
  queue_full: 5,
  queue_unavailable: 10,
};

export type PersistenceOutcome =
  | { readonly status: 'stored'; readonly key: string; readonly url: string | null; readonly destination: string }
  | { readonly status: 'deferred'; readonly key: string; readonly destination: string }
  | { readonly status: 'skipped'; readonly reason: SkipReason };

/** Queue adapters reject a full queue with an error of this name (adapters/queue). */
const QUEUE_FULL_ERROR_NAME = 'QueueFullError';

export interface ArtifactToPersist {
  readonly wav: Uint8Array;
  readonly correlationId: string;
  readonly profileId: string;
}

export interface ArtifactPersister {
  readonly policy: PersistencePolicy;
  /**
   * Persists one artifact. Never throws under `best-effort` (a failure becomes
   * `skipped`); under `guaranteed` anything but success throws
   * `AudoEqError('storage_unavailable')`.
   */
  persist(artifact: ArtifactToPersist): Promise<PersistenceOutcome>;
  /**
   * When this persister queued `key` (deferred mode), the ISO time it did;
   * else null. Kept for the most recent {@link DEFERRED_KEYS_REMEMBERED}
   * keys, so `GET /artifacts/{key}` can answer "not stored yet" (202)
   * rather than "unknown" (404) on the instance that queued it.
   */
  deferredSince(key: string): string | null;
}

/** How many deferred keys a persister remembers (a few hundred KiB of strings). */
export const DEFERRED_KEYS_REMEMBERED = 10_000;

export interface ArtifactPersisterDeps {
  readonly policy: PersistencePolicy;
  /** null: storage disabled (`AUDO_EQ_STORAGE_ENABLED=false`). */
  readonly storage: ArtifactStorage | null;
  /** Needed only in `deferred` mode. */
  readonly queue?: ArtifactQueue | null;
  readonly events: EventPublisher;
  readonly logger: AppLogger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/**
 * Checks that a policy can be honoured with the ports at hand; returns the
 * problem as one sentence, or null. Runtimes turn a non-null answer into a
 * start-up error.
 *
 * @example persistencePolicyProblem({ mode: 'deferred', guarantee: 'best-effort' }, storage, null) // 'deferred … needs a queue …'
 */
export function persistencePolicyProblem(
  policy: PersistencePolicy,
  storage: ArtifactStorage | null,
  queue: ArtifactQueue | null | undefined,
): string | null {
  if (policy.guarantee === 'guaranteed' && storage === null) {
    return 'guaranteed artifact persistence needs storage enabled';
  }
  // With storage disabled every result is `skipped` before any queue is asked.
  if (policy.mode === 'deferred' && !queue && storage !== null) {
    return 'deferred artifact persistence needs a queue to hand artifacts to';
  }
  if (policy.mode === 'deferred' && policy.guarantee === 'guaranteed' && queue && !queue.durable) {
    return `deferred + guaranteed artifact persistence needs a durable queue; '${queue.name}' is not durable`;
  }
  return null;
}

/**
 * Creates the persistence service for one policy. Throws at construction when
 * the policy cannot be honoured (see {@link persistencePolicyProblem}).
 *
 * @example
 * const persister = createArtifactPersister({ policy: { mode: 'immediate', guarantee: 'best-effort' }, storage, events, logger, clock, ids });
 * const outcome = await persister.persist({ wav, correlationId: 'req-1', profileId: 'default' }); // { status: 'stored', url, … }
 */
export function createArtifactPersister(deps: ArtifactPersisterDeps): ArtifactPersister {
  const problem = persistencePolicyProblem(deps.policy, deps.storage, deps.queue);
  if (problem) throw new Error(problem);
  const { policy, storage, queue, events, logger, clock, ids } = deps;

  const publish = (name: 'ArtifactStored' | 'ArtifactPersistenceQueued' | 'ArtifactPersistenceFailed', correlationId: string, payload: Record<string, unknown>) =>
    events.publish({ name, correlationId, occurredAt: clock.now().toISOString(), payload });

  /** Best-effort turns a failure into `skipped`; guaranteed turns it into a 503 naming the reason (with `Retry-After`). */
  const fail = (object: ArtifactObject, correlationId: string, stage: 'store' | 'enqueue', error: unknown): PersistenceOutcome => {
    let reason: Exclude<SkipReason, 'storage_disabled'>;
    let backend: string;
    let diagnosis: { storage_error?: string; check?: string } = {};
    if (stage === 'store') {
      const failure = describeStorageFailure(error, storage!.backend);
      reason = failure.kind === 'rejected' ? 'storage_rejected' : 'storage_unavailable';
      backend = storage!.backend;
      diagnosis = { storage_error: failure.code, check: failure.check };
    } else {
      reason = (error as { name?: unknown } | null)?.name === QUEUE_FULL_ERROR_NAME ? 'queue_full' : 'queue_unavailable';
      backend = queue!.name;
    }
    logger.warn(STORAGE_FAILED_WARNING, { correlation_id: correlationId, object_key: object.key, backend, reason, ...diagnosis, error });
    publish('ArtifactPersistenceFailed', correlationId, {
      object_key: object.key,
      backend,
      reason,
      ...diagnosis,
      guarantee: policy.guarantee,
      error: error instanceof Error ? error.message : String(error),
    });
    if (policy.guarantee === 'guaranteed') {
      throw new AudoEqError('storage_unavailable', undefined, { reason, ...(diagnosis.storage_error ? { storage_error: diagnosis.storage_error } : {}), retry_after_seconds: STORAGE_RETRY_AFTER_SECONDS[reason] }, { cause: error });
    }
    return { status: 'skipped', reason };
  };

  // Insertion-ordered: the oldest key is the first one dropped.
  const deferredKeys = new Map<string, string>();
  const remember = (key: string) => {
    deferredKeys.set(key, clock.now().toISOString());
    if (deferredKeys.size > DEFERRED_KEYS_REMEMBERED) deferredKeys.delete(deferredKeys.keys().next().value!);
  };

  const storeNow = async (object: ArtifactObject, correlationId: string): Promise<PersistenceOutcome> => {
    try {
      const stored = await storage!.store(object);
      publish('ArtifactStored', correlationId, {
        destination: stored.destination,
        object_key: stored.key,
        backend: storage!.backend,
        content_type: object.contentType,
        size_bytes: object.bytes.byteLength,
        has_url: stored.url !== null,
      });
      return { status: 'stored', key: stored.key, url: stored.url, destination: stored.destination };
    } catch (error) {
      return fail(object, correlationId, 'store', error);
    }
  };

  const enqueue = async (object: ArtifactObject, correlationId: string): Promise<PersistenceOutcome> => {
    try {
      await queue!.enqueue({ object, correlationId, enqueuedAt: clock.now().toISOString() });
    } catch (error) {
      return fail(object, correlationId, 'enqueue', error);
    }
    const destination = `queue://${queue!.name}/${object.key}`;
    logger.info(QUEUED_INFO, {
      correlation_id: correlationId,
      queue_name: queue!.name,
      object_name: object.key,
      content_type: object.contentType,
      payload_size: object.bytes.byteLength,
    });
    publish('ArtifactPersistenceQueued', correlationId, { destination, object_key: object.key, queue_name: queue!.name });
    remember(object.key);
    return { status: 'deferred', key: object.key, destination };
  };

  return {
    policy,
    async persist({ wav, correlationId, profileId }) {
      if (storage === null) return { status: 'skipped', reason: 'storage_disabled' };
      const object: ArtifactObject = {
        key: artifactKey(ids()),
        bytes: wav,
        contentType: MASTERED_CONTENT_TYPE,
        metadata: { 'correlation-id': correlationId, 'profile-id': profileId },
      };
      return policy.mode === 'immediate' ? storeNow(object, correlationId) : enqueue(object, correlationId);
    },
    deferredSince(key) {
      return deferredKeys.get(key) ?? null;
    },
  };
}
