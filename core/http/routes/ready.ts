/**
 * `GET /ready`: readiness. 200 when storage (and the queues, when configured)
 * answer within the ready timeout, else `503 not_ready` naming what failed;
 * both bodies list each check (core/http/readiness.ts). The queue's backlog
 * (depth, oldest age, dead letters) is reported but does not make the
 * service unready: requests still succeed.
 */
import { AudoEqError } from '../../domain/errors.ts';
import { errorResponse, jsonResponse } from '../responses.ts';
import type { RouteHandler } from '../context.ts';

/** Seconds a 503 asks a prober to wait: about one round of checks. */
const RETRY_AFTER_SECONDS = 2;

/** @example await ready(request, context) // 200 {"status":"ready","checks":{"storage":{"status":"ok","backend":"s3"}}} */
export const ready: RouteHandler = async (_request, { deps }) => {
  const { ready: isReady, checks, failed } = await deps.readiness();
  if (!isReady) {
    deps.logger.warn('readiness check failed', { failed, checks });
    const summary = failed.map((name) => `${name} unavailable (${checks[name].code ?? checks[name].error})`).join('; ');
    return errorResponse(new AudoEqError('not_ready', `The service is not ready: ${summary}.`, { failed, checks, retry_after_seconds: RETRY_AFTER_SECONDS }));
  }
  return jsonResponse(200, { status: 'ready', checks });
};
