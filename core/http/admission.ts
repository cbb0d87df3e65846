/**
 * Admission control, the one place it lives: routes marked `admitted` (the
 * CPU work of `/master` and `/analyze`, the uploads of `/jobs`) share one
 * bound, `runner.concurrency + maxPending`. A request is counted from before
 * its upload is read until its answer is ready; one more than the bound is
 * `503 overloaded` with `Retry-After`, answered before the route reads a
 * byte or does any work (so it is not a mastering failure: no event).
 */
import { AudoEqError } from '../domain/errors.ts';
import type { RouteHandler } from './context.ts';

/** Seconds a client should wait after `overloaded`. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 5;

/**
 * `handle`, admitted: refused with `overloaded` when the bound is reached, counted while it runs.
 *
 * @example router.post('/master', withAdmission(master))
 */
export function withAdmission(handle: RouteHandler): RouteHandler {
  return async (request, context) => {
    const { admission } = context.deps;
    if (admission.inFlight >= admission.maxAdmitted) {
      throw new AudoEqError('overloaded', undefined, { retry_after_seconds: OVERLOADED_RETRY_AFTER_SECONDS });
    }
    admission.inFlight++;
    try {
      return await handle(request, context);
    } finally {
      admission.inFlight--;
    }
  };
}
