/**
 * Every error the product can answer with, in one table: code → HTTP status and
 * a default message. Nothing else decides status codes (ARCHITECTURE "rules of thumb").
 */
import { MAX_REFERENCES } from './limits.ts';

export const ERROR_TABLE = {
  invalid_query_parameter: { status: 400, message: 'A query parameter has an invalid value.' },
  unknown_parameter: { status: 400, message: 'The request names a query parameter or multipart field this route does not take.' },
  invalid_payload: { status: 400, message: 'The request body is not valid multipart/form-data.' },
  missing_file: { status: 400, message: 'A required file part is missing.' },
  too_many_references: { status: 400, message: `At most ${MAX_REFERENCES} reference files may be sent.` },
  empty_file: { status: 400, message: 'The uploaded file is empty.' },
  file_too_large: { status: 400, message: 'The uploaded file exceeds the size limit.' },
  corrupted_file: { status: 400, message: 'The audio file is corrupted or truncated.' },
  mp3_malformed_header: { status: 400, message: 'The MP3 frame header is malformed.' },
  id3_malformed_header: { status: 400, message: 'The ID3v2 tag header is malformed.' },
  unsupported_codec_profile: { status: 400, message: 'Only MPEG-1 Layer III is accepted as MP3.' },
  invalid_duration: { status: 400, message: 'The audio duration must be greater than zero.' },
  duration_too_long: { status: 400, message: 'The audio is longer than the duration limit.' },
  invalid_sample_rate: { status: 400, message: 'The sample rate is outside the supported range.' },
  invalid_channel_count: { status: 400, message: 'The channel count is outside the supported range.' },
  unauthorized: { status: 401, message: 'A valid API key is required.' },
  not_found: { status: 404, message: 'No route matches this path.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed on this path.' },
  request_too_large: { status: 413, message: 'The request body exceeds the total size limit.' },
  unsupported_container: { status: 415, message: 'The file is not a WAV, FLAC or MP3 container.' },
  unsupported_codec: { status: 415, message: 'The codec inside the container is not supported.' },
  silent_reference: { status: 422, message: 'The reference is silent; give target_lufs or loudness_preset, or send a reference with sound.' },
  storage_unavailable: { status: 503, message: 'The mastered artifact could not be persisted as guaranteed.' },
  overloaded: { status: 503, message: 'The server is busy; retry later.' },
  not_ready: { status: 503, message: 'The service is not ready.' },
  job_not_found: { status: 404, message: 'No job with this id exists for this API key.' },
  invalid_artifact_key: { status: 400, message: 'The artifact key is not one this service makes (mastered/<name>.wav, nothing encoded, no dot segments or doubled separators).' },
  artifact_not_found: { status: 404, message: 'No artifact is stored or queued under this key.' },
  job_finished: { status: 409, message: 'The job has already finished; there is nothing to cancel.' },
  job_result_unavailable: { status: 409, message: 'The job has no result to download (it has not succeeded).' },
  callback_not_allowed: { status: 400, message: 'The callback URL points to an address callbacks may not reach.' },
  queue_full: { status: 503, message: 'The job queue is full; retry later.' },
  queue_unavailable: { status: 503, message: 'The job queue does not answer; retry later.' },
  jobs_unavailable: { status: 503, message: 'Asynchronous jobs are not available on this server.' },
  worker_lost: { status: 500, message: 'The job stopped its worker too many times and was given up.' },
  internal_error: { status: 500, message: 'An internal error occurred.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Codes produced while validating and decoding uploaded audio. */
export const INGEST_ERROR_CODES = [
  'missing_file',
  'empty_file',
  'file_too_large',
  'corrupted_file',
  'mp3_malformed_header',
  'id3_malformed_header',
  'unsupported_codec_profile',
  'invalid_duration',
  'duration_too_long',
  'invalid_sample_rate',
  'invalid_channel_count',
  'unsupported_container',
  'unsupported_codec',
] as const satisfies readonly ErrorCode[];

export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** Extra fields carried into the error body next to code and message. */
export type ErrorDetails = Record<string, unknown>;

/**
 * An error with a product error code. Its message is safe to show to clients;
 * `cause` (when set) is for logs only.
 *
 * @example throw new AudoEqError('invalid_query_parameter', 'eq_mode must be fixed or reference-match', { parameter: 'eq_mode' })
 */
export class AudoEqError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_TABLE[code].message, options);
    this.name = 'AudoEqError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = details;
  }
}

/**
 * The one error type ingest validation and decoding throw: any malformed upload
 * ends here, never as a RangeError or a decoder's own exception.
 */
export class IngestValidationError extends AudoEqError {
  declare readonly code: IngestErrorCode;

  constructor(code: IngestErrorCode, message?: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'IngestValidationError';
  }
}

/** The JSON body every error response carries. */
export function errorBody(error: AudoEqError): { detail: { code: ErrorCode; message: string } & ErrorDetails } {
  return { detail: { ...error.details, code: error.code, message: error.message } };
}
