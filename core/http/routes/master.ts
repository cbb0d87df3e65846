/**
 * `POST /master`: query → options, streaming upload → files, the mastering
 * use case, then the WAV with the result headers (SPEC section 2).
 */
import { masterTrack } from '../../app/master-track.ts';
import { AudoEqError } from '../../domain/errors.ts';
import { masteringResponseHeaders } from '../headers.ts';
import { readMasteringUpload } from '../multipart.ts';
import { parseMasteringQuery } from '../query.ts';
import { toAudoEqError } from '../responses.ts';
import type { RouteHandler } from '../context.ts';

/** Seconds a client should wait after `overloaded`. */
const RETRY_AFTER_SECONDS = 5;

/**
 * @example
 * const response = await master(new Request('http://x/master?eq_mode=reference-match', { method: 'POST', body: form }), context);
 */
export const master: RouteHandler = async (request, { correlationId, url, deps }) => {
  const { admission, events, clock, metrics } = deps;
  // Options first: a bad query is answered before a byte of the upload is read.
  const publishRequestFailure = (error: unknown) => {
    const { code, message } = toAudoEqError(error);
    events.publish({ name: 'MasteringFailed', correlationId, occurredAt: clock.now().toISOString(), payload: { stage: 'request', code, message } });
  };
  let options;
  try {
    options = parseMasteringQuery(url.searchParams);
  } catch (error) {
    publishRequestFailure(error);
    throw error;
  }
  if (admission.inFlight >= admission.maxAdmitted) {
    const error = new AudoEqError('overloaded', undefined, { retry_after_seconds: RETRY_AFTER_SECONDS });
    publishRequestFailure(error);
    throw error;
  }

  admission.inFlight++;
  metrics.addInFlight(1);
  try {
    let upload;
    try {
      upload = await readMasteringUpload(request, deps.limits);
    } catch (error) {
      publishRequestFailure(error);
      throw error;
    }
    const startedMs = performance.now();
    let result;
    try {
      // The job is the upload object plus id and options (jobs build it the same way from stored uploads).
      result = await masterTrack(deps, { correlationId, ...upload, options });
    } catch (error) {
      metrics.observeMastering((performance.now() - startedMs) / 1000, 'failure');
      if (error instanceof AudoEqError && error.code === 'storage_unavailable') metrics.countPersistence('failed');
      throw error;
    }
    metrics.observeMastering(result.masteringSeconds, 'success');
    metrics.countPersistence(result.persistence.status);
    const headers = masteringResponseHeaders({
      correlationId,
      policies: result.policies,
      profileId: result.profileId,
      diagnostics: result.diagnostics,
      persistence: result.persistence,
      byteLength: result.wav.byteLength,
      baseUrl: deps.publicUrl ?? url.origin,
    });
    return new Response(result.wav as Uint8Array<ArrayBuffer>, { status: 200, headers });
  } finally {
    admission.inFlight--;
    metrics.addInFlight(-1);
  }
};
