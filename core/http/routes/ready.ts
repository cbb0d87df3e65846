/**
 * `GET /ready`: readiness. 200 when storage (and the queue, when one is
 * configured) answer within the timeout, else `503 not_ready`; both bodies
 * list each check. The queue's backlog (depth, oldest age, dead letters) is
 * reported but does not make the service unready: requests still succeed.
 */
import { AudoEqError } from '../../domain/errors.ts';
import { errorResponse, jsonResponse } from '../responses.ts';
import type { RouteHandler } from '../context.ts';

export interface CheckResult {
  readonly status: 'ok' | 'failed' | 'disabled';
  readonly backend?: string;
  readonly error?: string;
  /** Queue check only. */
  readonly name?: string;
  readonly depth?: number;
  readonly oldest_age_seconds?: number | null;
  readonly dead_letters?: number;
}

/** Runs `check`, bounded by `timeoutMs`. */
async function runCheck(check: () => Promise<void>, timeoutMs: number): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** @example await ready(request, context) // 200 {"status":"ready","checks":{"storage":{"status":"ok","backend":"s3"}}} */
export const ready: RouteHandler = async (_request, { deps }) => {
  const checks: Record<string, CheckResult> = {};
  const pending: Promise<void>[] = [];
  if (deps.storage === null) {
    checks.storage = { status: 'disabled' };
  } else {
    const storage = deps.storage;
    pending.push(
      runCheck(() => storage.checkReady(), deps.readyTimeoutMs).then((result) => {
        checks.storage = result.ok ? { status: 'ok', backend: storage.backend } : { status: 'failed', backend: storage.backend, error: result.error };
      }),
    );
  }
  if (deps.queue !== null) {
    const queue = deps.queue;
    let stats: Pick<CheckResult, 'depth' | 'oldest_age_seconds' | 'dead_letters'> = {};
    const checkQueue = async () => {
      await queue.checkReady();
      const [depth, oldestAgeMs, deadLetters] = await Promise.all([queue.depth(), queue.oldestAgeMs(), queue.deadLetterDepth()]);
      stats = { depth, oldest_age_seconds: oldestAgeMs === null ? null : oldestAgeMs / 1000, dead_letters: deadLetters };
    };
    pending.push(
      runCheck(checkQueue, deps.readyTimeoutMs).then((result) => {
        const about = { backend: queue.backend, name: queue.name };
        checks.queue = result.ok ? { status: 'ok', ...about, ...stats } : { status: 'failed', ...about, error: result.error };
      }),
    );
  }
  await Promise.all(pending);
  const failed = Object.values(checks).some((check) => check.status === 'failed');
  if (failed) {
    deps.logger.warn('readiness check failed', { checks });
    return errorResponse(new AudoEqError('not_ready', undefined, { checks }));
  }
  return jsonResponse(200, { status: 'ready', checks });
};
