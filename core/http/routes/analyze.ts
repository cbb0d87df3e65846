/**
 * `POST /analyze`: one uploaded file (multipart part `file`) → its loudness,
 * peaks, crest factor, 1/3-octave spectrum and short-term loudness as JSON.
 * The web page draws its plots and table from this, so it never measures
 * audio itself. Same streaming upload, limits and ingest errors as `/master`;
 * the work runs on the analysis runner and counts toward the same admission
 * limit (it is CPU work too).
 */
import { analysisJson } from '../analysis-json.ts';
import type { RouteHandler } from '../context.ts';
import { readFileParts, type UploadLimits } from '../multipart.ts';
import { jsonResponse } from '../responses.ts';

/** Room for the multipart framing around the one file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

/** One file plus framing: a body that could only fit two files is refused as it streams. */
function singleFileLimits(limits: UploadLimits): UploadLimits {
  return {
    ...limits,
    maxRequestBytes: Math.min(limits.maxRequestBytes, limits.maxFileBytes + FORM_OVERHEAD_BYTES),
  };
}

/**
 * @example
 * const form = new FormData(); form.append('file', new Blob([wavBytes]), 'mix.wav');
 * const response = await analyze(new Request('http://x/analyze', { method: 'POST', body: form }), context);
 * (await response.json()).integrated_lufs; // e.g. -14.08
 */
export const analyze: RouteHandler = async (request, { correlationId, deps }) => {
  const { file } = await readFileParts(request, singleFileLimits(deps.limits), ['file']);
  const result = await deps.analysisRunner.runAnalysis({ correlationId, file });
  return jsonResponse(200, analysisJson(result));
};
