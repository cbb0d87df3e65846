/**
 * `POST /master`: hands the mastering use case the request to receive (query
 * → options first, so a bad query is answered before a byte of the upload is
 * read; then the streaming upload), and answers the WAV with the result
 * headers (SPEC section 2). Admission (`503 overloaded`) happens before this
 * handler runs (core/http/admission.ts); failure events are the use case's.
 */
import { masterTrack } from '../../app/master-track.ts';
import { AudoEqError } from '../../domain/errors.ts';
import { masteringResponseHeaders } from '../headers.ts';
import { readMasteringUpload } from '../multipart.ts';
import { parseMasteringQuery } from '../query.ts';
import type { RouteHandler } from '../context.ts';
import type { MasteringDiagnostics } from '../../mastering/diagnostics.ts';

/** The job's diagnostics with `upload_ms` first in `stage_ms`. */
function withUploadTime(diagnostics: MasteringDiagnostics, uploadMs: number): MasteringDiagnostics {
  return { ...diagnostics, stage_ms: { upload_ms: uploadMs, ...diagnostics.stage_ms } };
}

/**
 * @example
 * const response = await master(new Request('http://x/master?eq_mode=reference-match', { method: 'POST', body: form }), context);
 */
export const master: RouteHandler = async (request, { correlationId, url, deps }) => {
  const { metrics } = deps;
  let masteringStartedMs: number | null = null;
  let uploadMs = 0;
  metrics.addInFlight(1);
  try {
    const result = await masterTrack(deps, {
      correlationId,
      receive: async () => {
        const options = parseMasteringQuery(url.searchParams);
        // The job is the upload object plus id and options (jobs build it the same way from stored uploads).
        const uploadStartedMs = performance.now();
        const upload = await readMasteringUpload(request, deps.limits);
        masteringStartedMs = performance.now();
        // Receiving and parsing the multipart body: the first stage of the request's stage_ms.
        uploadMs = Number((masteringStartedMs - uploadStartedMs).toFixed(1));
        return { ...upload, options };
      },
    });
    metrics.observeMastering(result.masteringSeconds, 'success');
    metrics.countPersistence(result.persistence.status);
    const headers = masteringResponseHeaders({
      correlationId,
      policies: result.policies,
      profileId: result.profileId,
      diagnostics: withUploadTime(result.diagnostics, uploadMs),
      persistence: result.persistence,
      byteLength: result.wav.byteLength,
      baseUrl: deps.publicUrl ?? `${url.origin}${deps.basePath}`,
    });
    return new Response(deps.byteBody(result.wav), { status: 200, headers });
  } catch (error) {
    // Only masterings that got past the request count as failed masterings.
    if (masteringStartedMs !== null) metrics.observeMastering((performance.now() - masteringStartedMs) / 1000, 'failure');
    if (error instanceof AudoEqError && error.code === 'storage_unavailable') metrics.countPersistence('failed');
    throw error;
  } finally {
    metrics.addInFlight(-1);
  }
};
