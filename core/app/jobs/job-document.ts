/**
 * The job as clients see it — the body of `GET /jobs/{id}`, of each entry in
 * `GET /jobs` and of the callback POST — built from a `JobRecord`. URLs are
 * relative to the API (`/jobs/<id>`) unless a base URL is given.
 */
import type { MasteringDiagnostics } from '../../mastering/diagnostics.ts';
import type { MasteringRequestOptions } from '../../mastering/options.ts';
import type { MasteringWarning } from '../../mastering/warnings.ts';
import type { JobRecord } from './job-record.ts';

export interface JobDocument {
  readonly job_id: string;
  readonly status: JobRecord['status'];
  readonly progress: number;
  readonly stage: JobRecord['progress']['stage'];
  readonly correlation_id: string;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly attempts: number;
  readonly cancel_requested: boolean;
  readonly options: MasteringRequestOptions;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly status_url: string;
  /** Where to download the mastered WAV (succeeded jobs only). */
  readonly result_url: string | null;
  readonly result_object_key: string | null;
  readonly diagnostics: MasteringDiagnostics | null;
  readonly warnings: readonly MasteringWarning[] | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly callback: {
    readonly url: string;
    readonly status: string;
    readonly deliveries: ReadonlyArray<{ readonly attempt: number; readonly at: string; readonly status_code: number | null; readonly error: string | null }>;
  } | null;
}

/** File names and sizes of the uploads (never storage keys). */
function inputSummary(inputs: JobRecord['submission']['inputs']): Record<string, unknown> {
  const describe = (upload: { filename?: string; sizeBytes: number }) => ({ filename: upload.filename ?? null, size_bytes: upload.sizeBytes });
  return Object.fromEntries(Object.entries(inputs).map(([field, value]) => [field, Array.isArray(value) ? value.map(describe) : describe(value as { sizeBytes: number })]));
}

/**
 * The client-facing document of `record`.
 *
 * @example jobDocument(record, 'https://api.example.com').status_url // 'https://api.example.com/jobs/<id>'
 */
export function jobDocument(record: JobRecord, baseUrl = ''): JobDocument {
  const { submission, result } = record;
  const statusUrl = `${baseUrl}/jobs/${encodeURIComponent(submission.id)}`;
  return {
    job_id: submission.id,
    status: record.status,
    progress: record.progress.percent,
    stage: record.progress.stage,
    correlation_id: submission.correlationId,
    created_at: submission.submittedAt,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    attempts: record.attempts,
    cancel_requested: record.cancelRequested,
    options: submission.options,
    inputs: inputSummary(submission.inputs),
    status_url: statusUrl,
    result_url: result ? `${statusUrl}/result` : null,
    result_object_key: result?.key ?? null,
    diagnostics: result?.diagnostics ?? null,
    warnings: result ? result.warnings : null,
    error: record.error,
    callback: record.callback
      ? {
          url: record.callback.url,
          status: record.callback.status,
          deliveries: record.callback.deliveries.map((d) => ({ attempt: d.attempt, at: d.at, status_code: d.statusCode, error: d.error })),
        }
      : null,
  };
}
