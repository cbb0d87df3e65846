/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table and
 * the shared tables (error codes, query parameters, response headers), so it
 * cannot drift from what the app serves.
 */
import { ERROR_TABLE, INGEST_ERROR_CODES, type ErrorCode } from '../domain/errors.ts';
import { DOMAIN_EVENT_NAMES } from '../domain/events.ts';
import type { RouteDefinition } from './context.ts';
import { TRACK_ANALYSIS_SCHEMA } from './analysis-json.ts';
import { MASTER_RESPONSE_HEADERS } from './headers.ts';
import { SKIP_REASONS } from '../app/persist-artifact.ts';
import { STORAGE_FAILURE_CODES } from '../app/storage-failure.ts';
import { MASTER_QUERY_PARAMETERS } from './query.ts';
import { MASTERING_WARNING_CODES } from '../mastering/warnings.ts';
import { OPERATIONS, type OperationDescription } from './openapi-operations.ts';
import { JOB_OPERATIONS, JOB_SCHEMA, JOB_WEBHOOKS } from './openapi-jobs.ts';
import { openApiPath } from './route-path.ts';

/** Version of the HTTP contract (kept equal to package.json's version by a test). */
export const API_VERSION = '0.1.0';

const errorSchemaRef = { $ref: '#/components/schemas/ErrorBody' };

/** Error codes grouped by HTTP status, from the one error table. */
function codesByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const groups = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_TABLE[code].status;
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return groups;
}

function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, group] of codesByStatus(codes)) {
    const retrying = group.filter((code) => ['overloaded', 'queue_full', 'queue_unavailable', 'storage_unavailable'].includes(code));
    const retryAfter = retrying.length > 0 ? { 'Retry-After': { description: `Seconds to wait (with ${retrying.map((code) => `\`${code}\``).join(', ')}).`, schema: { type: 'integer' } } } : {};
    const authenticate = group.includes('unauthorized') ? { 'WWW-Authenticate': { description: 'The accepted scheme.', schema: { type: 'string' } } } : {};
    responses[String(status)] = {
      description: group.map((code) => `\`${code}\`: ${ERROR_TABLE[code].message}`).join('\n\n'),
      headers: { 'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' }, ...retryAfter, ...authenticate },
      content: {
        'application/json': {
          schema: {
            allOf: [errorSchemaRef, { type: 'object', properties: { detail: { type: 'object', properties: { code: { enum: group } } } } }],
          },
          example: { detail: { code: group[0], message: ERROR_TABLE[group[0]].message } },
        },
      },
    };
  }
  return responses;
}

function operationObject(route: RouteDefinition, description: OperationDescription): Record<string, unknown> {
  // A route that lists its query parameters refuses others (and its multipart fields: every such route lists them).
  const strict: ErrorCode[] = route.query ? ['unknown_parameter'] : [];
  const codes: ErrorCode[] = [...strict, ...description.errors, ...(route.requiresApiKey ? (['unauthorized'] as const) : []), 'internal_error'];
  return {
    operationId: route.operationId,
    summary: description.summary,
    description: description.description,
    tags: [description.tag],
    security: route.requiresApiKey ? [{}, { bearerAuth: [] }, { apiKeyHeader: [] }] : [],
    parameters: [{ $ref: '#/components/parameters/X-Correlation-Id' }, ...(description.parameters ?? [])],
    ...(description.requestBody ? { requestBody: description.requestBody } : {}),
    responses: { ...description.responses, ...errorResponses([...new Set(codes)]) },
  };
}

const headerDescriptions: Record<string, string> = {
  [MASTER_RESPONSE_HEADERS.correlationId]: 'The request’s correlation id: the client’s `X-Correlation-Id` when it is 1–128 characters of `[A-Za-z0-9._:-]`, otherwise a generated UUID. On every response, errors included.',
  [MASTER_RESPONSE_HEADERS.policyVersion]: 'Version of the ingest and normalization policies, e.g. `v1`.',
  [MASTER_RESPONSE_HEADERS.ingestPolicyId]: 'Ingest validation policy applied, e.g. `ingest-validation-default`.',
  [MASTER_RESPONSE_HEADERS.normalizationPolicyId]: 'PCM normalization policy applied, e.g. `pcm-canonical-default`.',
  [MASTER_RESPONSE_HEADERS.profileId]: 'Mastering profile used: `default`, `conservative` or `aggressive`.',
  [MASTER_RESPONSE_HEADERS.diagnostics]:
    'Compact ASCII JSON: loudness in/out and the goal with its source, true peak and margin, strategy and conditions, applied chain, per-stage milliseconds; and what matching did: `strength`, `match`, `references`, `tone` (curve goal per band `goal_delta_db` beside the applied `chain.eq_curve_db`, clamped bands `clamped_hz`, the reference’s cut-off), `width.bands` (side/mid before, goal, after, change per band), `dynamics` (loudness range before, reference, goal, after; the rider), `limiter` (ceiling and its source), `preview` (the rendered region or null), `output_sample_rate_hz`, `warnings`. Past 8000 characters the objects and lists are left out and `truncated` is true (the job document and `--report-json` always hold them all).',
  [MASTER_RESPONSE_HEADERS.warnings]:
    'The master’s warnings as an RFC 8941 structured-field list: one item per warning, its code as a token and its numbers as parameters, e.g. `loudness_goal_not_reached;goal_lufs=-5;reached_lufs=-6.21;short_by_lu=1.21;goal_source="target_lufs", target_clipped;clipped_runs=412;clipped_samples=1650;longest_run_samples=9`. ASCII, at most 1024 characters (past that, codes only). Absent when there is no warning. The same warnings, with a message each, are `warnings` in `X-Mastering-Diagnostics`. Codes: ' +
    MASTERING_WARNING_CODES.map((code) => `\`${code}\``).join(', ') +
    '.',
  [MASTER_RESPONSE_HEADERS.persistenceStatus]: '`stored` (uploaded now), `deferred` (queued) or `skipped` (storage disabled or failed under best-effort).',
  [MASTER_RESPONSE_HEADERS.persistenceReason]: `Why the artifact was not persisted; only with \`skipped\`: ${SKIP_REASONS.map((reason) => `\`${reason}\``).join(', ')}. \`storage_unavailable\`: storage did not answer (down, timed out, TLS); \`storage_rejected\`: it answered and refused (credentials, bucket, permissions; the log line names the setting to check).`,
  [MASTER_RESPONSE_HEADERS.objectKey]: 'Key of the artifact (`mastered/<uuid>.wav`), with `stored` and `deferred`: `GET /artifacts/{key}` serves it once stored.',
  [MASTER_RESPONSE_HEADERS.objectUrl]: 'URL of the stored artifact: a presigned GET for S3, the `GET /artifacts/{key}` route for filesystem storage. Only with `stored`.',
};

/**
 * Builds the OpenAPI 3.1 document for `routes`.
 *
 * @example const doc = buildOpenApiDocument(ROUTES); doc.openapi // '3.1.0'
 */
export function buildOpenApiDocument(routes: readonly RouteDefinition[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const description = OPERATIONS[route.operationId] ?? JOB_OPERATIONS[route.operationId];
    if (!description) throw new Error(`no OpenAPI description for operation ${route.operationId}`);
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationObject(route, description) };
  }
  const headers: Record<string, unknown> = {};
  for (const [name, description] of Object.entries(headerDescriptions)) headers[name] = { description, schema: { type: 'string' } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'audo-eq',
      version: API_VERSION,
      summary: 'Reference-based audio mastering.',
      description: [
        'Send a **target** and a **reference** track; get the target mastered to the reference’s loudness, tone and dynamics as WAV.',
        '',
        'Every error body is `{"detail": {"code", "message", …}}` and carries `X-Correlation-Id`. An unknown path answers `404 not_found`; a known path with another method answers `405 method_not_allowed` with `Allow`. `HEAD` is accepted wherever `GET` is.',
        '',
        'API keys: when the server has `AUDO_EQ_API_KEYS` set, operations marked with security need `Authorization: Bearer <key>` or `X-Api-Key: <key>`; `/`, `/health`, `/ready`, `/docs` and `/openapi.json` stay open. Without configured keys everything is open.',
        '',
        `Domain events logged as \`domain_event_emitted\`: ${DOMAIN_EVENT_NAMES.join(', ')}.`,
      ].join('\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'mastering', description: 'Mastering a target against a reference.' },
      { name: 'analysis', description: 'Measuring a track: loudness, peaks, spectrum.' },
      { name: 'jobs', description: 'Asynchronous mastering: submit, poll or get a signed callback, download.' },
      { name: 'operations', description: 'Health, readiness, metrics and documentation.' },
    ],
    paths,
    webhooks: JOB_WEBHOOKS,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from AUDO_EQ_API_KEYS as a bearer token.' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key from AUDO_EQ_API_KEYS.' },
      },
      parameters: {
        'X-Correlation-Id': {
          name: 'X-Correlation-Id',
          in: 'header',
          required: false,
          description: 'Echoed when 1–128 characters of `[A-Za-z0-9._:-]`; otherwise replaced by a generated UUID.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
      },
      headers,
      schemas: {
        ErrorBody: {
          type: 'object',
          required: ['detail'],
          properties: {
            detail: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_TABLE) },
                message: { type: 'string' },
                parameter: {
                  type: 'string',
                  description: `With \`invalid_query_parameter\` and \`callback_not_allowed\`: the parameter (${[...Object.keys(MASTER_QUERY_PARAMETERS), 'callback_url', 'limit'].join(', ')}). With \`unknown_parameter\`: the name as sent (printable ASCII, at most 100 characters).`,
                },
                location: { enum: ['query', 'multipart'], description: 'With `unknown_parameter`: a query parameter or a multipart field.' },
                closest: { type: ['string', 'null'], description: 'With `unknown_parameter`: the known name closest to the one sent (`eq-mode` → `eq_mode`, `targetLufs` → `target_lufs`); null when the route takes none.' },
                known_parameters: { type: 'array', items: { type: 'string' }, description: 'With `unknown_parameter`: every name the route takes there.' },
                allowed_values: { type: 'array', items: { type: 'string' }, description: 'With `invalid_query_parameter`.' },
                missing_parts: { type: 'array', items: { type: 'string', enum: ['target', 'reference', 'file'] }, description: 'With `missing_file`.' },
                part: { type: 'string', enum: ['target', 'reference', 'file'], description: 'Which upload an ingest error (or `silent_reference`) is about.' },
                reference_index: { type: 'integer', minimum: 1, description: 'With an ingest error about one of several references: which one, 1-based in the order sent.' },
                max_count: { type: 'integer', description: 'With `too_many_references`: how many references one request may send.' },
                reference_indices: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'With `silent_reference` when several references were sent: the silent ones, 1-based in the order sent.' },
                max_bytes: { type: 'integer', description: 'With `file_too_large` and `request_too_large`.' },
                retry_after_seconds: { type: 'integer', description: 'With `overloaded`, `queue_full`, `queue_unavailable`, `storage_unavailable` and `not_ready` (also sent as `Retry-After`).' },
                job_id: { type: 'string', description: 'With the job errors.' },
                key: { type: 'string', description: 'With `artifact_not_found`: the key asked for.' },
                reason: { enum: SKIP_REASONS.filter((reason) => reason !== 'storage_disabled'), description: 'With `storage_unavailable`: why the guarantee could not be met (as `X-Artifact-Persistence-Reason` would say).' },
                storage_error: { enum: Object.keys(STORAGE_FAILURE_CODES), description: 'With `storage_unavailable` from storage: the classified failure.' },
                failed: { type: 'array', items: { type: 'string' }, description: 'With `not_ready`: the checks that failed (`storage`, `queue`, `jobs`).' },
                checks: { $ref: '#/components/schemas/ReadyChecks' },
              },
            },
          },
          description: `Ingest codes: ${INGEST_ERROR_CODES.join(', ')}.`,
        },
        MasteringWarning: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', enum: [...MASTERING_WARNING_CODES] },
            message: { type: 'string', description: 'One line for people.' },
          },
          additionalProperties: { type: ['number', 'string', 'boolean', 'null'] },
          description:
            'A master that was made, but not as asked or from limited inputs. Details by code: `loudness_goal_not_reached` (more than 0.5 LU from the goal) goal_lufs, reached_lufs, short_by_lu, goal_source; `silent_target` (RMS at or below -60 dBFS; the master is silent) rms_dbfs; `target_clipped` (10 or more runs of 3+ full-scale samples) clipped_runs, clipped_samples, longest_run_samples; `reference_band_limited` cutoff_hz; `reference_low_sample_rate` (below 32 kHz and below the output’s rate) reference_sample_rate_hz, output_sample_rate_hz; `mono_target_stereo_reference` target_channels, reference_side_to_mid_db; `silent_reference` (left out among several, or matched to nothing under an explicit loudness goal). With several references, reference_index (1-based, in the order sent) names the one meant.',
        },
        TrackAnalysis: TRACK_ANALYSIS_SCHEMA,
        Job: JOB_SCHEMA,
        ReadyChecks: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['status'],
            properties: {
              status: { enum: ['ok', 'unavailable', 'disabled'] },
              backend: { type: 'string' },
              error: { type: 'string', description: 'What failed, in one line (with `unavailable`).' },
              code: { enum: Object.keys(STORAGE_FAILURE_CODES), description: 'Storage check: the classified failure (`storage_credentials_rejected`, `storage_endpoint_unreachable`, …).' },
              check: { type: 'string', description: 'Storage check: the settings to check, e.g. `AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY`.' },
              name: { type: 'string', description: 'Queue check: the queue name.' },
              depth: { type: 'integer', description: 'Queue check: tasks not yet stored.' },
              oldest_age_seconds: { type: ['number', 'null'], description: 'Queue check: age of the oldest task not yet stored.' },
              dead_letters: { type: 'integer', description: 'Queue check: tasks in the dead-letter queue.' },
            },
          },
        },
      },
    },
  };
}
