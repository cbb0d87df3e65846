/**
 * OpenAPI text of the job routes, the job document schema and the callback
 * (an OpenAPI 3.1 webhook with its signature scheme). Kept beside the other
 * operations' text (openapi-operations.ts) and merged into the document by openapi.ts.
 */
import { INGEST_ERROR_CODES } from '../domain/errors.ts';
import { JOB_STAGES, JOB_STATUSES } from '../app/jobs/job-record.ts';
import type { OperationDescription } from './openapi-operations.ts';
import { MASTER_OPERATION_PARAMETERS, MASTER_UPLOAD_BODY } from './openapi-operations.ts';

const correlationHeader = { 'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' } };
const jobIdParameter = { name: 'id', in: 'path', required: true, description: 'The job id from `POST /jobs`.', schema: { type: 'string' } };
const jobJson = { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } };

export const JOB_OPERATIONS: Readonly<Record<string, OperationDescription>> = {
  postJob: {
    tag: 'jobs',
    summary: 'Submit an asynchronous mastering job',
    description:
      'Same multipart upload, query options, validation and error codes as `POST /master`, plus an optional `callback_url`. The uploads are stored, the job is queued, and the answer is `202` at once with the job id and its status URL (also in `Location`). A worker masters it exactly as `/master` would (byte-identical WAV); poll `GET /jobs/{id}` or receive the signed callback. A full queue or an unreachable queue is `503` with `Retry-After`.',
    parameters: [
      ...MASTER_OPERATION_PARAMETERS,
      {
        name: 'callback_url',
        in: 'query',
        required: false,
        description:
          'http(s) URL to POST the finished job document to (see the `jobFinished` webhook). Refused (`callback_not_allowed`) when its host resolves to a loopback, link-local, private or metadata address, unless the server’s allow-list (`AUDO_EQ_WEBHOOK_ALLOWED_HOSTS`) names it; also refused when the server has no signing secret.',
        schema: { type: 'string', format: 'uri' },
      },
    ],
    requestBody: MASTER_UPLOAD_BODY,
    responses: {
      '202': {
        description: 'Queued.',
        headers: { ...correlationHeader, Location: { description: 'The job’s status URL, `/jobs/{id}`.', schema: { type: 'string' } } },
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['job_id', 'status', 'status_url'],
              properties: { job_id: { type: 'string' }, status: { const: 'queued' }, status_url: { type: 'string' } },
            },
          },
        },
      },
    },
    errors: ['invalid_query_parameter', 'invalid_payload', ...INGEST_ERROR_CODES, 'too_many_references', 'request_too_large', 'callback_not_allowed', 'storage_unavailable', 'overloaded', 'queue_full', 'queue_unavailable', 'jobs_unavailable'],
  },
  listJobs: {
    tag: 'jobs',
    summary: 'List your recent jobs',
    description: 'Jobs submitted with the same API key (all jobs when the server has no keys), newest first, while retained (`AUDO_EQ_JOBS_RETENTION_SECONDS`).',
    parameters: [
      { name: 'limit', in: 'query', required: false, description: 'Jobs per page, 1–100.', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      { name: 'cursor', in: 'query', required: false, description: '`next_cursor` of the previous page.', schema: { type: 'string' } },
    ],
    responses: {
      '200': {
        description: 'One page of jobs.',
        headers: correlationHeader,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['jobs', 'next_cursor', 'next'],
              properties: {
                jobs: { type: 'array', items: { $ref: '#/components/schemas/Job' } },
                next_cursor: { type: ['string', 'null'] },
                next: { type: ['string', 'null'], description: 'Path of the next page, or null on the last.' },
              },
            },
          },
        },
      },
    },
    errors: ['invalid_query_parameter', 'queue_unavailable', 'jobs_unavailable'],
  },
  getJob: {
    tag: 'jobs',
    summary: 'A job’s status, progress and outcome',
    description: 'Status, progress (0–100, only ever forward) and stage, timestamps, and when finished the diagnostics and warnings, or the error code and message, plus callback delivery attempts. Another API key’s job is `404` like an unknown one.',
    parameters: [jobIdParameter],
    responses: { '200': { description: 'The job.', headers: correlationHeader, content: jobJson } },
    errors: ['job_not_found', 'queue_unavailable', 'jobs_unavailable'],
  },
  deleteJob: {
    tag: 'jobs',
    summary: 'Cancel a job',
    description: 'A queued job is `cancelled` at once; a running one is flagged (`cancel_requested`) and stops at its next stage boundary (poll until `cancelled`). A finished job is `409 job_finished`.',
    parameters: [jobIdParameter],
    responses: { '202': { description: 'The job after the request.', headers: correlationHeader, content: jobJson } },
    errors: ['job_not_found', 'job_finished', 'queue_unavailable', 'jobs_unavailable'],
  },
  getJobResult: {
    tag: 'jobs',
    summary: 'Download a job’s mastered WAV',
    description: 'The result of a succeeded job, read from storage (its object key in `X-Mastered-Object-Key`). `409 job_result_unavailable` before it succeeded or after storage retention removed it.',
    parameters: [jobIdParameter],
    responses: {
      '200': {
        description: 'The mastered audio, byte-identical to what `POST /master` returns for the same inputs and options.',
        headers: { ...correlationHeader, 'X-Mastered-Object-Key': { description: 'The result’s object key in storage.', schema: { type: 'string' } } },
        content: { 'audio/wav': { schema: { type: 'string', contentMediaType: 'audio/wav' } } },
      },
    },
    errors: ['job_not_found', 'job_result_unavailable', 'storage_unavailable', 'queue_unavailable', 'jobs_unavailable'],
  },
};

const nullableString = { type: ['string', 'null'] };

export const JOB_SCHEMA = {
  type: 'object',
  required: ['job_id', 'status', 'progress', 'stage', 'correlation_id', 'created_at', 'status_url'],
  properties: {
    job_id: { type: 'string' },
    status: { enum: [...JOB_STATUSES] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    stage: { enum: Object.keys(JOB_STAGES) },
    correlation_id: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    started_at: { ...nullableString, format: 'date-time' },
    finished_at: { ...nullableString, format: 'date-time' },
    attempts: { type: 'integer', description: 'Times a worker started the job (a takeover after a worker died counts).' },
    cancel_requested: { type: 'boolean' },
    options: { type: 'object', description: 'The parsed mastering options.' },
    inputs: { type: 'object', description: 'File name and size of each upload, by part: `target` is one `{filename, size_bytes}`; `reference` is one when sent once and a list in the order sent when sent several times.' },
    status_url: { type: 'string' },
    result_url: { ...nullableString, description: 'Where to download the WAV (`/jobs/{id}/result`), once succeeded.' },
    result_object_key: { ...nullableString, description: 'The result’s object key in storage (`mastered/<job id>.wav`).' },
    diagnostics: { type: ['object', 'null'], description: 'As `X-Mastering-Diagnostics`, once succeeded.' },
    warnings: { type: ['array', 'null'], items: { $ref: '#/components/schemas/MasteringWarning' }, description: 'As `warnings` in the diagnostics (empty when none), once succeeded; also in the `MasteringWarned` event.' },
    error: {
      type: ['object', 'null'],
      description:
        'Why a failed job failed: the same codes as `POST /master` (a bad upload found by the worker, e.g. `corrupted_file`; `storage_unavailable` once attempts ran out), or `worker_lost` when the job kept stopping its workers (it was taken over until `AUDO_EQ_JOBS_MAX_ATTEMPTS` runs were used).',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    callback: {
      type: ['object', 'null'],
      properties: {
        url: { type: 'string' },
        status: { enum: ['pending', 'delivered', 'failed'] },
        deliveries: {
          type: 'array',
          items: {
            type: 'object',
            properties: { attempt: { type: 'integer' }, at: { type: 'string' }, status_code: { type: ['integer', 'null'] }, error: nullableString },
          },
        },
      },
    },
  },
};

/** The callback, as an OpenAPI 3.1 webhook. */
export const JOB_WEBHOOKS = {
  jobFinished: {
    post: {
      summary: 'A job finished (succeeded, failed or cancelled)',
      description:
        'POSTed to the job’s `callback_url` once it finishes. The body is the job document (as `GET /jobs/{id}`). `X-Audo-Eq-Signature: t=<unix seconds>,v1=<hex>` where v1 is HMAC-SHA256 with the server’s `AUDO_EQ_WEBHOOK_SECRET` over `<t>.<raw body>`: recompute it over the raw bytes, compare in constant time, and refuse timestamps older than a few minutes (replays). Any 2xx is delivery; anything else, a timeout or a refused connection is retried with exponential backoff up to `AUDO_EQ_WEBHOOK_MAX_ATTEMPTS`; each attempt is listed in the job’s `callback.deliveries`. Redirects are not followed. `X-Audo-Eq-Job-Id` and `X-Audo-Eq-Delivery-Attempt` name the job and attempt.',
      parameters: [
        { name: 'X-Audo-Eq-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' } },
        { name: 'X-Audo-Eq-Job-Id', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'X-Audo-Eq-Delivery-Attempt', in: 'header', required: true, schema: { type: 'integer' } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } } },
      responses: { '200': { description: 'Any 2xx acknowledges the delivery.' } },
    },
  },
};
