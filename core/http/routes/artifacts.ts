/**
 * `GET /artifacts/{key}`: a mastered artifact by the key `/master` answered
 * with (`X-Mastered-Object-Key`). 200 with the bytes once stored; 202 with
 * its status while a deferred artifact waits in the queue; 404 when unknown.
 * The key is checked before any storage call (core/app/artifact-key.ts), so
 * no key reaches a file outside the artifacts or another bucket's object.
 */
import { artifactKeyProblem } from '../../app/artifact-key.ts';
import { MASTERED_CONTENT_TYPE } from '../../app/persist-artifact.ts';
import { describeStorageFailure } from '../../app/storage-failure.ts';
import { AudoEqError } from '../../domain/errors.ts';
import type { RouteHandler } from '../context.ts';
import { jsonResponse } from '../responses.ts';

/** Seconds a client polling a deferred artifact is asked to wait. */
const DEFERRED_RETRY_AFTER_SECONDS = 2;
/** Seconds to wait when storage does not answer. */
const STORAGE_RETRY_AFTER_SECONDS = 10;

/** The key as the client sent it: the path after `/artifacts/`, not decoded (an encoded key is refused, never decoded). */
function rawKey(url: URL): string {
  return url.pathname.slice('/artifacts/'.length);
}

/**
 * @example
 * const response = await getArtifact(new Request('http://x/artifacts/mastered/1f0e.wav'), context);
 * response.status; // 200 (audio/wav), 202 (deferred) or 404
 */
export const getArtifact: RouteHandler = async (_request, { url, deps }) => {
  const key = rawKey(url);
  const problem = artifactKeyProblem(key);
  if (problem) throw new AudoEqError('invalid_artifact_key', `Invalid artifact key: ${problem}.`);
  const { storage, persister, queue } = deps;
  if (!storage) throw new AudoEqError('artifact_not_found', 'Storage is disabled on this server; no artifact is kept.', { key });
  const queuedSince = async () => persister.deferredSince(key) ?? (await queue?.pendingSince?.(key).catch(() => null)) ?? null;
  const deferred = (queuedAt: string) =>
    jsonResponse(
      202,
      { key, status: 'deferred', queued_at: queuedAt, message: 'Queued for storage; not stored yet.' },
      { 'retry-after': String(DEFERRED_RETRY_AFTER_SECONDS), 'x-mastered-object-key': key },
    );
  let bytes: Uint8Array | null;
  try {
    bytes = await storage.read(key);
  } catch (error) {
    // Storage down while the artifact waits in the queue: still "not stored yet", which is what the client needs to hear.
    const queuedAt = await queuedSince();
    if (queuedAt !== null) return deferred(queuedAt);
    const failure = describeStorageFailure(error, storage.backend);
    deps.logger.warn('Artifact read failed', { object_key: key, backend: storage.backend, storage_error: failure.code, check: failure.check, error });
    throw new AudoEqError(
      'storage_unavailable',
      'The artifact storage did not answer; retry later.',
      { reason: failure.kind === 'rejected' ? 'storage_rejected' : 'storage_unavailable', storage_error: failure.code, retry_after_seconds: STORAGE_RETRY_AFTER_SECONDS },
      { cause: error },
    );
  }
  if (bytes) {
    const name = key.slice(key.lastIndexOf('/') + 1);
    return new Response(deps.byteBody(bytes), {
      status: 200,
      headers: {
        'content-type': MASTERED_CONTENT_TYPE,
        'content-length': String(bytes.byteLength),
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'private, max-age=0',
        'x-mastered-object-key': key,
      },
    });
  }
  const queuedAt = await queuedSince();
  if (queuedAt !== null) return deferred(queuedAt);
  throw new AudoEqError('artifact_not_found', undefined, { key });
};
